"""The audit page /staff/audit/: 管理员 and 孙丽 read the trail and check the chain;
nobody else may, and nobody sees personal data in clear."""

from __future__ import annotations

import datetime
from typing import Any

import pytest
from django.test import Client
from django.utils import timezone

from tests.accounts.ids import resident_id
from tests.audit.tamper import sql
from zhili.audit.models import AuditEntry
from zhili.audit.services import audit_record

WANGFANG_ID = resident_id("19850317", "024")
LIST, VERIFY = "/staff/audit/", "/staff/audit/verify"


def _client(user: Any) -> Client:
    client = Client()
    if user is not None:
        client.force_login(user)
    return client


@pytest.fixture
def trail(county: Any) -> list[AuditEntry]:
    return [
        audit_record(
            action="case.accept", actor=county.zhangwei, object_type="case", object_id="QX0001",
            summary="张伟受理了王芳的申请。", channel="window", ip="10.1.2.3",
        ),
        audit_record(
            action="case.read_identity", actor=county.lina, object_type="applicant",
            object_id="12", summary="李娜查看了王芳的完整身份证号。", reason="核对代办委托书",
            channel="village_point",
        ),
        audit_record(
            action="item.publish", actor=county.zhaomin, object_type="item", object_id="330599-9",
            summary="赵敏发布了第2版。", before={"promised_days": 5}, after={"promised_days": 2},
        ),
    ]  # fmt: skip


# role: (GET list, POST verify); anonymous goes to the login page.
TABLE = {
    "wangfang": (403, 403),
    "zhangwei": (403, 403),
    "lina": (403, 403),
    "zhaomin": (403, 403),
    "liuqiang": (403, 403),
    "sunli": (200, 200),
    "admin": (200, 200),
}


@pytest.mark.parametrize("role", list(TABLE))
def test_it_lets_only_administrators_and_leaders_in(county: Any, role: str) -> None:
    client = _client(getattr(county, role))
    get_status, post_status = TABLE[role]
    assert client.get(LIST).status_code == get_status
    assert client.post(VERIFY).status_code == post_status


def test_it_lets_a_superuser_in(county: Any) -> None:
    county.wangfang.is_superuser = True
    county.wangfang.save()
    assert _client(county.wangfang).get(LIST).status_code == 200


def test_it_sends_visitors_who_are_not_signed_in_to_log_in(db: Any) -> None:
    for response in [Client().get(LIST), Client().post(VERIFY)]:
        assert response.status_code == 302
        assert response["Location"].startswith("/accounts/login/?next=/staff/audit/")


def test_it_refuses_a_get_of_the_verify_button(county: Any) -> None:
    assert _client(county.admin).get(VERIFY).status_code == 405


def test_it_lists_the_trail_newest_first(county: Any, trail: list[AuditEntry]) -> None:
    response = _client(county.sunli).get(LIST)
    html = response.content.decode()
    assert [r.entry.id for r in response.context["rows"]] == [e.id for e in reversed(trail)]
    for text in [
        "张伟受理了王芳的申请。",
        "窗口人员",
        "窗口",
        "核对代办委托书",
        "10.1.2.*",
        "case.accept",
    ]:
        assert text in html
    assert "10.1.2.3" not in html


def _ids(client: Client, **query: str) -> list[int]:
    return [row.entry.id for row in client.get(LIST, query).context["rows"]]


def test_it_filters_by_action_actor_object_and_date(county: Any, trail: list[AuditEntry]) -> None:
    client = _client(county.admin)
    accept, read, publish = (e.id for e in trail)
    assert _ids(client, action="case.") == [read, accept]
    assert _ids(client, action="item.publish") == [publish]
    assert _ids(client, actor="李娜") == [read]
    assert _ids(client, actor="zhaomin") == [publish]
    assert _ids(client, object_type="case", object_id="QX0001") == [accept]
    assert _ids(client, object_id="12") == [read]
    today = timezone.localdate()
    assert _ids(client, date_from=str(today), date_to=str(today)) == [publish, read, accept]
    assert _ids(client, date_to=str(today - datetime.timedelta(days=1))) == []
    assert _ids(client, date_from=str(today + datetime.timedelta(days=1))) == []


