"""audit_record: 张伟 accepts a case at the hall window; the trail keeps what, who, where."""

from __future__ import annotations

import datetime
import threading
import uuid
from decimal import Decimal
from typing import Any

import pytest
from django.contrib.auth.models import AnonymousUser
from django.db import connection, connections, transaction
from django.test import RequestFactory

from tests.accounts.ids import resident_id
from tests.audit.tamper import sql
from zhili.accounts import pii
from zhili.audit.models import GENESIS, AuditEntry, ChainHead
from zhili.audit.selectors import audit_verify
from zhili.audit.services import audit_record

WANGFANG_ID = resident_id("19850317", "024")


def test_it_records_who_did_what_where(county: Any) -> None:
    request = RequestFactory().post("/staff/cases/1/accept", REMOTE_ADDR="10.1.2.3")
    entry = audit_record(
        action="case.accept",
        actor=county.zhangwei,
        object_type="case",
        object_id="QX2025000001",
        summary="张伟受理了王芳的个体工商户设立登记申请。",
        channel="window",
        request=request,
    )
    entry.refresh_from_db()
    assert (entry.actor, entry.actor_name, entry.role, entry.channel, entry.ip) == (
        county.zhangwei, "张伟", "clerk", "window", "10.1.2.3",
    )  # fmt: skip
    assert (entry.action, entry.object_type, entry.object_id) == (
        "case.accept", "case", "QX2025000001",
    )  # fmt: skip
    assert entry.at is not None
    assert len(entry.hash) == 64


def test_it_prefers_an_explicit_ip_to_the_request(county: Any) -> None:
    request = RequestFactory().get("/", REMOTE_ADDR="10.1.2.3")
    entry = audit_record(
        action="x", actor=county.admin, object_type="", object_id="", ip="10.9.9.9", request=request
    )
    assert entry.ip == "10.9.9.9"


def test_it_drops_an_address_that_is_not_one(county: Any) -> None:
    entry = audit_record(action="x", actor=county.admin, object_type="", object_id="", ip="unknown")
    assert entry.ip is None


def test_it_records_the_system_when_nobody_acted(db: Any) -> None:
    entry = audit_record(action="case.warn", actor=None, object_type="case", object_id="7")
    assert (entry.actor_id, entry.actor_name, entry.channel) == (None, "系统", "system")


def test_it_chains_each_entry_to_the_one_before(county: Any) -> None:
    first = audit_record(action="a", actor=county.admin, object_type="t", object_id="1")
    second = audit_record(action="b", actor=county.admin, object_type="t", object_id="2")
    assert first.prev_hash == GENESIS
    assert second.prev_hash == first.hash
    assert first.hash == first.compute_hash()
    head = ChainHead.objects.get()
    assert (head.last_id, head.last_hash) == (second.id, second.hash)


def test_it_masks_personal_data_before_it_is_stored(county: Any) -> None:
    entry = audit_record(
        action="applicant.update",
        actor=county.zhangwei,
        object_type="applicant",
        object_id="1",
        summary=f"核对申请人身份证号 {WANGFANG_ID}",
        before={"name": "王芳", "phone": "13812345678"},
        after={"name": "王芳", "phone": "13987654321", "id_number": WANGFANG_ID},
        reason="申请人来电 13812345678 要求更正",
    )
    entry.refresh_from_db()
    stored = f"{entry.summary}{entry.before}{entry.after}{entry.reason}"
    for secret in [WANGFANG_ID, "13812345678", "13987654321"]:
        assert secret not in stored
    assert entry.after == {
        "name": "王芳",
        "phone": "139****4321",
        "id_number": pii.mask_id(WANGFANG_ID),
    }
    assert audit_verify().ok


def test_it_stores_dates_decimals_and_uuids_as_text_and_still_verifies(county: Any) -> None:
    ref = uuid.uuid4()
    entry = audit_record(
        action="fee.set",
        actor=county.admin,
        object_type="item",
        object_id="1",
        after={"fee": Decimal("12.50"), "from": datetime.date(2025, 1, 1), "ref": ref, "x": 1e20},
    )
    entry.refresh_from_db()
    assert entry.after == {"fee": "12.50", "from": "2025-01-01", "ref": str(ref), "x": 1e20}
    assert audit_verify().ok


def test_it_verifies_entries_with_ipv6_addresses(county: Any) -> None:
    for ip in ["2001:DB8:0:0:0:0:0:1", "::ffff:10.0.0.1", "fe80::1"]:
        audit_record(action="x", actor=county.admin, object_type="", object_id="", ip=ip)
    assert list(AuditEntry.objects.order_by("id").values_list("ip", flat=True)) == [
        "2001:db8::1",
        "10.0.0.1",
        "fe80::1",
    ]
    assert audit_verify().ok


def test_it_records_in_the_callers_transaction(county: Any) -> None:
    kept = audit_record(action="a", actor=county.admin, object_type="t", object_id="1")
    with pytest.raises(RuntimeError), transaction.atomic():
        audit_record(action="b", actor=county.admin, object_type="t", object_id="2")
        raise RuntimeError("the case could not be accepted after all")
    assert list(AuditEntry.objects.values_list("action", flat=True)) == ["a"]
    after = audit_record(action="c", actor=county.admin, object_type="t", object_id="3")
    assert after.prev_hash == kept.hash
    assert audit_verify().ok


def test_it_rebuilds_a_lost_chain_head_from_the_last_entry(county: Any) -> None:
    last = audit_record(action="a", actor=county.admin, object_type="t", object_id="1")
    ChainHead.objects.all().delete()
    entry = audit_record(action="b", actor=county.admin, object_type="t", object_id="2")
    assert entry.prev_hash == last.hash
    assert audit_verify().ok


@pytest.mark.skipif(connection.vendor != "postgresql", reason="SQLite serialises writers itself")
@pytest.mark.django_db(transaction=True)
def test_it_never_forks_the_chain_when_appends_race() -> None:
    threads, each = 6, 15
    start = threading.Barrier(threads)
    failures: list[BaseException] = []

    def append(n: int) -> None:
        try:
            start.wait()
            for i in range(each):
                with transaction.atomic():
                    audit_record(action="race", actor=None, object_type="t", object_id=f"{n}-{i}")
        except BaseException as exc:  # reported below, in the test's thread
            failures.append(exc)
        finally:
            connections.close_all()

    workers = [threading.Thread(target=append, args=(n,)) for n in range(threads)]
    try:
        for w in workers:
            w.start()
        for w in workers:
            w.join()
        assert failures == []
        prevs = list(AuditEntry.objects.values_list("prev_hash", flat=True))
        assert len(prevs) == len(set(prevs)) == threads * each
        result = audit_verify()
        assert result.ok, result.message
        assert result.checked == threads * each
    finally:
        # A flush cannot empty a table that holds audit entries.
        sql("DELETE FROM audit_auditentry")


def test_it_records_a_visitor_who_is_not_signed_in(db: Any) -> None:
    request = RequestFactory().get("/kiosk/", REMOTE_ADDR="10.8.0.1")
    request.user = AnonymousUser()
    entry = audit_record(
        action="kiosk.query", actor=request.user, object_type="", object_id="",
        channel="kiosk", request=request,
    )  # fmt: skip
    assert (entry.actor_id, entry.actor_name, entry.channel) == (None, "未登录用户", "kiosk")


def test_it_refuses_an_over_long_action_on_every_database(county: Any) -> None:
    with pytest.raises(ValueError, match="action is longer than 64"):
        audit_record(action="x" * 65, actor=county.admin, object_type="t", object_id="1")
    assert not AuditEntry.objects.exists()
