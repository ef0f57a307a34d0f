"""Data quality: 吴静 of 自然资源局 sees how complete, valid, timely and consistent the datasets are."""

from __future__ import annotations

from datetime import date
from typing import Any

import pyarrow as pa
import pytest
from django.core.cache import cache
from django.test import Client

from tests.datahub.sharing_fixtures import DONGSHAN, MONTHS, READS, TODAY, XIWU, Sharing, people
from zhili.accounts.models import User
from zhili.datahub import quality, quality_board, storage
from zhili.datahub.models import ConsistencyRule, Dataset
from zhili.datahub.versions import version_publish


@pytest.fixture
def data(county: Any, monkeypatch: Any) -> Sharing:
    monkeypatch.setattr(quality, "today", lambda: TODAY)
    cache.clear()  # scores are cached by file checksum, and the tests write the same files
    return Sharing(county)


def client_for(user: User | None) -> Client:
    client = Client()
    if user is not None:
        client.force_login(user)
    return client


# ---- periods ----


@pytest.mark.parametrize(
    ("frequency", "on", "expected"),
    [
        ("monthly", date(2025, 7, 15), "2025-06"),
        ("monthly", date(2025, 1, 3), "2024-12"),
        ("quarterly", date(2025, 7, 1), "2025Q2"),
        ("quarterly", date(2025, 3, 31), "2024Q4"),
        ("yearly", date(2025, 7, 15), "2024"),
    ],
)
def test_it_knows_the_last_complete_period(frequency: str, on: date, expected: str) -> None:
    assert quality.expected_period(frequency, on) == expected


@pytest.mark.parametrize(
    ("latest", "frequency", "late", "score"),
    [
        ("2025-06", "monthly", 0, 1.0),
        ("2025-07", "monthly", 0, 1.0),  # ahead of time is on time
        ("2025-03", "monthly", 3, 0.5),
        ("2024-06", "monthly", 12, 0.0),
        ("2024Q4", "quarterly", 2, 0.5),
        ("2023", "yearly", 1, 0.5),
        ("2022", "yearly", 2, 0.0),
    ],
)
def test_it_scores_timeliness_by_periods_late(
    latest: str, frequency: str, late: int, score: float
) -> None:
    assert quality.periods_late(latest, frequency, TODAY) == late
    assert quality.timeliness_score(late, frequency) == pytest.approx(score)


# ---- the scores ----


def test_it_scores_the_open_dataset(data: Sharing) -> None:
    q = quality.dataset_quality(data.open, on=TODAY)
    assert q.rows == 12
    assert q.completeness == pytest.approx(23 / 24)
    assert {f.name: (f.filled, f.rows) for f in q.fields} == {
        "population": (12, 12),
        "households": (11, 12),
    }
    assert (q.valid_rows, q.total_rows, q.validity) == (12, 13, pytest.approx(12 / 13))
    assert q.validity_source == "上传“rkjc.csv”"
    assert (q.latest_period, q.expected_period, q.periods_late) == ("2025-06", "2025-06", 0)
    assert q.timeliness == 1.0
    # 12 pairs with 集体经济 (one off by 10%), 6 with 低保救助 (all within 5%).
    assert q.consistency == pytest.approx(17 / 18)
    assert q.overall == pytest.approx((23 / 24 + 12 / 13 + 1 + 17 / 18) / 4)


def test_it_finds_the_planted_mismatch(data: Sharing) -> None:
    check = quality.rule_check(data.population_rule)
    assert (check.pairs, check.agreeing, check.score) == (12, 11, pytest.approx(11 / 12))
    [m] = check.mismatches
    assert (m.division_code, m.division_name, m.period) == (XIWU, "西坞村", "2025-03")
    assert (m.left, m.right) == (people(XIWU, 2), round(people(XIWU, 2) * 1.1))
    assert m.difference == pytest.approx(81 / 891)
    assert m.percent == "9.1%"
    assert quality.rule_check(data.registered_rule).mismatches == []


def test_it_lists_the_missing_periods_of_a_late_dataset(data: Sharing) -> None:
    q = quality.dataset_quality(data.restricted, on=TODAY)
    assert q.validity == 1.0 and q.validity_source == "直接发布"  # pushed, nothing rejected
    assert (q.latest_period, q.periods_late) == ("2025-04", 2)
    assert q.timeliness == pytest.approx(1 - 2 / 6)
    assert q.missing_periods == ["2025-02", "2025-05", "2025-06"]


