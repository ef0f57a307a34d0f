"""Database triggers that keep the audit table append-only, below the ORM.

Installed by migration 0002 on PostgreSQL and SQLite. Both raise an
integrity error on UPDATE or DELETE of a row of ``audit_auditentry``; on
PostgreSQL, TRUNCATE of a table that holds entries is refused too (an empty
table may be truncated, so a test database can still be flushed).

SQLite drops a table's triggers when Django rebuilds the table (most
``AlterField``/``AddField`` migrations do): a migration that changes
``AuditEntry`` must call ``install(schema_editor.connection)`` again after its
operations. ``audit_verify`` reports missing triggers.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

from django.db import DEFAULT_DB_ALIAS, connections, transaction
from django.db.backends.base.base import BaseDatabaseWrapper

TABLE = "audit_auditentry"
MESSAGE = "audit trail is append-only"

_POSTGRESQL_INSTALL = [
    f"""
    CREATE OR REPLACE FUNCTION zhili_audit_append_only() RETURNS trigger
    LANGUAGE plpgsql AS $$
    BEGIN
        RAISE EXCEPTION '{MESSAGE}' USING ERRCODE = 'restrict_violation';
    END
    $$
    """,
    f"""
    CREATE OR REPLACE FUNCTION zhili_audit_no_truncate() RETURNS trigger
    LANGUAGE plpgsql AS $$
    BEGIN
        IF EXISTS (SELECT 1 FROM {TABLE}) THEN
            RAISE EXCEPTION '{MESSAGE}' USING ERRCODE = 'restrict_violation';
        END IF;
        RETURN NULL;
    END
    $$
    """,
    f"""
    CREATE TRIGGER zhili_audit_append_only BEFORE UPDATE OR DELETE ON {TABLE}
    FOR EACH ROW EXECUTE FUNCTION zhili_audit_append_only()
    """,
    f"""
    CREATE TRIGGER zhili_audit_no_truncate BEFORE TRUNCATE ON {TABLE}
    FOR EACH STATEMENT EXECUTE FUNCTION zhili_audit_no_truncate()
    """,
]
_POSTGRESQL_REMOVE = [
    f"DROP TRIGGER IF EXISTS zhili_audit_append_only ON {TABLE}",
    f"DROP TRIGGER IF EXISTS zhili_audit_no_truncate ON {TABLE}",
    "DROP FUNCTION IF EXISTS zhili_audit_append_only()",
    "DROP FUNCTION IF EXISTS zhili_audit_no_truncate()",
]
_SQLITE_INSTALL = [
    f"""
    CREATE TRIGGER IF NOT EXISTS zhili_audit_no_update BEFORE UPDATE ON {TABLE}
    BEGIN SELECT RAISE(ABORT, '{MESSAGE}'); END
    """,
    f"""
    CREATE TRIGGER IF NOT EXISTS zhili_audit_no_delete BEFORE DELETE ON {TABLE}
    BEGIN SELECT RAISE(ABORT, '{MESSAGE}'); END
    """,
]
_SQLITE_REMOVE = [
    "DROP TRIGGER IF EXISTS zhili_audit_no_update",
    "DROP TRIGGER IF EXISTS zhili_audit_no_delete",
]
_NAMES = {
    "postgresql": {"zhili_audit_append_only", "zhili_audit_no_truncate"},
    "sqlite": {"zhili_audit_no_update", "zhili_audit_no_delete"},
}


def _run(connection: BaseDatabaseWrapper, statements: list[str]) -> None:
    with connection.cursor() as cursor:
        for sql in statements:
            cursor.execute(sql)


def install(connection: BaseDatabaseWrapper) -> None:
    """Create the triggers (again); other databases get none."""
    if connection.vendor == "postgresql":
        _run(connection, [*_POSTGRESQL_REMOVE[:2], *_POSTGRESQL_INSTALL])
    elif connection.vendor == "sqlite":
        _run(connection, _SQLITE_INSTALL)


def remove(connection: BaseDatabaseWrapper) -> None:
    if connection.vendor == "postgresql":
        _run(connection, _POSTGRESQL_REMOVE)
    elif connection.vendor == "sqlite":
        _run(connection, _SQLITE_REMOVE)


def missing(using: str = DEFAULT_DB_ALIAS) -> set[str]:
    """The names of expected triggers that the database does not have."""
    connection = connections[using]
    expected = _NAMES.get(connection.vendor, set())
    if not expected:
        return set()
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute(
                "SELECT tgname FROM pg_trigger WHERE tgrelid = %s::regclass AND NOT tgisinternal",
                [TABLE],
            )
        else:
            cursor.execute(
                "SELECT name FROM sqlite_master WHERE type = 'trigger' AND tbl_name = %s", [TABLE]
            )
        present = {row[0] for row in cursor.fetchall()}
    return expected - present


@contextmanager
def suspended(using: str = DEFAULT_DB_ALIAS) -> Iterator[None]:
    """Lift the triggers inside one transaction, for tests and deliberate maintenance.

    DDL is transactional on both databases, so the triggers are back when the
    block ends, whether it commits or not. The hash chain still shows anything
    changed meanwhile.
    """
    connection = connections[using]
    with transaction.atomic(using=using):
        remove(connection)
        yield
        install(connection)
