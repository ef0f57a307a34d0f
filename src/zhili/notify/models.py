"""The in-app inbox, and a record of every SMS and email sent from it."""

from __future__ import annotations

from typing import cast

from django.conf import settings
from django.db import models
from django.utils import timezone

from zhili.accounts import pii
from zhili.conf import ConfigError
from zhili.notify import backends


class Notification(models.Model):
    """One message in a person's inbox; ``recipient`` is empty for applicants without an account."""

    recipient = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="notifications",
        verbose_name="接收人",
        db_index=False,  # the (recipient, read_at) index starts with it
    )
    kind = models.CharField("类别", max_length=64)  # "case.accepted", "rating.rectify" …
    title = models.CharField("标题", max_length=200)
    body = models.TextField("内容", blank=True)
    link = models.CharField("链接", max_length=300, blank=True)  # a path on this site
    created_at = models.DateTimeField("时间", default=timezone.now)
    read_at = models.DateTimeField("已读时间", null=True, blank=True)

    class Meta:
        verbose_name = verbose_name_plural = "站内消息"
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["recipient", "read_at"], name="notify_inbox_unread")]

    def __str__(self) -> str:
        return self.title

    @property
    def is_read(self) -> bool:
        return self.read_at is not None


class Channel(models.TextChoices):
    SMS = "sms", "短信"
    EMAIL = "email", "邮件"


class Status(models.TextChoices):
    PENDING = "pending", "待发送"
    SENT = "sent", "已发送"
    FAILED = "failed", "发送失败"
    SKIPPED = "skipped", "未发送"


class Delivery(models.Model):
    """One SMS or email of a notification, and how sending it went.

    ``address`` is masked (138****5678) for people reading the table; the full
    address is kept only encrypted in ``address_sealed`` until it is sent.
    """

    notification = models.ForeignKey(
        Notification, on_delete=models.CASCADE, related_name="deliveries", verbose_name="消息"
    )
    channel = models.CharField("渠道", max_length=8, choices=Channel.choices)
    address = models.CharField("地址（脱敏）", max_length=254)
    address_sealed = models.TextField("地址（加密）", blank=True, editable=False)
    backend = models.CharField("发送方式", max_length=32)
    status = models.CharField("状态", max_length=8, choices=Status.choices, default=Status.PENDING)
    error = models.TextField("错误", blank=True)
    attempts = models.PositiveSmallIntegerField("尝试次数", default=0)
    created_at = models.DateTimeField("创建时间", default=timezone.now)
    sent_at = models.DateTimeField("发送时间", null=True, blank=True)

    class Meta:
        verbose_name = verbose_name_plural = "短信与邮件"
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return f"{self.get_channel_display()} {self.address}"

    @classmethod
    def for_address(cls, notification: Notification, channel: str, address: str) -> Delivery:
        """An unsaved, pending delivery of ``notification`` to ``address``."""
        return cls(
            notification=notification,
            channel=channel,
            address=mask_address(address),
            address_sealed=pii.encrypt(address),
            backend=backends.configured_name(cast(backends.Channel, channel)),
        )

    def full_address(self) -> str:
        """The address to send to; empty once sent (or never sealed)."""
        try:
            return pii.decrypt(self.address_sealed)
        except pii.InvalidToken as exc:
            raise ConfigError(
                "cannot decrypt a delivery address: was a key removed from ZHILI_PII_KEYS?"
            ) from exc


def mask_address(address: str) -> str:
    """138****5678 for a phone, wa***@example.com for an email; never the whole thing."""
    address = address.strip()
    if "@" in address:
        local, _, domain = address.rpartition("@")
        return f"{local[:2]}***@{domain}"
    digits = "".join(ch for ch in address if ch.isdigit())
    if len(digits) > 11 and digits.startswith(("86", "0086")):
        digits = digits.removeprefix("00").removeprefix("86")
    return pii.mask_phone(digits)