def test_it_says_when_the_dates_are_the_wrong_way_round(
    county: Any, trail: list[AuditEntry]
) -> None:
    response = _client(county.admin).get(LIST, {"date_from": "2025-02-01", "date_to": "2025-01-01"})
    assert response.context["rows"] == []
    assert "截止日期不能早于起始日期" in response.content.decode()


def test_it_pages_through_a_long_trail(county: Any) -> None:
    for n in range(51):
        audit_record(action="x", actor=county.admin, object_type="t", object_id=str(n))
    client = _client(county.admin)
    assert len(client.get(LIST, {"action": "x"}).context["rows"]) == 50
    second = client.get(LIST, {"action": "x", "page": "2"})
    assert [r.entry.object_id for r in second.context["rows"]] == ["0"]
    assert "第 2/2 页" in second.content.decode()


def test_it_shows_no_personal_data_in_clear(county: Any) -> None:
    audit_record(
        action="applicant.update", actor=county.zhangwei, object_type="applicant", object_id="12",
        summary=f"更正王芳的身份证号 {WANGFANG_ID}",
        before={"id_number": WANGFANG_ID, "手机": "13812345678"},
        after={"address": "浙江省清溪县东山镇东山村12号"},
    )  # fmt: skip
    # An entry written by some other path, with the data in clear: masked on the way out.
    legacy = AuditEntry(
        at=timezone.now(), action="legacy", prev_hash="0" * 64, hash="0" * 64,
        before={"idNumber": WANGFANG_ID}, after={"phone": "13987654321"},
    )  # fmt: skip
    legacy.save()
    html = _client(county.admin).get(LIST).content.decode()
    for secret in [WANGFANG_ID, "13812345678", "13987654321", "东山镇东山村12号"]:
        assert secret not in html
    assert "330***********" in html
    assert "138****5678" in html


def test_it_checks_the_chain_and_records_who_checked(county: Any, trail: list[AuditEntry]) -> None:
    response = _client(county.sunli).post(VERIFY, REMOTE_ADDR="10.0.0.8")
    assert "审计链完整：共校验 3 条记录" in response.content.decode()
    checked = AuditEntry.objects.order_by("-id").first()
    assert checked is not None
    assert (checked.action, checked.actor, checked.ip) == ("audit.verify", county.sunli, "10.0.0.8")
    assert "审计链完整" in checked.summary


def test_it_shows_where_the_chain_broke(county: Any, trail: list[AuditEntry]) -> None:
    sql("DELETE FROM audit_auditentry WHERE id = %s", [trail[1].id])
    html = _client(county.admin).post(VERIFY).content.decode()
    assert f"审计链已损坏（第一处问题在 #{trail[2].id}）" in html
    assert 'role="alert"' in html


def test_it_answers_htmx_with_the_result_alone(county: Any, trail: list[AuditEntry]) -> None:
    response = _client(county.admin).post(VERIFY, HTTP_HX_REQUEST="true")
    html = response.content.decode()
    assert html.strip().startswith('<div id="verify-result"')
    assert "审计链完整" in html
    assert "<table" not in html


def test_its_verify_button_needs_the_csrf_token(county: Any, trail: list[AuditEntry]) -> None:
    client = Client(enforce_csrf_checks=True)
    client.force_login(county.admin)
    assert client.post(VERIFY).status_code == 403
    page = client.get(LIST)
    token = page.context["csrf_token"]
    assert 'name="csrfmiddlewaretoken"' in page.content.decode()
    assert client.post(VERIFY, {"csrfmiddlewaretoken": token}).status_code == 200
