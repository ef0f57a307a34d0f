"""Reading the audit trail: who may, the filtered list, and verifying the chain."""

from __future__ import annotations

import ipaddress
import json
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from typing import TYPE_CHECKING, Any

from django.db.models import Max, Min, Q, QuerySet
from django.utils import timezone

from zhili.accounts import pii
from zhili.accounts.models import Role
from zhili.audit import triggers
from zhili.audit.models import GENESIS, AuditEntry, ChainHead, Channel, entry_hash

if TYPE_CHECKING:
    from zhili.accounts.models import User

READER_ROLES = {Role.ADMIN, Role.LEADER}
_ROLE_LABELS = dict(Role.choices)
_CHANNEL_LABELS = dict(Channel.choices)


def can_read_audit(user: User) -> bool:
    """System administrators and county leaders (supervision) read the trail; nobody else."""
    return user.is_authenticated and (user.role in READER_ROLES or user.is_superuser)


# ---- the list ----


def audit_entries(
    *,
    action: str = "",
    actor: str = "",
    object_type: str = "",
    object_id: str = "",
    date_from: date | None = None,
    date_to: date | None = None,
) -> QuerySet[AuditEntry]:
    """Entries newest first; ``action`` matches as a prefix ("case." finds every case action)."""
    qs = AuditEntry.objects.order_by("-id")
    if action:
        qs = qs.filter(action__startswith=action.strip())
    if actor:
        actor = actor.strip()
        qs = qs.filter(Q(actor_name__icontains=actor) | Q(actor__username__iexact=actor))
    if object_type:
        qs = qs.filter(object_type=object_type.strip())
    if object_id:
        qs = qs.filter(object_id=object_id.strip())
    # Local calendar days as UTC ranges, so the index on ``at`` is used.
    if date_from:
        qs = qs.filter(at__gte=timezone.make_aware(datetime.combine(date_from, time.min)))
    if date_to:
        end = datetime.combine(date_to + timedelta(days=1), time.min)
        qs = qs.filter(at__lt=timezone.make_aware(end))
    return qs


def mask_ip(value: str | None) -> str:
    """192.168.1.* / 2001:db8:1:2::*: the network kept, the host hidden."""
    if not value:
        return ""
    try:
        address = ipaddress.ip_address(value)
    except ValueError:
        return "*"
    if address.version == 4:
        return ".".join(str(address).split(".")[:3]) + ".*"
    return ":".join(address.exploded.split(":")[:4]) + "::*"


def _pretty(data: Any) -> str:
    if data is None:
        return ""
    if isinstance(data, dict):
        # Masked again on the way out: entries written before a key was
        # recognised as personal are not shown in clear either.
        data = pii.redact(data)
    return json.dumps(data, ensure_ascii=False, indent=1, sort_keys=True)


@dataclass(frozen=True)
class AuditRow:
    entry: AuditEntry
    role: str
    channel: str
    ip: str
    before: str
    after: str


def audit_rows(entries: Any) -> list[AuditRow]:
    """What the page shows of each entry: masked address and data."""
    return [
        AuditRow(
            entry=e,
            role=_ROLE_LABELS.get(e.role, e.role),
            channel=_CHANNEL_LABELS.get(e.channel, e.channel),
            ip=mask_ip(e.ip),
            before=_pretty(e.before),
            after=_pretty(e.after),
        )
        for e in entries
    ]


# ---- verifying the chain ----


@dataclass
class VerifyResult:
    ok: bool
    checked: int
    first_broken_id: int | None = None
    problem: str = ""
    warnings: list[str] = field(default_factory=list)
    # The last entry that checked out: keep its hash somewhere else (an
    # operator's log, a signed mail) and a rewrite of the whole chain shows too.
    last_id: int | None = None
    last_hash: str = ""

    @property
    def message(self) -> str:
        if self.ok:
            return f"审计链完整：共校验 {self.checked} 条记录，未发现篡改。"
        where = f"（第一处问题在 #{self.first_broken_id}）" if self.first_broken_id else ""
        return f"审计链已损坏{where}：{self.problem}"