def test_it_lists_the_villages_missing_from_a_period(data: Sharing) -> None:
    table = pa.table(
        {
            "division_code": [DONGSHAN, XIWU, DONGSHAN],
            "period": ["2025-05", "2025-05", "2025-06"],
            "income": [1.0, 2.0, 3.0],
            "population": [1, 2, 3],
        }
    )
    version_publish(dataset=data.shared, table=table)
    q = quality.dataset_quality(data.shared, on=TODAY)
    assert q.holes == [("2025-06", XIWU)]
    assert q.missing_periods == []


def test_it_scores_a_dataset_never_published_as_late(data: Sharing, county: Any) -> None:
    empty = Dataset.objects.create(
        code="KONG", name="尚未发布", category="其他", department=county.zrzy,
        frequency="yearly", sharing="open", division_level="village", table_schema={"fields": []},
    )  # fmt: skip
    q = quality.dataset_quality(empty, on=TODAY)
    assert (q.version, q.timeliness, q.completeness, q.validity) == (None, 0.0, None, None)
    assert q.overall == 0.0


def test_it_scores_a_new_version_afresh(data: Sharing) -> None:
    before = quality.dataset_quality(data.open, on=TODAY)
    rows = [(v, i, p) for v in (DONGSHAN, XIWU) for i, p in enumerate(MONTHS)]
    version_publish(
        dataset=data.open,
        table=pa.table(
            {
                "division_code": [v for v, _, _ in rows],
                "period": [p for _, _, p in rows],
                "population": [people(v, i) for v, i, _ in rows],
                "households": [people(v, i) // 3 for v, i, _ in rows],
            }
        ),
    )
    after = quality.dataset_quality(data.open, on=TODAY)
    assert before.completeness == pytest.approx(23 / 24)
    assert after.completeness == 1.0 and after.validity == 1.0


def test_it_reads_each_file_once(data: Sharing, monkeypatch: Any) -> None:
    quality_board.quality_board(data.county.sunli, on=TODAY)

    class NoDuckDB:
        def execute(self, *args: Any) -> Any:
            raise AssertionError("the scores of an unchanged version come from the cache")

    monkeypatch.setattr(quality, "_connect", NoDuckDB)
    again = quality_board.quality_board(data.county.sunli, on=TODAY)
    assert len(again.datasets) == 3


def test_it_reports_a_rule_over_a_field_that_is_not_there(data: Sharing) -> None:
    data.population_rule.right_field = "人口"
    check = quality.rule_check(data.population_rule)
    assert check.score is None
    assert check.problem == "数据集“村集体经济”没有数值字段“人口”"


# ---- the board, for whom ----


def test_it_ranks_departments_and_puts_the_stewards_own_first(data: Sharing) -> None:
    leader = quality_board.quality_board(data.county.sunli, on=TODAY)
    assert [d.department.code for d in leader.departments] == ["SCJG", "ZRZY"]
    assert [d.rank for d in leader.departments] == [1, 2]
    zrzy = leader.departments[1]
    assert [q.dataset.code for q in zrzy.datasets] == ["DBJZ", "RKJC"]  # worst first
    assert zrzy.timeliness == pytest.approx((1 + 2 / 3) / 2)

    steward = quality_board.quality_board(data.wujing, on=TODAY)
    assert [(d.department.code, d.rank, d.mine) for d in steward.departments] == [
        ("ZRZY", 2, True),
        ("SCJG", 1, False),
    ]


def test_it_leaves_out_what_the_viewer_may_not_read(data: Sharing) -> None:
    board = quality_board.quality_board(data.county.zhangwei, on=TODAY)
    assert {q.dataset.code for q in board.datasets} == READS["clerk"]
    assert [r.rule.name for r in board.rules] == [data.population_rule.name]
    rkjc = next(q for q in board.datasets if q.dataset.code == "RKJC")
    assert rkjc.consistency == pytest.approx(11 / 12)  # the rule with 低保救助 is not counted


@pytest.mark.parametrize(
    ("reader", "status"),
    [("anonymous", 302), ("citizen", 403), ("clerk", 200), ("steward", 200), ("leader", 200)],
)
def test_it_shows_the_board_to_staff_only(data: Sharing, reader: str, status: int) -> None:
    response = client_for(data.readers()[reader]).get("/staff/quality/")
    assert response.status_code == status
    if status == 302:
        assert response["Location"].startswith("/accounts/login/")
    if status == 200:
        html = response.content.decode()
        for code in ("RKJC", "JTJJ", "DBJZ"):
            assert (f"/staff/quality/{code}/" in html) == (code in READS[reader]), code


@pytest.mark.parametrize(
    ("reader", "code", "status"),
    [
        ("citizen", "RKJC", 403),
        ("clerk", "RKJC", 200),
        ("clerk", "DBJZ", 404),
        ("clerk", "NOPE", 404),
        ("steward", "DBJZ", 200),
        ("leader", "DBJZ", 200),
    ],
)
def test_it_opens_a_dataset_to_those_who_may_read_it(
    data: Sharing, reader: str, code: str, status: int
) -> None:
    response = client_for(data.readers()[reader]).get(f"/staff/quality/{code}/")
    assert response.status_code == status


def test_it_shows_the_steward_her_departments_first_with_colours(data: Sharing) -> None:
    html = client_for(data.wujing).get("/staff/quality/").content.decode()
    assert html.index("清溪县自然资源和规划局") < html.index("清溪县市场监督管理局")
    assert "本部门" in html
    assert "q-score--good" in html and "q-score--fair" in html  # DBJZ's timeliness, 66.7%
    assert "常住人口：人口基础信息与村集体经济" in html  # the failing rule is called out


def test_it_drills_down_to_the_mismatching_rows(data: Sharing) -> None:
    html = client_for(data.wujing).get("/staff/quality/RKJC/").content.decode()
    assert "西坞村" in html and "2025-03" in html and "9.1%" in html
    assert "上传“rkjc.csv”：共 13 行，校验通过 12 行" in html
    assert "households" in html and "11 / 12" in html


def test_it_keeps_a_rule_with_an_unreadable_dataset_from_the_clerk(data: Sharing) -> None:
    html = client_for(data.county.zhangwei).get("/staff/quality/RKJC/").content.decode()
    assert "常住人口：人口基础信息与村集体经济" in html
    assert "人口：人口基础信息与低保救助" not in html
    assert "低保" not in html


def test_it_shows_the_missing_periods(data: Sharing) -> None:
    html = client_for(data.county.sunli).get("/staff/quality/DBJZ/").content.decode()
    assert 'id="missing-periods"' in html
    for period in ("2025-02", "2025-05", "2025-06"):
        assert f"<li>{period}</li>" in html


def test_it_says_when_two_datasets_have_nothing_to_compare(data: Sharing, county: Any) -> None:
    yearly = Dataset.objects.create(
        code="TJNJ", name="统计年鉴人口", category="人口", department=county.scjg,
        frequency="yearly", sharing="open", division_level="village",
        table_schema={"fields": [{"name": "population", "type": "integer"}]},
    )  # fmt: skip
    version_publish(
        dataset=yearly,
        table=pa.table({"division_code": [DONGSHAN], "period": ["2024"], "population": [1200]}),
    )
    rule = ConsistencyRule.objects.create(
        name="年鉴与月报", left_dataset=data.open, left_field="population",
        right_dataset=yearly, right_field="population",
    )  # fmt: skip
    check = quality.rule_check(rule)
    assert (check.pairs, check.score) == (0, None)
    assert check.problem == "两个数据集没有相同区划、相同期别的数值可以比较"


def test_it_keeps_the_board_up_when_a_file_is_missing(data: Sharing) -> None:
    assert data.shared.current is not None
    storage.absolute(data.shared.current.path).unlink()
    html = client_for(data.county.sunli).get("/staff/quality/").content.decode()
    assert "文件无法读取" in html
    page = client_for(data.county.sunli).get("/staff/quality/JTJJ/").content.decode()
    assert "第1版的数据文件无法读取" in page
    check = quality.rule_check(data.population_rule)
    assert check.score is None and check.problem.startswith("无法比较：")
