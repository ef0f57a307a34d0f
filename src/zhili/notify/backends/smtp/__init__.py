"""SMTP: email through Django's ``send_mail`` (``EMAIL_HOST``, ``DEFAULT_FROM_EMAIL`` …)."""

from __future__ import annotations

from typing import ClassVar

from django.conf import settings
from django.core.mail import send_mail


class Backend:
    channels: ClassVar[frozenset[str]] = frozenset({"email"})

    def send_sms(self, phone: str, text: str) -> None:
        raise NotImplementedError("smtp sends email only")

    def send_email(self, address: str, subject: str, body: str) -> None:
        # A header may not span lines; a title pasted with a newline would break the message.
        subject = " ".join(subject.split())
        send_mail(subject, body, settings.DEFAULT_FROM_EMAIL, [address], fail_silently=False)
