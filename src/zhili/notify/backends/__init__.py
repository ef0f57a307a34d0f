"""Where SMS and email leave zhili: one folder per backend, all of the same shape.

A backend is a package ``zhili/notify/backends/<name>/`` whose ``__init__.py``
defines ``class Backend`` (see the protocol below). ``ZHILI_SMS_BACKEND`` and
``ZHILI_EMAIL_BACKEND`` name the folder to use; ``load`` finds it at the
first delivery, so a misspelt name fails the job loudly instead of the
business action that queued it. docs/notifications.md says how to add one.
"""

from __future__ import annotations

import importlib
import pkgutil
import re
from typing import ClassVar, Literal, Protocol, cast

from django.conf import settings

from zhili.conf import ConfigError

Channel = Literal["sms", "email"]

SETTING = {"sms": "ZHILI_SMS_BACKEND", "email": "ZHILI_EMAIL_BACKEND"}
_NAME = re.compile(r"[a-z][a-z0-9_]*")


class Skipped(Exception):
    """Raised by a backend that deliberately sends nothing: the delivery is skipped, not failed."""


class BackendNotFound(ConfigError):
    """The setting names no backend folder, or one that cannot send on that channel."""


class Backend(Protocol):
    """What every ``backends/<name>/__init__.py`` defines as ``class Backend``.

    ``channels`` says which of the two methods work; the other may raise
    NotImplementedError. Any other exception is a failed attempt, retried by
    the worker; raise ``Skipped`` to send nothing on purpose.
    """

    channels: ClassVar[frozenset[str]]

    def send_sms(self, phone: str, text: str) -> None: ...

    def send_email(self, address: str, subject: str, body: str) -> None: ...


def available() -> list[str]:
    """The backend folders that exist."""
    return sorted(m.name for m in pkgutil.iter_modules(__path__) if m.ispkg)


def configured_name(channel: Channel) -> str:
    return str(getattr(settings, SETTING[channel]))


def load(channel: Channel) -> Backend:
    """A fresh instance of the backend configured for ``channel``."""
    name = configured_name(channel)
    setting = SETTING[channel]
    if not _NAME.fullmatch(name) or name not in available():
        raise BackendNotFound(
            f"{setting}={name!r} names no folder under zhili/notify/backends/ "
            f"(there are: {', '.join(available())})"
        )
    module = importlib.import_module(f"{__name__}.{name}")
    cls = getattr(module, "Backend", None)
    if cls is None:
        raise BackendNotFound(
            f"{setting}={name!r}: zhili/notify/backends/{name}/ has no class Backend"
        )
    if channel not in cls.channels:
        raise BackendNotFound(f"{setting}={name!r}: that backend cannot send {channel}")
    return cast(Backend, cls())
