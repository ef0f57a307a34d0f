"""None: the channel is off. Deliveries are marked skipped; the inbox still gets everything."""

from __future__ import annotations

from typing import ClassVar

from zhili.notify.backends import Skipped


class Backend:
    channels: ClassVar[frozenset[str]] = frozenset({"sms", "email"})

    def send_sms(self, phone: str, text: str) -> None:
        raise Skipped("短信未开通")

    def send_email(self, address: str, subject: str, body: str) -> None:
        raise Skipped("邮件未开通")
