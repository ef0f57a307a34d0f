"""Loading the demo county: everything once, nothing twice, people with their jurisdiction."""

from __future__ import annotations

from io import StringIO

from django.contrib.auth import authenticate
from django.core.management import call_command
from django.test import override_settings

from zhili.accounts.models import User
from zhili.catalogue.models import Bundle, BundleItem, ItemVersion, ServiceItem, Theme
from zhili.demo.load import demo_load
from zhili.demo.people import DEMO_PASSWORD
from zhili.divisions.models import Department, Division, ServicePoint

MODELS = [
    Division,
    Department,
    ServicePoint,
    Theme,
    ServiceItem,
    ItemVersion,
    Bundle,
    BundleItem,
    User,
]


def row_counts():
    return {m.__name__: m.objects.count() for m in MODELS}


def test_it_loads_the_county_once_and_does_nothing_the_second_time(db):
    result = demo_load()
    assert result["created"] is True
    counts = row_counts()
    assert counts["Division"] == 1 + 10 + 137
    assert counts["Department"] == 58
    assert counts["ServicePoint"] == 1 + 10 + 137
    assert counts["ServiceItem"] == result["items"] >= 300
    assert counts["ItemVersion"] == counts["ServiceItem"]
    assert not ServiceItem.objects.filter(current__isnull=True).exists()
    assert not ItemVersion.objects.exclude(status=ItemVersion.PUBLISHED).exists()
    assert counts["Bundle"] >= 8 and counts["User"] == 11
    assert result["cases"] == 36 and result["concluded"] > 0 and result["late"] > 0

    again = demo_load()
    assert again["created"] is False and "已载入" in again["message"]
    assert row_counts() == counts


def test_it_gives_the_demo_people_their_jurisdiction(db):
    demo_load()
    zhaomin = authenticate(username="zhaomin", password=DEMO_PASSWORD)
    assert zhaomin is not None and zhaomin.display_name == "赵敏"
    scjg = Department.objects.get(code="SCJG")
    assert zhaomin.can_edit_department_items(scjg.pk)
    assert not zhaomin.can_edit_department_items(Department.objects.get(code="ZRZY").pk)
    lina = User.objects.get(username="lina")
    assert [d.name for d in lina.divisions.all()] == ["东山村"]
    assert User.objects.get(username="zhangwei").divisions.get().code == "330599000000"
    assert User.objects.get(username="admin").is_superuser
    for division in Division.objects.select_related("parent"):
        division.full_clean()
    for department in Department.objects.all():
        department.full_clean()


def test_it_links_items_into_a_hierarchy_and_bundles(db):
    demo_load()
    passports = ServiceItem.objects.get(name="普通护照签发")
    assert passports.parent.name == "出入境证件办理"
    assert {c.name for c in passports.children.all()} >= {"普通护照首次申领", "普通护照换发"}
    bundle = Bundle.objects.get(name="开办餐饮店")
    assert "食品经营许可（新办）" in {i.name for i in bundle.items.all()}
    top = ServiceItem.objects.order_by("-popularity").first()
    assert top.popularity > 10 * ServiceItem.objects.order_by("popularity")[200].popularity


def test_it_loads_from_the_command_even_without_code_formats_configured(db):
    out = StringIO()
    with override_settings(ZHILI_BASIC_CODE_PATTERN="", ZHILI_IMPL_CODE_PATTERN=""):
        call_command("demo_load", stdout=out)
        call_command("demo_load", stdout=out)
    text = out.getvalue()
    assert "示范县清溪县已载入" in text and "nothing to do" in text
    assert ServiceItem.objects.filter(current__isnull=False).count() >= 300


def test_it_refuses_to_mix_the_demo_into_another_county(db):
    Division.objects.create(code="330521000000", name="德清县", level="county")
    result = demo_load()
    assert result["created"] is False and "--force" in result["message"]
    assert Division.objects.count() == 1
