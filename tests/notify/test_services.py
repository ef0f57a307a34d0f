"""What ``notify`` and ``notify_many`` write, and when they hand work to the worker."""

from __future__ import annotations

from typing import Any

import pytest
from django.db import transaction

from zhili.notify.models import Delivery, Notification, mask_address
from zhili.notify.services import notify, notify_many

PHONE = "13812345678"


@pytest.fixture
def queued(monkeypatch: Any) -> list[tuple[str, tuple[Any, ...]]]:
    """Jobs as django-q would receive them, recorded instead of queued."""
    calls: list[tuple[str, tuple[Any, ...]]] = []
    monkeypatch.setattr(
        "django_q.tasks.async_task", lambda func, *args, **kw: calls.append((func, args))
    )
    return calls


def test_it_puts_the_message_in_the_users_inbox(county: Any) -> None:
    n = notify(user=county.wangfang, kind="case.accepted", title="您的办件已受理", body="请留意")
    assert n.recipient == county.wangfang
    assert n.read_at is None
    assert list(Notification.objects.filter(recipient=county.wangfang)) == [n]
    assert not n.deliveries.exists()  # 王芳 has neither phone nor email on file


def test_it_stores_the_phone_masked_and_the_full_number_only_encrypted(
    county: Any, queued: list[Any], django_capture_on_commit_callbacks: Any
) -> None:
    with django_capture_on_commit_callbacks(execute=True):
        n = notify(phone=PHONE, kind="case.accepted", title="您的办件已受理", body="")
    delivery = n.deliveries.get()
    assert delivery.channel == "sms"
    assert delivery.address == "138****5678"
    assert delivery.backend == "console"
    assert delivery.status == "pending"
    assert PHONE not in delivery.address_sealed
    assert delivery.full_address() == PHONE
    # Only the id travels through the queue, whose tables keep a task's arguments.
    assert queued == [("zhili.notify.tasks.deliver", (delivery.pk,))]


def test_it_queues_nothing_until_the_transaction_commits(
    county: Any, queued: list[Any], django_capture_on_commit_callbacks: Any
) -> None:
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        with transaction.atomic():
            notify(phone=PHONE, kind="case.accepted", title="已受理", body="")
            assert queued == []
    assert len(callbacks) == 1
    assert len(queued) == 1


def test_it_queues_nothing_when_the_action_rolls_back(
    county: Any, queued: list[Any], django_capture_on_commit_callbacks: Any
) -> None:
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        with pytest.raises(RuntimeError), transaction.atomic():
            notify(phone=PHONE, kind="case.accepted", title="已受理", body="")
            raise RuntimeError("the case could not be accepted after all")
    assert callbacks == []
    assert queued == []
    assert not Notification.objects.exists()


def test_it_emails_a_user_who_has_an_email(
    county: Any, queued: list[Any], django_capture_on_commit_callbacks: Any
) -> None:
    county.zhangwei.email = "zhangwei@example.com"
    county.zhangwei.save(update_fields=["email"])
    with django_capture_on_commit_callbacks(execute=True):
        n = notify(user=county.zhangwei, kind="case.warning", title="办件即将超期", body="")
    delivery = n.deliveries.get()
    assert (delivery.channel, delivery.address) == ("email", "zh***@example.com")
    assert delivery.full_address() == "zhangwei@example.com"
    assert len(queued) == 1


def test_it_texts_and_emails_an_applicant_without_an_account(county: Any) -> None:
    n = notify(phone=PHONE, email="li@example.com", kind="case.accepted", title="已受理", body="")
    assert n.recipient is None
    assert sorted(n.deliveries.values_list("channel", flat=True)) == ["email", "sms"]


def test_it_refuses_a_notification_for_nobody(county: Any) -> None:
    with pytest.raises(ValueError, match="recipient"):
        notify(kind="case.accepted", title="已受理", body="")


@pytest.mark.parametrize("link", ["https://evil.example/", "//evil.example/", "cases/1/"])
def test_it_refuses_a_link_off_the_site(county: Any, link: str) -> None:
    with pytest.raises(ValueError, match="path on this site"):
        notify(user=county.wangfang, kind="case.accepted", title="已受理", body="", link=link)


def test_it_notifies_many_users_in_two_inserts(
    county: Any,
    queued: list[Any],
    django_capture_on_commit_callbacks: Any,
    django_assert_num_queries: Any,
) -> None:
    staff = [county.zhangwei, county.lina, county.sunli]
    county.lina.email = "lina@example.com"
    county.lina.save(update_fields=["email"])
    with django_capture_on_commit_callbacks(execute=True):
        # INSERT notifications, INSERT deliveries: no savepoint inside the caller's transaction
        with django_assert_num_queries(2):
            made = notify_many(staff, kind="rating.rectify", title="收到差评，请整改", body="")
    assert [n.recipient for n in made] == staff
    assert all(n.pk for n in made)
    delivery = Delivery.objects.get()
    assert delivery.notification.recipient == county.lina
    assert queued == [("zhili.notify.tasks.deliver", (delivery.pk,))]


@pytest.mark.parametrize(
    ("address", "masked"),
    [
        ("13812345678", "138****5678"),
        ("+86 138 1234 5678", "138****5678"),
        ("0571-88886666", "057*****6666"),
        ("12345", "*****"),
        ("110", "***"),
        ("wangfang@example.com", "wa***@example.com"),
    ],
)
def test_it_never_shows_a_whole_address(address: str, masked: str) -> None:
    assert mask_address(address) == masked
