"""Nobody changes or removes an entry: not through the model, not through the database."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from django.db import IntegrityError, connection, transaction

from zhili.audit import triggers
from zhili.audit.models import AppendOnlyError, AuditEntry
from zhili.audit.services import audit_record


@pytest.fixture
def entry(county: Any) -> AuditEntry:
    return audit_record(
        action="case.accept", actor=county.zhangwei, object_type="case", object_id="1"
    )


def test_it_refuses_to_save_an_entry_again(entry: AuditEntry) -> None:
    entry.summary = "改写"
    with pytest.raises(AppendOnlyError):
        entry.save()
    with pytest.raises(AppendOnlyError):
        entry.save(update_fields=["summary"])


def test_it_refuses_to_delete_an_entry(entry: AuditEntry) -> None:
    with pytest.raises(AppendOnlyError):
        entry.delete()


@pytest.mark.parametrize("write", ["update", "delete", "bulk_update", "bulk_create"])
def test_its_manager_refuses_bulk_writes(entry: AuditEntry, write: str) -> None:
    calls: dict[str, Callable[[], object]] = {
        "update": lambda: AuditEntry.objects.filter(pk=entry.pk).update(summary="x"),
        "delete": lambda: AuditEntry.objects.all().delete(),
        "bulk_update": lambda: AuditEntry.objects.bulk_update([entry], ["summary"]),
        "bulk_create": lambda: AuditEntry.objects.bulk_create([AuditEntry(action="x")]),
    }
    with pytest.raises(AppendOnlyError):
        calls[write]()
    assert AuditEntry.objects.filter(pk=entry.pk, summary="").exists()


def test_it_has_its_triggers_after_migrating(db: Any) -> None:
    assert triggers.missing() == set()


@pytest.mark.parametrize(
    "statement",
    ["UPDATE audit_auditentry SET summary = 'x'", "DELETE FROM audit_auditentry"],
)
def test_its_database_refuses_raw_updates_and_deletes(entry: AuditEntry, statement: str) -> None:
    with pytest.raises(IntegrityError, match="append-only"), transaction.atomic():
        with connection.cursor() as cursor:
            cursor.execute(statement)
    assert AuditEntry.objects.filter(pk=entry.pk, summary="").exists()


@pytest.mark.skipif(connection.vendor != "postgresql", reason="SQLite has no TRUNCATE")
def test_its_database_refuses_to_truncate_a_trail_with_entries(entry: AuditEntry) -> None:
    with pytest.raises(IntegrityError, match="append-only"), transaction.atomic():
        with connection.cursor() as cursor:
            # The entry's deferred foreign-key check would block TRUNCATE first.
            cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
            cursor.execute("TRUNCATE audit_auditentry")
    assert AuditEntry.objects.filter(pk=entry.pk).exists()


def test_its_triggers_come_back_after_maintenance(entry: AuditEntry) -> None:
    with triggers.suspended():
        assert triggers.missing()
        with connection.cursor() as cursor:
            cursor.execute("UPDATE audit_auditentry SET summary = 'x'")
    assert triggers.missing() == set()
    assert AuditEntry.objects.get(pk=entry.pk).summary == "x"


def test_its_triggers_come_back_when_maintenance_fails(entry: AuditEntry) -> None:
    with pytest.raises(RuntimeError), triggers.suspended():
        raise RuntimeError
    assert triggers.missing() == set()
