"""The admin's view of deliveries: masked addresses, and a way to send a failed one again."""

from __future__ import annotations

from typing import Any

import pytest
from django.test import Client

from zhili.accounts.models import User
from zhili.notify.models import Delivery
from zhili.notify.services import notify

PHONE = "13812345678"


@pytest.fixture
def operator(county: Any) -> Client:
    user = User.objects.create_superuser("operator", password="pw-operator")
    client = Client()
    client.force_login(user)
    return client


def _failed_sms() -> Delivery:
    delivery = notify(phone=PHONE, kind="case.accepted", title="已受理", body="").deliveries.get()
    delivery.status, delivery.attempts = "failed", 3
    delivery.save(update_fields=["status", "attempts"])
    return delivery


def test_it_lists_deliveries_without_the_full_number(operator: Client) -> None:
    delivery = _failed_sms()
    for url in (
        "/admin/notify/delivery/",
        f"/admin/notify/delivery/{delivery.pk}/change/",
        f"/admin/notify/notification/{delivery.notification_id}/change/",
    ):
        response = operator.get(url)
        assert response.status_code == 200, url
        html = response.content.decode()
        assert "138****5678" in html
        assert PHONE not in html
        assert delivery.address_sealed not in html


def test_it_queues_a_failed_delivery_again(
    operator: Client, monkeypatch: Any, django_capture_on_commit_callbacks: Any
) -> None:
    queued: list[tuple[Any, ...]] = []
    monkeypatch.setattr("django_q.tasks.async_task", lambda func, *args: queued.append(args))
    failed, sent = _failed_sms(), _failed_sms()
    sent.status = "sent"
    sent.save(update_fields=["status"])
    with django_capture_on_commit_callbacks(execute=True):
        response = operator.post(
            "/admin/notify/delivery/",
            {"action": "retry", "_selected_action": [failed.pk, sent.pk]},
        )
    assert response.status_code == 302
    assert queued == [(failed.pk,)]
    failed.refresh_from_db()
    assert failed.status == "pending"
