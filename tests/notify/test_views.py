"""王芳's inbox: her notifications, newest first, and nobody else's."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
from django.test import Client
from django.utils import timezone

from zhili.notify.models import Notification
from zhili.notify.services import notify


def _signed_in(user: Any, **kwargs: Any) -> Client:
    client = Client(**kwargs)
    client.force_login(user)
    return client


def _note(user: Any, title: str, **kwargs: Any) -> Notification:
    return notify(user=user, kind="case.accepted", title=title, body="", **kwargs)


def test_it_sends_visitors_to_sign_in(county: Any) -> None:
    response = Client().get("/inbox/")
    assert response.status_code == 302
    assert response["Location"] == "/accounts/login/?next=/inbox/"


def test_it_shows_only_her_own_notifications_newest_first(county: Any) -> None:
    older = _note(county.wangfang, "材料已补正")
    older.created_at = timezone.now() - timedelta(days=1)
    older.read_at = timezone.now()
    older.save(update_fields=["created_at", "read_at"])
    _note(county.wangfang, "您的办件已办结", link="/cases/1/")
    _note(county.zhangwei, "张伟的待办提醒")
    page = _signed_in(county.wangfang).get("/inbox/")
    assert page.status_code == 200
    assert [n.title for n in page.context["page"]] == ["您的办件已办结", "材料已补正"]
    html = page.content.decode()
    assert "张伟的待办提醒" not in html
    assert html.count('class="hit inbox-item inbox-item--unread"') == 1
    assert html.count('class="hit inbox-item"') == 1
    assert 'href="/cases/1/"' in html


def test_it_pages_a_long_inbox(county: Any) -> None:
    for i in range(25):
        _note(county.wangfang, f"消息 {i}")
    client = _signed_in(county.wangfang)
    first = client.get("/inbox/")
    assert len(first.context["page"]) == 20
    assert "下一页" in first.content.decode()
    assert len(client.get("/inbox/?page=2").context["page"]) == 5
    assert len(client.get("/inbox/?page=abc").context["page"]) == 20


def test_it_marks_one_read(county: Any) -> None:
    n = _note(county.wangfang, "您的办件已受理")
    other = _note(county.wangfang, "请补正材料")
    response = _signed_in(county.wangfang).post(f"/inbox/{n.pk}/read")
    assert response.status_code == 302
    assert response["Location"] == "/inbox/"
    n.refresh_from_db()
    other.refresh_from_db()
    assert n.read_at is not None
    assert other.read_at is None


def test_it_opens_the_link_after_marking_read(county: Any) -> None:
    n = _note(county.wangfang, "您的办件已受理", link="/cases/7/")
    client = _signed_in(county.wangfang)
    response = client.post(f"/inbox/{n.pk}/read", {"next": "/cases/7/"})
    assert response["Location"] == "/cases/7/"
    response = client.post(f"/inbox/{n.pk}/read", {"next": "https://evil.example/"})
    assert response["Location"] == "/inbox/"


def test_it_marks_all_read(county: Any) -> None:
    for title in ("已受理", "已办结"):
        _note(county.wangfang, title)
    theirs = _note(county.zhangwei, "张伟的待办提醒")
    response = _signed_in(county.wangfang).post("/inbox/read-all")
    assert response.status_code == 302
    assert not Notification.objects.filter(recipient=county.wangfang, read_at=None).exists()
    theirs.refresh_from_db()
    assert theirs.read_at is None


@pytest.mark.parametrize("method", ["get", "post"])
def test_it_never_lets_her_touch_someone_elses_notification(county: Any, method: str) -> None:
    theirs = _note(county.zhangwei, "张伟的待办提醒")
    client = _signed_in(county.wangfang)
    response = getattr(client, method)(f"/inbox/{theirs.pk}/read")
    assert response.status_code == (404 if method == "post" else 405)
    theirs.refresh_from_db()
    assert theirs.read_at is None


def test_it_answers_404_for_a_notification_that_does_not_exist(county: Any) -> None:
    assert _signed_in(county.wangfang).post("/inbox/999999/read").status_code == 404


def test_it_needs_the_csrf_token_to_mark_read(county: Any) -> None:
    n = _note(county.wangfang, "您的办件已受理")
    client = _signed_in(county.wangfang, enforce_csrf_checks=True)
    assert client.post(f"/inbox/{n.pk}/read").status_code == 403
    assert client.post("/inbox/read-all").status_code == 403
    n.refresh_from_db()
    assert n.read_at is None

    token = client.get("/inbox/").context["csrf_token"]
    response = client.post(f"/inbox/{n.pk}/read", {"csrfmiddlewaretoken": str(token)})
    assert response.status_code == 302
    n.refresh_from_db()
    assert n.read_at is not None


def test_it_says_so_when_the_inbox_is_empty(county: Any) -> None:
    html = _signed_in(county.lina).get("/inbox/").content.decode()
    assert "暂无消息" in html
    assert "全部标为已读" not in html
