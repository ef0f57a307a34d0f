"""The 工作日历 page: 张伟 the clerk reads it, 管理员 enters a year on it."""

from __future__ import annotations

from datetime import date
from typing import Any

import pytest
from django.test import Client

from zhili.workdays import calendar
from zhili.workdays.models import CalendarYear, DayOverride

URL = "/staff/calendar/"
UNCOVERED = max(calendar.library_years()) + 1


def client_for(user: Any) -> Client:
    client = Client()
    client.force_login(user)
    return client


def post_data(
    notice: str, *, year: int = 2027, source: str = "国办发明电〔2026〕X号"
) -> dict[str, Any]:
    return {"year": year, "source": source, "notice": notice}


@pytest.mark.parametrize(
    ("role", "get", "post"),
    [
        ("anonymous", 302, 302),
        ("wangfang", 403, 403),  # a citizen
        ("zhangwei", 200, 403),  # a clerk reads, may not enter
        ("sunli", 200, 403),  # a leader likewise
        ("admin", 200, 302),
    ],
)
def test_it_lets_each_role_do_what_it_may(
    county: Any, notice_2027: str, role: str, get: int, post: int
) -> None:
    client = Client() if role == "anonymous" else client_for(getattr(county, role))
    assert client.get(URL).status_code == get
    assert client.post(URL, post_data(notice_2027)).status_code == post
    assert CalendarYear.objects.exists() == (role == "admin")


def test_it_sends_a_visitor_to_sign_in(county: Any) -> None:
    response = Client().get(URL)
    assert response.status_code == 302
    assert response["Location"] == f"/accounts/login/?next={URL}"


def test_it_shows_the_clerk_which_years_are_covered(county: Any) -> None:
    response = client_for(county.zhangwei).get(URL)
    html = response.content.decode()
    assert 'class="coverage--chinesecalendar">chinesecalendar' in html  # 2020 and on
    assert f'<th scope="row">{UNCOVERED}</th>\n        <td class="coverage--none">未覆盖' in html
    assert "只有系统管理员可以录入" in html and 'name="notice"' not in html


def test_it_enters_a_year_for_the_admin(county: Any, notice_2027: str) -> None:
    client = client_for(county.admin)
    response = client.post(URL, post_data(notice_2027), follow=True)
    html = response.content.decode()
    assert "已录入2027年的法定节假日安排：放假8天，调休上班2天。" in html
    assert 'class="coverage--admin">管理员录入' in html
    entered = CalendarYear.objects.get(year=2027)
    assert entered.entered_by == county.admin and entered.source == "国办发明电〔2026〕X号"
    assert calendar.is_working_day(date(2027, 9, 26))


def test_it_shows_the_admin_each_problem_with_its_line(county: Any) -> None:
    notice = "2027-10-01~2027-10-07 国庆节 休\n\n2027-13-01 国庆节 休\n2027-09-26 国庆节调休\n"
    response = client_for(county.admin).post(URL, post_data(notice))
    html = response.content.decode()
    assert response.status_code == 200
    assert "通知内容有 2 处问题，未作任何修改" in html
    assert "第3行：日期“2027-13-01”无效" in html
    assert "第4行：行末应为“休”或“班”，而不是“国庆节调休”" in html
    assert "2027-10-01~2027-10-07 国庆节 休" in html  # what was typed is kept
    assert not CalendarYear.objects.exists() and not DayOverride.objects.exists()


def test_it_checks_the_form_fields(county: Any, notice_2027: str) -> None:
    response = client_for(county.admin).post(URL, post_data(notice_2027, year=1999, source=""))
    assert response.status_code == 200
    assert response.context["form"].errors.keys() == {"year", "source"}
    assert not CalendarYear.objects.exists()


def test_it_fills_the_form_with_what_is_known_of_a_year(county: Any) -> None:
    html = client_for(county.admin).get(URL, {"year": "2026"}).content.decode()
    assert "2026-02-15~2026-02-23 春节 休" in html
    assert "2026-02-14 春节调休上班 班" in html


def test_it_refuses_a_post_without_a_csrf_token(county: Any, notice_2027: str) -> None:
    client = Client(enforce_csrf_checks=True)
    client.force_login(county.admin)
    assert client.post(URL, post_data(notice_2027)).status_code == 403
    assert not CalendarYear.objects.exists()

    client.get(URL)
    token = client.cookies["csrftoken"].value
    response = client.post(URL, {**post_data(notice_2027), "csrfmiddlewaretoken": token})
    assert response.status_code == 302
    assert CalendarYear.objects.filter(year=2027).exists()
