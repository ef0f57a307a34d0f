"""Console: print what would be sent. For development and the demo; sends nothing."""

from __future__ import annotations

import sys
from typing import ClassVar

from zhili.notify.models import mask_address


class Backend:
    channels: ClassVar[frozenset[str]] = frozenset({"sms", "email"})

    # Worker output ends up in logs; the default backend must not put whole numbers there.
    def send_sms(self, phone: str, text: str) -> None:
        self._write(f"[短信] 发往 {mask_address(phone)}\n{text}\n")

    def send_email(self, address: str, subject: str, body: str) -> None:
        self._write(f"[邮件] 发往 {mask_address(address)}\n主题：{subject}\n\n{body}\n")

    def _write(self, text: str) -> None:
        sys.stdout.write(text + "-" * 40 + "\n")
        sys.stdout.flush()