_FIELDS = (
    "id",
    "prev_hash",
    "hash",
    "at",
    "actor_id",
    "actor_name",
    "role",
    "channel",
    "ip",
    "action",
    "object_type",
    "object_id",
    "summary",
    "before",
    "after",
    "reason",
)


def audit_verify(
    *, batch_size: int = 5000, progress: Callable[[int], None] | None = None
) -> VerifyResult:
    """Walk the chain in id order and report the first broken link.

    A hash that does not match its entry means the entry was changed (内容被修改);
    a prev_hash that does not match the entry before means entries between
    were deleted, or the one before was rewritten along with its hash
    (链条断开). The chain head catches deleted entries at the end.
    Entries appended while this runs are left for the next run.
    """
    result = _walk(batch_size, progress)
    if triggers.missing():
        result.warnings.append(
            "数据库中缺少防篡改触发器，审计表可被直接改写；"
            "请依次运行 migrate audit 0001 和 migrate audit 重新安装。"
        )
    return result


def _broken(checked: int, entry_id: int | None, problem: str) -> VerifyResult:
    return VerifyResult(ok=False, checked=checked, first_broken_id=entry_id, problem=problem)


def _walk(batch_size: int, progress: Callable[[int], None] | None) -> VerifyResult:
    # The bounds first, then the head: an append moves the head in the same
    # transaction, so every entry counted here is at or below the head read next.
    bounds = AuditEntry.objects.aggregate(first=Min("id"), last=Max("id"))
    head = ChainHead.objects.filter(pk=1).values_list("last_id", "last_hash").first()
    # Entries appended after the head was read are left for the next run.
    end = (head[0] or 0) if head is not None else (bounds["last"] or 0)
    rows = AuditEntry.objects.order_by("id").values_list(*_FIELDS)
    checked, prev_id, prev_hash = 0, None, GENESIS
    low = (bounds["first"] or 1) - 1
    while low < end:
        # Windows of ids rather than LIMIT: an index range scan on every
        # database, whatever the planner's statistics say, and no cursor held.
        high = min(low + batch_size, end)
        batch = list(rows.filter(id__gt=low, id__lte=high))
        low = high
        for row in batch:
            entry_id, stored_prev, stored_hash, at, actor_id, *rest = row
            if stored_prev != prev_hash:
                after = f"上一条（#{prev_id}）" if prev_id else "链首"
                return _broken(
                    checked,
                    entry_id,
                    f"链条断开：#{entry_id} 记录的前序哈希与{after}不符，"
                    "其间的记录被删除，或上一条记录连同哈希被改写。",
                )
            name, role, channel, ip, action, otype, oid, summary, before, after_, reason = rest
            computed = entry_hash(
                prev_hash=stored_prev,
                at=at,
                actor_id=actor_id,
                actor_name=name,
                role=role,
                channel=channel,
                ip=ip,
                action=action,
                object_type=otype,
                object_id=oid,
                summary=summary,
                before=before,
                after=after_,
                reason=reason,
            )
            if computed != stored_hash:
                return _broken(
                    checked, entry_id, f"内容被修改：#{entry_id} 记录的内容与其哈希不符。"
                )
            checked += 1
            prev_id, prev_hash = entry_id, stored_hash
        if progress is not None and batch:
            progress(checked)

    if head is None:
        if checked and not ChainHead.objects.filter(pk=1).exists():
            return _broken(checked, None, "链头记录缺失，无法确认最新的记录是否被删除。")
    elif head[0] is not None and (prev_id != head[0] or prev_hash != head[1]):
        return _broken(
            checked,
            head[0],
            f"链条断开：链头指向 #{head[0]}，但日志止于 "
            f"{'#' + str(prev_id) if prev_id else '空'}，最新的记录被删除或改写。",
        )
    if bounds["last"] is not None and bounds["last"] > end:
        stray = AuditEntry.objects.filter(id__gt=end).order_by("id").values_list("id", flat=True)
        first_stray = stray.first()
        return _broken(
            checked,
            first_stray,
            f"#{first_stray} 起的记录不在链上：它们绕过了 audit_record，被直接写入数据库。",
        )
    return VerifyResult(ok=True, checked=checked, last_id=prev_id, last_hash=prev_hash)
