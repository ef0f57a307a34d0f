"""Every folder under zhili/notify/backends has the shape the loader expects."""

from __future__ import annotations

import importlib
import inspect

import pytest

from zhili.notify import backends

SIGNATURES = {
    "send_sms": ["self", "phone", "text"],
    "send_email": ["self", "address", "subject", "body"],
}


def test_it_finds_the_shipped_backends() -> None:
    assert {"console", "none", "smtp"} <= set(backends.available())


@pytest.mark.parametrize("name", backends.available())
def test_it_finds_every_backend_in_shape(name: str) -> None:
    cls = importlib.import_module(f"zhili.notify.backends.{name}").Backend
    assert cls.channels and cls.channels <= {"sms", "email"}
    for method, params in SIGNATURES.items():
        assert list(inspect.signature(getattr(cls, method)).parameters) == params
    cls()  # made with no arguments for every delivery
