"""The worker's side: ``deliver`` sends through the configured backend and records how it went."""

from __future__ import annotations

from typing import Any

import pytest
from django.core import mail

from zhili.conf import ConfigError
from zhili.notify.models import Delivery
from zhili.notify.services import notify
from zhili.notify.tasks import deliver

PHONE = "13812345678"


def _sms(**kwargs: Any) -> Delivery:
    n = notify(
        phone=PHONE, kind="case.accepted", title="您的办件已受理", body="受理编号 QX-0001", **kwargs
    )
    return n.deliveries.get()


def test_it_prints_an_sms_through_the_console_backend(county: Any, capsys: Any) -> None:
    delivery = _sms()
    deliver(delivery.pk)
    out = capsys.readouterr().out
    assert "[短信] 发往 138****5678" in out
    assert "您的办件已受理：受理编号 QX-0001" in out
    assert PHONE not in out  # worker output ends up in logs
    delivery.refresh_from_db()
    assert delivery.status == "sent"
    assert delivery.attempts == 1
    assert delivery.sent_at is not None
    assert delivery.address_sealed == ""  # forgotten once sent


def test_it_emails_through_django_with_the_smtp_backend(county: Any, settings: Any) -> None:
    settings.ZHILI_EMAIL_BACKEND = "smtp"
    county.zhangwei.email = "zhangwei@example.com"
    county.zhangwei.save(update_fields=["email"])
    n = notify(user=county.zhangwei, kind="case.warning", title="办件即将超期\n", body="请尽快办理")
    delivery = n.deliveries.get()
    deliver(delivery.pk)
    assert [(m.to, m.subject, m.body) for m in mail.outbox] == [
        (["zhangwei@example.com"], "办件即将超期", "请尽快办理")
    ]
    delivery.refresh_from_db()
    assert (delivery.status, delivery.backend) == ("sent", "smtp")


def test_it_skips_a_channel_that_is_turned_off(county: Any, settings: Any) -> None:
    settings.ZHILI_SMS_BACKEND = "none"
    delivery = _sms()
    deliver(delivery.pk)
    delivery.refresh_from_db()
    assert (delivery.status, delivery.error, delivery.backend) == ("skipped", "短信未开通", "none")
    assert delivery.sent_at is None


def test_it_marks_a_failure_and_raises_so_the_worker_retries(county: Any, monkeypatch: Any) -> None:
    def broken(self: Any, phone: str, text: str) -> None:
        raise ConnectionError(f"短信网关拒收 {phone}")

    monkeypatch.setattr("zhili.notify.backends.console.Backend.send_sms", broken)
    delivery = _sms()
    with pytest.raises(ConnectionError):
        deliver(delivery.pk)
    delivery.refresh_from_db()
    assert delivery.status == "failed"
    assert delivery.error == "ConnectionError: 短信网关拒收 138****5678"
    assert delivery.attempts == 1
    assert delivery.full_address() == PHONE  # kept for the next attempt

    monkeypatch.undo()
    deliver(delivery.pk)  # django-q presents the job again
    delivery.refresh_from_db()
    assert (delivery.status, delivery.error, delivery.attempts) == ("sent", "", 2)


def test_it_does_not_send_twice(county: Any, capsys: Any) -> None:
    delivery = _sms()
    deliver(delivery.pk)
    deliver(delivery.pk)
    assert capsys.readouterr().out.count("[短信]") == 1
    delivery.refresh_from_db()
    assert delivery.attempts == 1


def test_it_names_an_unknown_backend_and_the_ones_there_are(county: Any, settings: Any) -> None:
    settings.ZHILI_SMS_BACKEND = "aliyun"
    delivery = _sms()
    with pytest.raises(ConfigError) as caught:
        deliver(delivery.pk)
    message = str(caught.value)
    assert message == (
        "ZHILI_SMS_BACKEND='aliyun' names no folder under zhili/notify/backends/ "
        "(there are: console, none, smtp)"
    )
    delivery.refresh_from_db()
    assert delivery.status == "failed"
    assert delivery.error == f"BackendNotFound: {message}"


def test_it_refuses_a_backend_that_cannot_send_on_the_channel(county: Any, settings: Any) -> None:
    settings.ZHILI_SMS_BACKEND = "smtp"
    delivery = _sms()
    with pytest.raises(ConfigError, match="ZHILI_SMS_BACKEND='smtp': that backend cannot send sms"):
        deliver(delivery.pk)


def test_it_refuses_a_backend_name_that_is_not_a_folder_name(county: Any, settings: Any) -> None:
    settings.ZHILI_SMS_BACKEND = "..console"
    with pytest.raises(ConfigError, match="names no folder"):
        deliver(_sms().pk)


def test_it_runs_through_the_real_worker(
    county: Any, settings: Any, monkeypatch: Any, capsys: Any,
    django_capture_on_commit_callbacks: Any,
) -> None:  # fmt: skip
    from django_q.conf import Conf
    from django_q.models import Task

    settings.Q_CLUSTER = {**settings.Q_CLUSTER, "sync": True}
    # django-q reads Q_CLUSTER once, at import; its Conf must hear of the change too.
    monkeypatch.setattr(Conf, "SYNC", True)
    with django_capture_on_commit_callbacks(execute=True):
        delivery = _sms()
    delivery.refresh_from_db()
    assert delivery.status == "sent"
    assert "[短信] 发往 138****5678" in capsys.readouterr().out
    task = Task.objects.get()
    assert (task.func, task.args, task.success) == (
        "zhili.notify.tasks.deliver",
        (delivery.pk,),
        True,
    )
