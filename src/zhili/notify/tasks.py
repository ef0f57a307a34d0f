"""Jobs the worker runs for notifications."""

from __future__ import annotations

from typing import cast

from django.utils import timezone

from zhili.accounts import pii
from zhili.notify import backends
from zhili.notify.models import Channel, Delivery, Notification, Status


def deliver(delivery_id: int) -> None:
    """Send one SMS or email through the configured backend and record how it went.

    A failure is recorded and raised again, so django-q presents the job
    again (``retry``) until ``max_attempts``. The full address is forgotten
    once sent.
    """
    delivery = Delivery.objects.select_related("notification").get(pk=delivery_id)
    if delivery.status in {Status.SENT, Status.SKIPPED}:
        return  # a job presented again after it had finished must not send twice
    delivery.attempts += 1
    fields = ["status", "error", "attempts", "backend", "sent_at", "address_sealed"]
    channel = cast(backends.Channel, delivery.channel)
    try:
        delivery.backend = backends.configured_name(channel)
        backend = backends.load(channel)
        address = delivery.full_address()
        if not address:
            raise ValueError("the delivery has no address to send to")
        _send(backend, channel, address, delivery.notification)
    except backends.Skipped as exc:
        delivery.status, delivery.error = Status.SKIPPED, str(exc)
    except Exception as exc:
        # A gateway's message may quote the number it refused.
        error = pii.redact_text(f"{type(exc).__name__}: {exc}")
        delivery.status, delivery.error = Status.FAILED, error
        delivery.save(update_fields=fields)
        raise
    else:
        delivery.status, delivery.error, delivery.sent_at = Status.SENT, "", timezone.now()
    # 个人信息保护法 第19条: keep personal data no longer than the purpose needs.
    delivery.address_sealed = ""
    delivery.save(update_fields=fields)


def _send(
    backend: backends.Backend, channel: str, address: str, notification: Notification
) -> None:
    if channel == Channel.SMS:
        backend.send_sms(address, sms_text(notification))
    else:
        backend.send_email(address, notification.title, notification.body)


def sms_text(notification: Notification) -> str:
    """Title and body in one message; the SMS provider adds the signature (【…】)."""
    if not notification.body:
        return notification.title
    return f"{notification.title}：{notification.body}"
