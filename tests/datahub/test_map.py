"""The one map and the dashboard through the test client: who sees which indicator, and the JSON.

王芳 and anonymous visitors see the indicators built from open data only; 张伟
of 市场监管局 also the shared ones; 周磊 of 自然资源局 also his bureau's
restricted 低保 data; 孙丽 the leader and the administrator see everything and
are the only ones let into the dashboard.
"""

from __future__ import annotations

import json
import re
from typing import Any

import pytest
from django.db import connection
from django.test import Client
from django.urls import reverse

from tests.conftest import County
from tests.datahub.map_fixtures import MONTHS, MapWorld, build_map_world
from zhili.accounts.models import User
from zhili.datahub import map_selectors as sel


@pytest.fixture
def world(county: County) -> MapWorld:
    return build_map_world(county)


def client_for(user: User | None) -> Client:
    client = Client()
    if user is not None:
        client.force_login(user)
    return client


def values(client: Client, **params: str) -> Any:
    return client.get(reverse("onemap:values"), params)


def profile(client: Client, code: str, period: str = "") -> Any:
    url = reverse("onemap:profile", args=[code])
    return client.get(url, {"period": period} if period else {})


# ---- who sees which indicator ----

VISIBLE = {
    None: {"CZRK", "SLFG"},
    "wangfang": {"CZRK", "SLFG"},
    "zhangwei": {"CZRK", "SLFG", "JTSR"},
    "zhoulei": {"CZRK", "SLFG", "JTSR", "DBZB"},
    "sunli": {"CZRK", "SLFG", "JTSR", "DBZB"},
    "admin": {"CZRK", "SLFG", "JTSR", "DBZB"},
}


@pytest.mark.parametrize("who", list(VISIBLE))
def test_it_shows_each_person_the_indicators_of_the_data_they_may_read(
    world: MapWorld, who: str | None
) -> None:
    user = getattr(world.county, who) if who else None
    client = client_for(user)
    page = client.get(reverse("onemap:map")).content.decode()
    listed = set(re.findall(r'<option value="(\w+)"', page))
    assert listed == VISIBLE[who]
    for code in world.indicators:
        status = values(client, indicator=code).status_code
        assert status == (200 if code in VISIBLE[who] else 404), (who, code)
    panel = profile(client, "330599101201", "2025-06").content.decode()
    shown = set(re.findall(r'data-indicator="(\w+)"', panel))
    assert shown == VISIBLE[who]


def test_it_says_in_chinese_that_a_hidden_indicator_is_not_there(world: MapWorld) -> None:
    response = values(Client(), indicator="DBZB")
    assert response.json() == {"error": "指标“DBZB”不存在或您无权查看"}


def test_it_tells_a_visitor_when_there_is_nothing_open_to_show(world: MapWorld) -> None:
    from zhili.datahub.models import Dataset

    Dataset.objects.filter(sharing="open").update(sharing="shared")
    page = Client().get(reverse("onemap:map")).content.decode()
    assert "暂无您可以查看的指标" in page
    assert "onemap.js" not in page


def test_it_groups_the_indicators_by_category(world: MapWorld) -> None:
    page = client_for(world.county.sunli).get(reverse("onemap:map")).content.decode()
    groups = re.findall(r'<optgroup label="([^"]+)"', page)
    assert groups == ["人口", "民生", "生态", "经济"]
    assert '<option value="CZRK" selected>常住人口（人）</option>' in page


def test_it_starts_on_the_indicator_asked_for(world: MapWorld) -> None:
    page = Client().get(reverse("onemap:map"), {"indicator": "SLFG", "level": "town"})
    config = page.context["config"]
    assert (config["indicator"], config["level"]) == ("SLFG", "town")
    # Asking for an indicator one may not see falls back to a key indicator.
    page = Client().get(reverse("onemap:map"), {"indicator": "DBZB"})
    assert page.context["config"]["indicator"] == "CZRK"


# ---- boundaries ----


