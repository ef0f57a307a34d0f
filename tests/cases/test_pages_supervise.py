"""Supervision: 孙丽 watches overdue cases and bad ratings; 市场监管局 rectifies them."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from tests.cases.conftest import apply_online
from tests.conftest import County
from zhili.accounts.models import User
from zhili.audit.models import AuditEntry
from zhili.cases.models import Applicant, Case, Rating, Rectification, Task, Warning
from zhili.cases.services import task_complete
from zhili.catalogue.models import ServiceItem


def client_for(user: User | None, *, csrf: bool = False) -> Client:
    client = Client(enforce_csrf_checks=csrf)
    if user is not None:
        client.force_login(user)
    return client


def url(name: str, *args: Any) -> str:
    return reverse(f"staff_cases:{name}", args=args)


def conclude(county: County, case: Case) -> Case:
    """受理 by 张伟, 审查 and 决定 (准予) by 陈静."""
    for user, action in [
        (county.zhangwei, "accept"),
        (county.chenjing, "approve"),
        (county.chenjing, "approve"),
    ]:
        case = task_complete(
            task=Task.objects.get(case=case, state=Task.OPEN), actor=user, action=action
        )
    return case


def rate(county: County, case: Case, level: int, *, due_in: int = 5) -> Rating:
    """王芳 rates the case; a bad rating gets its rectification (as ``ratings`` would open it)."""
    rating = Rating.objects.create(
        case=case, rater=county.wangfang, level=level, tags=["多次跑动"] if level <= 2 else [],
        reason="补正跑了两趟" if level <= 2 else "", channel="online",
    )  # fmt: skip
    if level <= 2:
        Rectification.objects.create(
            rating=rating, department=case.department,
            due_on=timezone.localdate() + timedelta(days=due_in),
        )  # fmt: skip
    return rating


@pytest.fixture
def case(county: County, licence_item: ServiceItem, wangfang: Applicant) -> Case:
    return apply_online(county, licence_item, wangfang)


@pytest.fixture
def rect(county: County, case: Case) -> Rectification:
    """王芳 was 非常不满意 with her concluded case: 市场监管局 must call her back."""
    return rate(county, conclude(county, case), 1).rectification


# ---- who may open what ----

MATRIX = [
    ("zhangwei", {"supervise": 403, "rectifications": 200, "rectification": 200}),
    ("chenjing", {"supervise": 403, "rectifications": 200, "rectification": 200}),
    ("zhoulei", {"supervise": 403, "rectifications": 200, "rectification": 404}),
    ("lina", {"supervise": 403, "rectifications": 403, "rectification": 404}),
    ("zhaomin", {"supervise": 403, "rectifications": 403, "rectification": 404}),
    ("wangfang", {"supervise": 403, "rectifications": 403, "rectification": 403}),
    ("sunli", {"supervise": 200, "rectifications": 200, "rectification": 200}),
    ("admin", {"supervise": 200, "rectifications": 200, "rectification": 200}),
    (None, {"supervise": 302, "rectifications": 302, "rectification": 302}),
]


@pytest.mark.parametrize(("who", "expected"), MATRIX)
def test_it_lets_each_role_open_only_its_boards(
    county: County, rect: Rectification, who: str | None, expected: dict[str, int]
) -> None:
    client = client_for(getattr(county, who) if who else None)
    pages = {
        "supervise": url("supervise"),
        "rectifications": url("rectifications"),
        "rectification": url("rectification", rect.pk),
    }
    assert {name: client.get(page).status_code for name, page in pages.items()} == expected


def test_it_lists_a_rectification_only_to_its_department_and_the_county(
    county: County, rect: Rectification
) -> None:
    number = rect.rating.case.number
    assert number in client_for(county.chenjing).get(url("rectifications")).content.decode()
    assert number in client_for(county.sunli).get(url("rectifications")).content.decode()
    assert number not in client_for(county.zhoulei).get(url("rectifications")).content.decode()


# ---- the boards ----


def test_it_shows_overdue_and_yellow_cases_by_department(
    county: County, licence_item: ServiceItem, wangfang: Applicant
) -> None:
    late, red, yellow, fine = (apply_online(county, licence_item, wangfang) for _ in range(4))
    Case.objects.filter(pk=late.pk).update(warning=Warning.RED, past_statutory=True)
    Case.objects.filter(pk=red.pk).update(warning=Warning.RED)
    Case.objects.filter(pk=yellow.pk).update(warning=Warning.YELLOW)
    response = client_for(county.sunli).get(url("supervise"))
    board = response.context["departments"]
    assert [(d["department__short_name"], d["late"], d["red"], d["yellow"]) for d in board] == [
        ("市场监管局", 1, 2, 1)
    ]
    assert [c.number for c, _ in response.context["overdue"]] == [late.number, red.number]
    assert [c.number for c, _ in response.context["yellow"]] == [yellow.number]
    html = response.content.decode()
    assert "超法定时限" in html and "红灯超期" in html and "黄灯预警" in html
    assert fine.number not in html
    assert county.wangfang_id not in html


def test_it_leaves_concluded_cases_off_the_overdue_board(county: County, case: Case) -> None:
    case = conclude(county, case)
    Case.objects.filter(pk=case.pk).update(warning=Warning.RED, past_statutory=True)
    response = client_for(county.admin).get(url("supervise"))
    assert response.context["overdue_count"] == 0 and response.context["departments"] == []


def test_it_shows_bad_ratings_with_their_rectification_state(
    county: County, licence_item: ServiceItem, wangfang: Applicant
) -> None:
    cases = [conclude(county, apply_online(county, licence_item, wangfang)) for _ in range(3)]
    late = rate(county, cases[0], 1, due_in=-1).rectification
    rate(county, cases[1], 2)
    rate(county, cases[2], 4)  # a good rating is not on the board
    response = client_for(county.sunli).get(url("supervise"))
    assert {r.case for r in response.context["bad"]} == {cases[0], cases[1]}
    assert [
        (d["department__short_name"], d["total"], d["open"], d["overdue"])
        for d in response.context["rect_departments"]
    ] == [("市场监管局", 2, 2, 1)]
    assert list(response.context["late_rects"]) == [late]
    html = response.content.decode()
    assert "非常不满意" in html and "不满意" in html and "待回访" in html and "多次跑动" in html
    assert cases[2].number not in html


# ---- rectification ----


def test_it_records_the_call_back_and_the_fix_through_the_page(
    county: County, rect: Rectification
) -> None:
    pytest.importorskip("zhili.cases.ratings")
    client = client_for(county.chenjing, csrf=True)
    page = url("rectification", rect.pk)
    html = client.get(page).content.decode()
    assert "记录回访" in html and "非常不满意" in html and "补正跑了两趟" in html
    token = html.split('name="csrfmiddlewaretoken" value="')[1].split('"')[0]

    assert client.post(page, {"op": "callback", "note": "电话回访"}).status_code == 403  # no token
    response = client.post(page, {"op": "callback", "note": "  ", "csrfmiddlewaretoken": token})
    assert response.status_code == 400 and "回访记录：请填写回访记录" in response.content.decode()
    response = client.post(
        page, {"op": "callback", "note": "电话回访：补正未一次告知", "csrfmiddlewaretoken": token}
    )
    assert response.status_code == 302
    again = client.post(
        page, {"op": "callback", "note": "再次提交", "csrfmiddlewaretoken": token}, follow=True
    )
    assert "已是“已回访待整改”状态" in again.content.decode()
    rect.refresh_from_db()
    assert (rect.state, rect.callback_note, rect.handled_by) == (
        Rectification.CALLED_BACK, "电话回访：补正未一次告知", county.chenjing,
    )  # fmt: skip

    response = client.post(page, {"op": "respond", "response": "", "csrfmiddlewaretoken": token})
    assert response.status_code == 400 and "整改情况：请填写整改情况" in response.content.decode()
    response = client.post(
        page,
        {"op": "respond", "response": "已修订一次性告知单", "csrfmiddlewaretoken": token},
        follow=True,
    )
    assert "整改情况已答复" in response.content.decode()
    rect.refresh_from_db()
    assert rect.state == Rectification.DONE and rect.response == "已修订一次性告知单"
    assert AuditEntry.objects.filter(action__startswith="rectification.").count() == 2


def test_it_keeps_the_leader_to_watching_a_rectification(
    county: County, rect: Rectification
) -> None:
    pytest.importorskip("zhili.cases.ratings")
    client = client_for(county.sunli)
    html = client.get(url("rectification", rect.pk)).content.decode()
    assert "记录回访" not in html
    response = client.post(url("rectification", rect.pk), {"op": "callback", "note": "领导回访"})
    assert response.status_code == 403
    assert (
        client_for(county.zhoulei)
        .post(url("rectification", rect.pk), {"op": "callback", "note": "回访"})
        .status_code
        == 404
    )
    rect.refresh_from_db()
    assert rect.state == Rectification.OPEN


def test_it_asks_for_the_call_back_before_the_fix(county: County, rect: Rectification) -> None:
    pytest.importorskip("zhili.cases.ratings")
    response = client_for(county.zhangwei).post(
        url("rectification", rect.pk), {"op": "respond", "response": "已改"}
    )
    assert response.status_code == 400 and "请先回访申请人" in response.content.decode()
    assert (
        client_for(county.zhangwei).post(url("rectification", rect.pk), {"op": "x"}).status_code
        == 404
    )
