"""The audit trail (审计日志): an append-only chain of entries, each hashing the one before.

Entries are only ever added, by ``zhili.audit.services.audit_record``. The model,
its manager and database triggers (migration 0002) refuse updates and deletes;
the hash chain makes any change that gets past them visible to ``audit_verify``.
"""

from __future__ import annotations

import hashlib
import json
from datetime import UTC, datetime
from typing import Any

from django.conf import settings
from django.db import models

GENESIS = "0" * 64  # the prev_hash of the first entry
_ENCODER = json.JSONEncoder(ensure_ascii=False, sort_keys=True, separators=(",", ":"))


class AppendOnlyError(Exception):
    """Raised on any attempt to change or remove an audit entry."""


class Channel(models.TextChoices):
    ONLINE = "online", "网上办"
    MOBILE = "mobile", "掌上办"
    KIOSK = "kiosk", "自助终端"
    WINDOW = "window", "窗口"
    VILLAGE_POINT = "village_point", "村级代办"
    API = "api", "接口"
    SYSTEM = "system", "系统"


class AuditQuerySet(models.QuerySet["AuditEntry"]):
    def update(self, **kwargs: Any) -> int:
        raise AppendOnlyError("审计日志只能追加，不能修改。")

    def delete(self) -> tuple[int, dict[str, int]]:
        raise AppendOnlyError("审计日志只能追加，不能删除。")

    def bulk_update(self, *args: Any, **kwargs: Any) -> int:
        raise AppendOnlyError("审计日志只能追加，不能修改。")

    def bulk_create(self, *args: Any, **kwargs: Any) -> list[AuditEntry]:
        # Bulk inserts would skip the chain: every entry goes through audit_record.
        raise AppendOnlyError("审计日志须逐条经 audit_record 写入。")


AuditManager = models.Manager.from_queryset(AuditQuerySet)


class AuditEntry(models.Model):
    """One thing someone did, in chain order (``id``)."""

    id = models.BigAutoField(primary_key=True)
    at = models.DateTimeField("时间")
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.PROTECT,  # people with a history are deactivated, never deleted
        related_name="+",
        verbose_name="操作人",
    )
    actor_name = models.CharField("操作人姓名", max_length=64, blank=True)
    role = models.CharField("角色", max_length=24, blank=True)
    # No ``choices``: other apps add channels; ``Channel`` only labels the known ones.
    channel = models.CharField("渠道", max_length=16, blank=True)
    ip = models.GenericIPAddressField("IP 地址", null=True, blank=True)
    action = models.CharField("操作", max_length=64)
    object_type = models.CharField("对象类型", max_length=64, blank=True)
    object_id = models.CharField("对象编号", max_length=64, blank=True)
    summary = models.TextField("摘要", blank=True)
    before = models.JSONField("变更前", null=True, blank=True)
    after = models.JSONField("变更后", null=True, blank=True)
    reason = models.TextField("事由", blank=True)
    prev_hash = models.CharField("前一条哈希", max_length=64)
    hash = models.CharField("哈希", max_length=64)

    objects = AuditManager()

    class Meta:
        ordering = ["-id"]
        indexes = [
            models.Index(fields=["object_type", "object_id"], name="audit_object_idx"),
            models.Index(fields=["at"], name="audit_at_idx"),
        ]
        verbose_name = "审计日志"
        verbose_name_plural = "审计日志"

    def __str__(self) -> str:
        return f"#{self.id} {self.action} {self.object_type}:{self.object_id}"

    def save(self, *args: Any, **kwargs: Any) -> None:
        if not self._state.adding or kwargs.get("force_update") or kwargs.get("update_fields"):
            raise AppendOnlyError("审计日志只能追加，不能修改。")
        super().save(*args, **kwargs)

    def delete(self, *args: Any, **kwargs: Any) -> tuple[int, dict[str, int]]:
        raise AppendOnlyError("审计日志只能追加，不能删除。")

    def compute_hash(self) -> str:
        return entry_hash(
            prev_hash=self.prev_hash,
            at=self.at,
            actor_id=self.actor_id,
            actor_name=self.actor_name,
            role=self.role,
            channel=self.channel,
            ip=self.ip,
            action=self.action,
            object_type=self.object_type,
            object_id=self.object_id,
            summary=self.summary,
            before=self.before,
            after=self.after,
            reason=self.reason,
        )


class ChainHead(models.Model):
    """The one row (id=1) every append locks: the last entry's id and hash."""

    id = models.PositiveSmallIntegerField(primary_key=True, default=1)
    last_id = models.BigIntegerField(null=True, blank=True)
    last_hash = models.CharField(max_length=64, default=GENESIS)

    class Meta:
        verbose_name = "审计链头"
        verbose_name_plural = "审计链头"

    def __str__(self) -> str:
        return f"#{self.last_id} {self.last_hash[:12]}"


def canonical_at(at: datetime) -> str:
    # One spelling on every database: UTC, always with microseconds.
    return at.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ")


def _canonical(value: Any) -> Any:
    # PostgreSQL's jsonb gives 1e20 back as 100000000000000000000: hash whole
    # floats as integers so the digest does not depend on the database.
    kind = type(value)
    if kind is float:
        return int(value) if value.is_integer() else value
    if kind is dict:
        return {k: _canonical(v) for k, v in value.items()}
    if kind is list:
        return [_canonical(v) for v in value]
    return value


def entry_hash(
    *,
    prev_hash: str,
    at: datetime,
    actor_id: int | None,
    actor_name: str,
    role: str,
    channel: str,
    ip: str | None,
    action: str,
    object_type: str,
    object_id: str,
    summary: str,
    before: Any,
    after: Any,
    reason: str,
) -> str:
    """sha256 (hex) of the canonical JSON of an entry's content and its predecessor's hash."""
    payload = [
        prev_hash,
        canonical_at(at),
        actor_id,
        actor_name,
        role,
        channel,
        ip,
        action,
        object_type,
        object_id,
        summary,
        _canonical(before),
        _canonical(after),
        reason,
    ]
    return hashlib.sha256(_ENCODER.encode(payload).encode()).hexdigest()
