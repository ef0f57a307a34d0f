"""What an intruder with database access might do, past the triggers."""

from __future__ import annotations

from typing import Any

from django.db import connection

from zhili.audit import triggers


def sql(statement: str, params: list[Any] | None = None) -> None:
    with triggers.suspended(), connection.cursor() as cursor:
        cursor.execute(statement, params or [])