def test_it_serves_the_village_boundaries_with_an_etag(world: MapWorld) -> None:
    client = Client()
    response = client.get(reverse("onemap:geo"), {"level": "village"})
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/geo+json")
    assert "max-age" in response["Cache-Control"] and "public" in response["Cache-Control"]
    geo = json.loads(response.content)
    assert geo["type"] == "FeatureCollection"
    props = [f["properties"] for f in geo["features"]]
    assert [p["name"] for p in props] == [
        "东山村",
        "西坞村",
        "南岙村",
        "上林村",
        "下林村",
        "竹园村",
    ]
    assert props[3] == {"code": "330599102201", "name": "上林村", "parent": "西山镇"}
    assert geo["features"][0]["geometry"]["type"] == "Polygon"

    again = client.get(
        reverse("onemap:geo"), {"level": "village"}, HTTP_IF_NONE_MATCH=response["ETag"]
    )
    assert again.status_code == 304
    assert again.content == b""
    assert again["ETag"] == response["ETag"]


def test_it_serves_the_towns_and_changes_the_etag_when_a_boundary_moves(world: MapWorld) -> None:
    client = Client()
    first = client.get(reverse("onemap:geo"), {"level": "town"})
    assert [f["properties"]["name"] for f in json.loads(first.content)["features"]] == [
        "东山镇",
        "西山镇",
    ]
    town = world.towns["西山镇"]
    town.boundary["coordinates"][0][1][0] += 0.001
    town.save(update_fields=["boundary"])
    second = client.get(reverse("onemap:geo"), {"level": "town"}, HTTP_IF_NONE_MATCH=first["ETag"])
    assert second.status_code == 200
    assert second["ETag"] != first["ETag"]


def test_it_refuses_a_level_it_does_not_draw(world: MapWorld) -> None:
    for url in (reverse("onemap:geo"), reverse("onemap:values")):
        response = Client().get(url, {"level": "county", "indicator": "CZRK"})
        assert response.status_code == 400
        assert response.json() == {"error": "层级只能是 village（村）或 town（镇）"}


# ---- values ----


def test_it_gives_the_values_of_a_period(world: MapWorld) -> None:
    data = values(Client(), indicator="CZRK", period="2025-06", level="village").json()
    assert data["indicator"] == {
        "code": "CZRK", "name": "常住人口", "unit": "人", "direction": "up", "decimals": 0
    }  # fmt: skip
    assert data["period"] == "2025-06"
    assert data["periods"] == MONTHS
    by_code = {v["code"]: v["value"] for v in data["values"]}
    assert len(by_code) == 6
    assert by_code["330599101201"] == 1200 + 4 * 17  # 东山村, the 18th month
    assert (data["min"], data["max"]) == (min(by_code.values()), max(by_code.values()))


def test_it_defaults_to_the_latest_period_and_rounds_to_the_decimals(world: MapWorld) -> None:
    data = values(client_for(world.county.sunli), indicator="DBZB", level="town").json()
    assert data["period"] == "2025-12"
    assert all(round(v["value"], 2) == v["value"] for v in data["values"])
    assert {v["code"] for v in data["values"]} == {"330599101000", "330599102000"}


def test_it_lists_a_yearly_indicators_years(world: MapWorld) -> None:
    data = values(Client(), indicator="SLFG").json()
    assert (data["periods"], data["period"]) == (["2023", "2024", "2025"], "2025")


def test_it_answers_an_empty_period_with_no_values(world: MapWorld) -> None:
    data = values(Client(), indicator="CZRK", period="2019-01").json()
    assert (data["values"], data["min"], data["max"]) == ([], None, None)


def test_it_refuses_a_malformed_period(world: MapWorld) -> None:
    response = values(Client(), indicator="CZRK", period="2025-13")
    assert response.status_code == 400
    assert "2025-03" in response.json()["error"]


def test_it_reads_the_values_in_one_query_once_it_knows_the_periods(
    world: MapWorld, django_assert_num_queries: Any
) -> None:
    client = Client()
    # The indicator, its datasets' sharing, the periods, the values.
    with django_assert_num_queries(4):
        assert values(client, indicator="CZRK", period="2025-06").status_code == 200
    with django_assert_num_queries(3):
        assert values(client, indicator="CZRK", period="2025-07").status_code == 200


