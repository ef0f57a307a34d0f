"""Writing to the audit trail: ``audit_record``, the one way an entry is made."""

from __future__ import annotations

import ipaddress
import json
from typing import TYPE_CHECKING, Any

from django.core.serializers.json import DjangoJSONEncoder
from django.db import IntegrityError, transaction
from django.db.models import Field
from django.http import HttpRequest
from django.utils import timezone

from zhili.accounts import pii
from zhili.audit.models import GENESIS, AuditEntry, ChainHead, Channel

if TYPE_CHECKING:
    from django.contrib.auth.models import AnonymousUser

    from zhili.accounts.models import User

SYSTEM_NAME = "系统"
ANONYMOUS_NAME = "未登录用户"


def _json(data: dict[str, Any] | None) -> Any:
    """Redacted, and JSON-native (dates, decimals, UUIDs as strings): what is stored is what is hashed."""
    if data is None:
        return None
    return json.loads(json.dumps(pii.redact(data), cls=DjangoJSONEncoder))


def _ip(value: str | None) -> str | None:
    """The address as the database will give it back, or None if it is not one."""
    if not value:
        return None
    try:
        address = ipaddress.ip_address(value.strip())
    except ValueError:
        return None
    if isinstance(address, ipaddress.IPv6Address) and address.ipv4_mapped:
        return str(address.ipv4_mapped)
    return str(address)


def _clip(text: str, limit: int) -> str:
    return text if len(text) <= limit else text[: limit - 1] + "…"


def _check_lengths(**values: str) -> None:
    # SQLite would store an over-long value that PostgreSQL refuses: refuse it on both.
    for name, value in values.items():
        field = AuditEntry._meta.get_field(name)
        limit = field.max_length if isinstance(field, Field) and field.max_length else 0
        if len(value) > limit:
            raise ValueError(f"audit_record: {name} is longer than {limit} characters: {value!r}")


def _locked_head() -> ChainHead:
    """The chain head, locked until the caller's transaction ends.

    The first append (or one after the row was lost) creates it from the last
    entry; two transactions racing to do so both end up locking the one row.
    """
    head = ChainHead.objects.select_for_update().filter(pk=1).first()
    if head is not None:
        return head
    last = AuditEntry.objects.order_by("-id").values_list("id", "hash").first()
    try:
        with transaction.atomic():
            ChainHead.objects.create(
                pk=1,
                last_id=last[0] if last else None,
                last_hash=last[1] if last else GENESIS,
            )
    except IntegrityError:
        pass  # another transaction made it first; lock theirs
    return ChainHead.objects.select_for_update().get(pk=1)


def audit_record(
    *,
    action: str,
    actor: User | AnonymousUser | None,
    object_type: str,
    object_id: str,
    summary: str = "",
    before: dict[str, Any] | None = None,
    after: dict[str, Any] | None = None,
    reason: str = "",
    channel: str = "",
    ip: str | None = None,
    request: HttpRequest | None = None,
) -> AuditEntry:
    """Append one entry to the chain, inside the caller's transaction.

    Personal data in ``before``/``after``, ``summary`` and ``reason`` is masked
    (``pii.redact``) before it is stored. ``request`` supplies the client
    address when ``ip`` is not given. With no actor, the entry is the system's;
    ``request.user`` of a visitor who is not signed in is recorded as such.
    """
    _check_lengths(
        action=action, object_type=object_type, object_id=str(object_id), channel=channel
    )
    if ip is None and request is not None:
        ip = request.META.get("REMOTE_ADDR")
    actor_id: int | None = None
    if actor is not None and actor.is_authenticated:
        actor_id, actor_name, role = actor.pk, _clip(str(actor), 64), actor.role
    elif actor is not None:  # request.user of someone not signed in
        actor_name, role = ANONYMOUS_NAME, ""
    else:
        actor_name, role = SYSTEM_NAME, ""
        channel = channel or Channel.SYSTEM
    entry = AuditEntry(
        actor_id=actor_id,
        actor_name=actor_name,
        role=role,
        channel=str(channel),
        ip=_ip(ip),
        action=action,
        object_type=object_type,
        object_id=str(object_id),
        summary=pii.redact_text(summary),
        before=_json(before),
        after=_json(after),
        reason=pii.redact_text(reason),
    )
    # No savepoint inside a caller's transaction: the entry lives or dies with it.
    with transaction.atomic(savepoint=False):
        head = _locked_head()
        # Taken under the lock, so time never runs backwards along the chain.
        entry.at = timezone.now()
        entry.prev_hash = head.last_hash
        entry.hash = entry.compute_hash()
        entry.save()
        head.last_id = entry.id
        head.last_hash = entry.hash
        head.save(update_fields=["last_id", "last_hash"])
    return entry
