"""audit_verify: after ten days of 张伟's work, someone with database access edits the
trail. The walk names the first entry that no longer fits."""

from __future__ import annotations

import io
import json
from typing import Any

import pytest
from django.core.management import call_command

from tests.audit.tamper import sql
from zhili.audit import triggers
from zhili.audit.models import AuditEntry, ChainHead
from zhili.audit.selectors import audit_verify
from zhili.audit.services import audit_record


@pytest.fixture
def trail(county: Any) -> list[AuditEntry]:
    return [
        audit_record(
            action="case.accept",
            actor=county.zhangwei,
            object_type="case",
            object_id=f"QX{n:04d}",
            summary=f"受理第{n}件",
            after={"status": "in_progress", "n": n},
            channel="window",
        )
        for n in range(1, 11)
    ]


def test_it_passes_an_empty_trail(db: Any) -> None:
    result = audit_verify()
    assert (result.ok, result.checked, result.first_broken_id) == (True, 0, None)


def test_it_passes_an_untouched_trail_in_small_batches(trail: list[AuditEntry]) -> None:
    seen: list[int] = []
    result = audit_verify(batch_size=3, progress=seen.append)
    assert (result.ok, result.checked) == (True, 10)
    assert (result.last_id, result.last_hash) == (trail[-1].id, trail[-1].hash)
    assert seen == [3, 6, 9, 10]
    assert "共校验 10 条" in result.message


def test_it_finds_a_changed_summary(trail: list[AuditEntry]) -> None:
    sql("UPDATE audit_auditentry SET summary = '没有受理' WHERE id = %s", [trail[4].id])
    result = audit_verify(batch_size=3)
    assert (result.ok, result.first_broken_id, result.checked) == (False, trail[4].id, 4)
    assert "内容被修改" in result.problem


def test_it_finds_changed_data(trail: list[AuditEntry]) -> None:
    changed = json.dumps({"status": "concluded", "n": 7})
    sql("UPDATE audit_auditentry SET after = %s WHERE id = %s", [changed, trail[6].id])
    result = audit_verify()
    assert (result.ok, result.first_broken_id) == (False, trail[6].id)
    assert "内容被修改" in result.problem


def test_it_finds_a_changed_actor(trail: list[AuditEntry], county: Any) -> None:
    sql("UPDATE audit_auditentry SET actor_id = %s WHERE id = %s", [county.lina.id, trail[2].id])
    assert audit_verify().first_broken_id == trail[2].id


def test_it_finds_a_deleted_entry_in_the_middle(trail: list[AuditEntry]) -> None:
    sql("DELETE FROM audit_auditentry WHERE id = %s", [trail[5].id])
    result = audit_verify(batch_size=4)
    assert (result.ok, result.first_broken_id) == (False, trail[6].id)
    assert "链条断开" in result.problem
    assert f"上一条（#{trail[4].id}）" in result.problem


def test_it_finds_a_deleted_first_entry(trail: list[AuditEntry]) -> None:
    sql("DELETE FROM audit_auditentry WHERE id = %s", [trail[0].id])
    result = audit_verify()
    assert (result.ok, result.first_broken_id) == (False, trail[1].id)
    assert "链首" in result.problem


def test_it_finds_deleted_latest_entries(trail: list[AuditEntry]) -> None:
    sql("DELETE FROM audit_auditentry WHERE id >= %s", [trail[8].id])
    result = audit_verify()
    assert (result.ok, result.checked, result.first_broken_id) == (False, 8, trail[9].id)
    assert "最新的记录被删除" in result.problem


def test_it_finds_an_entry_rewritten_with_a_fresh_hash(trail: list[AuditEntry]) -> None:
    forged = AuditEntry.objects.get(pk=trail[3].id)
    forged.summary = "没有受理"
    sql(
        "UPDATE audit_auditentry SET summary = %s, hash = %s WHERE id = %s",
        [forged.summary, forged.compute_hash(), forged.id],
    )
    result = audit_verify()
    assert (result.ok, result.first_broken_id) == (False, trail[4].id)
    assert "链条断开" in result.problem


def test_it_reports_only_the_first_break(trail: list[AuditEntry]) -> None:
    sql(
        "UPDATE audit_auditentry SET summary = 'x' WHERE id IN (%s, %s)", [trail[7].id, trail[2].id]
    )
    assert audit_verify().first_broken_id == trail[2].id


def test_it_notices_a_lost_chain_head(trail: list[AuditEntry]) -> None:
    ChainHead.objects.all().delete()
    result = audit_verify()
    assert (result.ok, result.checked) == (False, 10)
    assert "链头" in result.problem


def test_it_warns_when_the_triggers_are_gone(trail: list[AuditEntry]) -> None:
    with triggers.suspended():
        result = audit_verify()
    assert result.ok
    assert "触发器" in result.warnings[0]
    assert audit_verify().warnings == []


def test_its_command_says_the_trail_is_whole(trail: list[AuditEntry]) -> None:
    out = io.StringIO()
    call_command("audit_verify", stdout=out, stderr=io.StringIO())
    assert "审计链完整：共校验 10 条记录" in out.getvalue()
    assert f"最新记录 #{trail[-1].id}，哈希 {trail[-1].hash}" in out.getvalue()


def test_its_command_exits_1_and_says_where_it_broke(trail: list[AuditEntry]) -> None:
    sql("DELETE FROM audit_auditentry WHERE id = %s", [trail[5].id])
    err = io.StringIO()
    with pytest.raises(SystemExit) as exc:
        call_command("audit_verify", "--batch-size", "2", stdout=io.StringIO(), stderr=err)
    assert exc.value.code == 1
    assert f"第一处问题在 #{trail[6].id}" in err.getvalue()
    assert "链条断开" in err.getvalue()


def test_it_finds_entries_slipped_in_past_the_chain(trail: list[AuditEntry]) -> None:
    forged = AuditEntry(
        at=trail[-1].at, action="case.conclude", object_type="case", object_id="QX0001",
        prev_hash=trail[-1].hash,
    )  # fmt: skip
    forged.hash = forged.compute_hash()
    forged.save()  # straight to the table, not through audit_record
    result = audit_verify()
    assert (result.ok, result.checked, result.first_broken_id) == (False, 10, forged.id)
    assert "绕过了 audit_record" in result.problem
