"""The people of 清溪县 that the tests are about.

张伟 is a hall clerk, 李娜 the village agent of 东山村, 王芳 a villager of
东山村, 赵敏 the catalogue officer of the market regulation bureau (市场监管局),
刘强 the catalogue officer of the natural resources bureau (自然资源局), 孙丽 a
county leader, and 管理员 the system administrator. For cases: 张伟 works the
market regulation window, 陈静 reviews for 市场监管局 and 周磊 for 自然资源局;
王芳 holds the resident identity number ``county.wangfang_id``.
"""

from __future__ import annotations

from typing import Any

import pytest
from django.test import override_settings

from tests.factories import item_doc, resident_id
from zhili.accounts.models import Role, User
from zhili.divisions.models import Department, Division, ServicePoint

CODE_FORMATS = {
    "ZHILI_BASIC_CODE_PATTERN": r"\d{12}",
    "ZHILI_IMPL_CODE_PATTERN": r"[0-9A-HJ-NPQRTUWXY]{18}<basic>\d{3}",
}


@pytest.fixture(autouse=True)
def _code_formats() -> Any:
    # A fast hasher: the named people are created for most tests.
    hashers = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    # Ask the database about catalogue changes on every request: tests publish and look at once.
    with override_settings(
        **CODE_FORMATS, PASSWORD_HASHERS=hashers, ZHILI_CATALOGUE_REFRESH_SECONDS=0
    ):
        yield


class County:
    """Handles to the base fixture set."""

    def __init__(self) -> None:
        sq = {"type": "Polygon", "coordinates": [[[0, 0], [1, 0], [1, 1], [0, 1], [0, 0]]]}
        self.county = Division.objects.create(
            code="330599000000", name="清溪县", level="county", boundary=sq
        )
        self.town = Division.objects.create(
            code="330599101000", name="东山镇", level="town", parent=self.county, boundary=sq
        )
        self.village = Division.objects.create(
            code="330599101201", name="东山村", level="village", parent=self.town, boundary=sq,
            centroid_lon=119.95, centroid_lat=30.55,
        )  # fmt: skip
        self.other_village = Division.objects.create(
            code="330599101202", name="西坞村", level="village", parent=self.town, boundary=sq,
            centroid_lon=119.99, centroid_lat=30.52,
        )  # fmt: skip
        self.scjg = Department.objects.create(
            code="SCJG", name="清溪县市场监督管理局", short_name="市场监管局", division=self.county
        )
        self.zrzy = Department.objects.create(
            code="ZRZY",
            name="清溪县自然资源和规划局",
            short_name="自然资源局",
            division=self.county,
        )
        self.hall = ServicePoint.objects.create(
            code="HALL", name="清溪县政务服务中心", kind="hall", division=self.county,
            address="清溪县人民路1号", hours="工作日 9:00-17:00", lon=120.0, lat=30.6,
        )  # fmt: skip
        self.village_point = ServicePoint.objects.create(
            code="VP-DS", name="东山村便民服务站", kind="village_point", division=self.village,
            address="东山村村委会", hours="工作日 8:30-17:00", lon=119.95, lat=30.55,
        )  # fmt: skip
        self.zhangwei = self._user(
            "zhangwei", "张伟", Role.CLERK, divisions=[self.county], departments=[self.scjg]
        )
        self.chenjing = self._user("chenjing", "陈静", Role.REVIEWER, departments=[self.scjg])
        self.zhoulei = self._user("zhoulei", "周磊", Role.REVIEWER, departments=[self.zrzy])
        self.lina = self._user("lina", "李娜", Role.VILLAGE_AGENT, divisions=[self.village])
        self.wangfang = self._user("wangfang", "王芳", Role.CITIZEN)
        self.zhaomin = self._user(
            "zhaomin", "赵敏", Role.CATALOGUE_OFFICER, departments=[self.scjg]
        )
        self.liuqiang = self._user(
            "liuqiang", "刘强", Role.CATALOGUE_OFFICER, departments=[self.zrzy]
        )
        self.sunli = self._user("sunli", "孙丽", Role.LEADER, divisions=[self.county])
        self.admin = self._user("admin", "管理员", Role.ADMIN, divisions=[self.county])
        self.wangfang_id = resident_id("19900307", "002")  # 王芳, female
        self.zhaoliu_id = resident_id("19781120", "013")  # 赵六, a villager of 西坞村

    def _user(self, username: str, name: str, role: str, **scope: list[Any]) -> User:
        user = User.objects.create_user(
            username, password="pw-" + username, display_name=name, role=role
        )
        if scope.get("departments"):
            user.departments.set(scope["departments"])
        if scope.get("divisions"):
            user.divisions.set(scope["divisions"])
        return user


@pytest.fixture(autouse=True)
def _media_in_tmp(settings: Any, tmp_path: Any) -> None:
    settings.MEDIA_ROOT = tmp_path / "media"


@pytest.fixture(autouse=True)
def _fresh_caches() -> Any:
    # Rolled-back test data can reuse ids; never let one test's index serve the next.
    from zhili.catalogue.search import reset_index
    from zhili.web import pagecache
    from zhili.workdays.calendar import invalidate

    reset_index()
    pagecache.clear()
    invalidate()
    yield
    reset_index()
    pagecache.clear()
    invalidate()


@pytest.fixture(autouse=True)
def _audit_flushable(request: Any) -> Any:
    """Let tests with committed data (live server, worker) be flushed despite the append-only trail.

    The flush at the end of such a test cannot delete audit entries (the
    triggers refuse), so this empties the trail first, with the triggers
    lifted for that one statement. Requesting the database from here makes
    this teardown run before the flush.
    """
    transactional = bool({"transactional_db", "live_server"} & set(request.fixturenames))
    if transactional:
        request.getfixturevalue("transactional_db")
    yield
    if transactional:
        from zhili.audit.models import AuditEntry, ChainHead
        from zhili.audit.triggers import suspended

        with suspended():
            AuditEntry.objects.all()._raw_delete(AuditEntry.objects.db)
            ChainHead.objects.all().delete()


@pytest.fixture
def county(db: Any) -> County:
    return County()


@pytest.fixture
def published_item(county: County) -> Any:
    """个体工商户设立登记, published once by 赵敏."""
    from zhili.catalogue.services import item_draft_save, item_publish

    version = item_draft_save(document=item_doc(), actor=county.zhaomin)
    return item_publish(item=version.item, actor=county.zhaomin).item
