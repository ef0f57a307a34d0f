"""Sending notifications: the inbox row now, SMS and email after commit."""

from __future__ import annotations

from collections.abc import Iterable

from django.db import transaction
from django.utils import timezone

from zhili.accounts.models import User
from zhili.jobs import enqueue
from zhili.notify.models import Channel, Delivery, Notification, Status

DELIVER = "zhili.notify.tasks.deliver"


@transaction.atomic(savepoint=False)
def notify(
    *,
    user: User | None = None,
    phone: str = "",
    email: str = "",
    kind: str,
    title: str,
    body: str,
    link: str = "",
) -> Notification:
    """Put a message in ``user``'s inbox and send it by SMS and email where there is an address.

    The user's own email is used when ``email`` is not given. SMS and email
    leave only after the caller's transaction commits, so a rolled-back
    action never texts anybody.
    """
    phone, email = phone.strip(), email.strip()
    if not email and user is not None:
        email = user.email.strip()
    if user is None and not phone and not email:
        raise ValueError("a notification needs a recipient: a user, a phone or an email")
    notification = Notification.objects.create(
        recipient=user, kind=kind, title=title, body=body, link=_checked_link(link)
    )
    deliveries = [
        Delivery.for_address(notification, channel, address)
        for channel, address in ((Channel.SMS, phone), (Channel.EMAIL, email))
        if address
    ]
    for delivery in Delivery.objects.bulk_create(deliveries):
        enqueue(DELIVER, delivery.pk)
    return notification


@transaction.atomic(savepoint=False)
def notify_many(
    users: Iterable[User], *, kind: str, title: str, body: str, link: str = ""
) -> list[Notification]:
    """The same message to many users: two INSERTs however many there are."""
    people = list(users)
    link = _checked_link(link)
    notifications = Notification.objects.bulk_create(
        Notification(recipient=u, kind=kind, title=title, body=body, link=link) for u in people
    )
    deliveries = Delivery.objects.bulk_create(
        Delivery.for_address(n, Channel.EMAIL, u.email.strip())
        for n, u in zip(notifications, people, strict=True)
        if u.email.strip()
    )
    for delivery in deliveries:
        enqueue(DELIVER, delivery.pk)
    return notifications


def notification_mark_read(*, user: User, notification_id: int) -> Notification:
    """Raises Notification.DoesNotExist for anybody else's notification."""
    notification = Notification.objects.get(pk=notification_id, recipient=user)
    if notification.read_at is None:
        notification.read_at = timezone.now()
        notification.save(update_fields=["read_at"])
    return notification


def notification_mark_all_read(*, user: User) -> int:
    """How many were unread."""
    return Notification.objects.filter(recipient=user, read_at__isnull=True).update(
        read_at=timezone.now()
    )


@transaction.atomic(savepoint=False)
def delivery_retry(*, delivery: Delivery) -> bool:
    """Queue a failed delivery again (after the worker gave up); False when it cannot be."""
    if delivery.status != Status.FAILED or not delivery.address_sealed:
        return False
    delivery.status = Status.PENDING
    delivery.save(update_fields=["status"])
    enqueue(DELIVER, delivery.pk)
    return True


def _checked_link(link: str) -> str:
    # The inbox redirects to it: only a path on this site, never another host.
    if link and (not link.startswith("/") or link.startswith("//")):
        raise ValueError(f"a notification link must be a path on this site, got {link!r}")
    return link