def test_it_forgets_the_periods_when_the_indicator_is_computed_again(world: MapWorld) -> None:
    from django.utils import timezone

    from zhili.datahub.models import IndicatorValue

    people = world.indicators["CZRK"]
    assert values(Client(), indicator="CZRK").json()["period"] == "2025-12"
    IndicatorValue.objects.create(
        indicator=people, division_code="330599101201", level="village", period="2026-01", value=1
    )
    people.computed_at = timezone.now()
    people.save(update_fields=["computed_at"])
    data = values(Client(), indicator="CZRK").json()
    assert data["period"] == "2026-01" and data["periods"][-1] == "2026-01"


@pytest.mark.skipif(
    connection.vendor != "sqlite", reason="plans differ; PostgreSQL scans tiny tables"
)
def test_it_reads_the_values_through_the_map_index(world: MapWorld) -> None:
    from zhili.datahub.models import IndicatorValue

    qs = IndicatorValue.objects.filter(
        indicator=world.indicators["CZRK"], level="village", period="2025-06"
    ).values_list("division_code", "value")
    assert "ivalue_map" in qs.explain()


# ---- a village's profile ----


def test_it_shows_every_indicator_of_a_village_with_rank_trend_and_sources(
    world: MapWorld,
) -> None:
    response = profile(client_for(world.county.sunli), "330599101201", "2025-06")
    assert response.status_code == 200
    html = response.content.decode()
    assert "东山村" in html and "东山镇" in html and "2025年6月" in html
    rows = dict(re.findall(r'data-indicator="(\w+)".*?data-series="([^"]*)"', html, re.S))
    assert set(rows) == {"CZRK", "JTSR", "DBZB", "SLFG"}
    people = json.loads(rows["CZRK"].replace("&quot;", '"'))
    assert people[0] == ["2024-01", 1200] and people[-1] == ["2025-06", 1268]
    assert len(people) == 18
    # A year is complete only at its end: in June 2025 the latest forest cover is 2024's.
    forest = json.loads(rows["SLFG"].replace("&quot;", '"'))
    assert [p for p, _ in forest] == ["2023", "2024"]
    assert '<a href="/api/3/action/package_show?id=RKJC">人口基础信息</a>' in html
    assert "低保救助对象" in html
    assert "第6名<small>/6</small>" in html  # the smallest village of six


def test_it_ranks_lower_is_better_indicators_the_right_way(world: MapWorld) -> None:
    rows = sel.division_profile(
        user=world.county.sunli, division=world.villages["竹园村"], period="2025-06"
    )
    by_code = {r.indicator.code: r for r in rows}
    # 竹园村 has the lowest 低保 share (best) and the most people (also best).
    assert (by_code["DBZB"].rank, by_code["DBZB"].peers) == (1, 6)
    assert by_code["CZRK"].rank == 1
    june, may = 1200 + 350 * 5 + 4 * 17, 1200 + 350 * 5 + 4 * 16
    assert by_code["CZRK"].mom == round((june - may) / may * 100, 1)
    assert by_code["SLFG"].mom is None  # a year has no 环比
    assert by_code["CZRK"].mom_class == "good"
    assert by_code["DBZB"].mom_class == "good"  # the share went down


def test_it_ranks_as_trends_ranks_among_the_level(world: MapWorld) -> None:
    from zhili.datahub import trends

    for village in world.villages.values():
        for row in sel.division_profile(user=world.county.sunli, division=village, period=""):
            rank = trends.rank_among_peers(row.indicator, village.code, row.period, among="level")
            assert rank is not None
            assert (row.rank, row.peers) == (rank.rank, rank.of), (village.name, row.indicator)


def test_it_keeps_24_periods_in_a_sparkline(world: MapWorld) -> None:
    rows = sel.division_profile(
        user=world.county.sunli, division=world.villages["西坞村"], period=""
    )
    income = next(r for r in rows if r.indicator.code == "JTSR")
    assert len(income.series) == 24
    assert income.period == "2025-12"
    assert income.yoy is not None and income.yoy > 150  # the planted spike


