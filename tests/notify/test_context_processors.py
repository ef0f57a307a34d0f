"""``unread_count`` on every page: one COUNT for a signed-in person, nothing for a visitor."""

from __future__ import annotations

from typing import Any

from django.contrib.auth.models import AnonymousUser
from django.template import Context, Template
from django.test import RequestFactory

from zhili.notify.context_processors import unread
from zhili.notify.services import notification_mark_read, notify

BADGE = Template("{% if unread_count %}消息（{{ unread_count }}）{% endif %}")


def _request(user: Any) -> Any:
    request = RequestFactory().get("/")
    request.user = user
    return request


def test_it_counts_her_unread_notifications_in_one_query(
    county: Any, django_assert_num_queries: Any
) -> None:
    for title in ("已受理", "已办结", "请评价"):
        notify(user=county.wangfang, kind="case.accepted", title=title, body="")
    first = county.wangfang.notifications.first()
    notification_mark_read(user=county.wangfang, notification_id=first.pk)
    notify(user=county.zhangwei, kind="case.warning", title="超期预警", body="")
    context = unread(_request(county.wangfang))
    with django_assert_num_queries(1):
        assert BADGE.render(Context(context)) == "消息（2）"


def test_it_asks_nothing_on_pages_that_do_not_show_it(
    county: Any, django_assert_num_queries: Any
) -> None:
    with django_assert_num_queries(0):
        unread(_request(county.wangfang))


def test_it_gives_visitors_nothing(db: Any, django_assert_num_queries: Any) -> None:
    with django_assert_num_queries(0):
        assert unread(_request(AnonymousUser())) == {}
    assert BADGE.render(Context({})) == ""