def test_it_shows_a_towns_profile_among_towns(world: MapWorld) -> None:
    html = profile(Client(), "330599102000", "2025-12").content.decode()
    assert "西山镇" in html and "第1名<small>/2</small>" in html


def test_it_answers_an_unknown_division_with_404(world: MapWorld) -> None:
    assert profile(Client(), "330599109999").status_code == 404
    assert profile(Client(), "330599101201", "June").status_code == 400


# ---- the dashboard ----

DASHBOARD = [
    (None, 302),
    ("wangfang", 403),
    ("zhangwei", 403),
    ("zhoulei", 403),
    ("sunli", 200),
    ("admin", 200),
]


@pytest.mark.parametrize(("who", "status"), DASHBOARD)
def test_it_lets_only_leaders_into_the_dashboard(
    world: MapWorld, who: str | None, status: int
) -> None:
    client = client_for(getattr(world.county, who) if who else None)
    response = client.get(reverse("onemap:dashboard"))
    assert response.status_code == status
    if status == 302:
        assert response["Location"].startswith("/accounts/login/")
    if status == 403:
        assert "仅供领导和系统管理员查看" in response.content.decode()


def test_it_shows_the_leader_the_key_indicators_towns_and_alerts(world: MapWorld) -> None:
    response = client_for(world.county.sunli).get(reverse("onemap:dashboard"))
    html = response.content.decode()
    board = response.context["board"]
    assert [f.row.indicator.code for f in board.figures] == ["CZRK", "JTSR"]
    people = board.figures[0]
    total = sum(1200 + 350 * n + 4 * 23 for n in range(6))
    assert people.row.value == total and people.row.display == f"{total:,}"
    assert [t.name for t in people.towns] == ["西山镇", "东山镇"]
    assert people.towns[0].bar == 100
    assert len(people.row.series) == 24
    assert "清溪县数字乡村驾驶舱" in html and "乡镇排名" in html
    assert board.cases == {"red": 0, "overdue": 0}
    assert reverse("staff_cases:supervise") in html


def test_it_lists_the_anomalies_that_trends_finds(world: MapWorld) -> None:
    response = client_for(world.county.sunli).get(reverse("onemap:dashboard_alerts"))
    flagged = {(a.division_name, a.indicator.code) for a in response.context["alerts"]}
    assert ("西坞村", "JTSR") in flagged
    html = response.content.decode()
    assert "西坞村</b> · 村集体经济收入" in html
    assert "indicator=JTSR&amp;period=2025-12&amp;division=330599101202&amp;level=village" in html
    assert "明显高于" in html


@pytest.mark.parametrize(("who", "status"), DASHBOARD)
def test_it_shows_the_anomalies_to_leaders_only(
    world: MapWorld, who: str | None, status: int
) -> None:
    client = client_for(getattr(world.county, who) if who else None)
    assert client.get(reverse("onemap:dashboard_alerts")).status_code == status


def test_it_fills_a_large_screen_without_the_site_nav(world: MapWorld) -> None:
    client = client_for(world.county.sunli)
    for url in (reverse("onemap:dashboard"), reverse("onemap:map")):
        html = client.get(url, {"screen": "1"}).content.decode()
        assert '<body class="screen' in html
        assert "site-nav" not in html
        normal = client.get(url).content.decode()
        assert "site-nav" in normal


# ---- periods ----


@pytest.mark.parametrize(
    ("period", "end", "label"),
    [
        ("2025-03", "2025-03", "2025年3月"),
        ("2025Q1", "2025-03", "2025年第1季度"),
        ("2025Q4", "2025-12", "2025年第4季度"),
        ("2025", "2025-12", "2025年"),
    ],
)
def test_it_compares_months_quarters_and_years(period: str, end: str, label: str) -> None:
    assert sel.period_end(period) == end
    assert sel.period_label(period) == label
