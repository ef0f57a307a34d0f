"""Automatic reports: the facts and sentences, the three files, the archive, pages and subscriptions.

The county of ``report_fixtures``: 东山镇 (东山村, 西坞村, 南岭村) and 青山镇
(青山村, 石桥村, 竹林村), 24 months of 常住人口 and 人均生活垃圾产生量, reported
for 2025-03.
"""

from __future__ import annotations

import io
import subprocess
from pathlib import Path
from typing import Any

import pytest
from django.core.exceptions import PermissionDenied
from django.core.files.storage import default_storage
from django.test import Client
from django.utils import timezone
from openpyxl import load_workbook

from tests.datahub.report_fixtures import (
    MONTHS,
    PERIOD,
    ReportCounty,
    make_report_county,
)
from zhili.accounts.models import Role, User
from zhili.datahub import report_services as services
from zhili.datahub.models import Dataset, Indicator, IndicatorValue, Report, Subscription
from zhili.datahub.report_charts import bar_chart, line_chart, nice_ticks
from zhili.datahub.report_render import render_html
from zhili.datahub.reports import (
    IndicatorFacts,
    ReportFacts,
    indicator_sentence,
    narrate,
    period_for,
    report_facts,
)
from zhili.divisions.models import Division
from zhili.notify.models import Notification

POP_DONGSHAN = (
    "本月东山村常住人口为1,230人，环比增长0.8%（向好），同比增长10.8%，"
    "在全县6个行政村中排名第2（东山镇第2），占东山镇的32.3%。"
)
GARBAGE_DONGSHAN = (
    "本月东山村人均生活垃圾产生量为25.4公斤，环比下降0.8%（向好），同比下降8.6%，"
    "在全县6个行政村中排名第3（东山镇第2），低于东山镇（25.5公斤），高于全县（24.7公斤）。"
)


@pytest.fixture
def report_county(county: Any) -> ReportCounty:
    return make_report_county(county)


@pytest.fixture
def queued(monkeypatch: Any) -> list[tuple[str, tuple[Any, ...]]]:
    calls: list[tuple[str, tuple[Any, ...]]] = []
    monkeypatch.setattr(
        "django_q.tasks.async_task", lambda func, *args, **kw: calls.append((func, args))
    )
    return calls


@pytest.fixture
def steward(report_county: ReportCounty) -> User:
    """钱红, the data steward of the market regulation bureau."""
    user = User.objects.create_user(
        "qianhong", password="pw-qianhong", display_name="钱红", role=Role.DATA_STEWARD
    )
    user.departments.set([report_county.county.scjg])
    return user


def _client(user: User | None) -> Client:
    client = Client()
    if user is not None:
        client.force_login(user)
    return client


def _pdf_text(pdf: bytes, tmp_path: Path) -> str:
    path = tmp_path / "report.pdf"
    path.write_bytes(pdf)
    return subprocess.run(
        ["pdftotext", "-layout", str(path), "-"], capture_output=True, text=True, check=True
    ).stdout


# ---- facts and sentences ----


def test_it_writes_the_sentences_of_a_village(report_county: ReportCounty) -> None:
    facts = report_facts(division=report_county.dongshan, period=PERIOD)

    sentences = narrate(facts)

    assert sentences[0] == POP_DONGSHAN
    assert sentences[1] == GARBAGE_DONGSHAN
    assert (
        sentences[2] == "环比变化最大的指标依次为：常住人口增长0.8%、人均生活垃圾产生量下降0.8%。"
    )
    assert len(sentences) == 3  # no anomaly in steady lines


def test_it_ranks_among_the_county_and_the_town_by_direction(
    report_county: ReportCounty,
) -> None:
    nanling = report_county.villages[2]  # the most people, and the most garbage

    facts = report_facts(division=nanling, period=PERIOD)

    pop, garbage = facts.indicator("pop"), facts.indicator("garbage_pc")
    assert (pop.rank, pop.rank_of, pop.rank_in_parent, pop.rank_in_parent_of) == (1, 6, 1, 3)
    assert (garbage.rank, garbage.rank_in_parent) == (6, 3)  # less is better
    assert [p.name for p in garbage.peers] == ["西坞村", "东山村", "南岭村"]
    assert pop.value == 1660 and pop.previous == 1640 and pop.year_ago == 1420


def test_it_writes_the_sentences_of_a_town_and_the_county(report_county: ReportCounty) -> None:
    town = report_facts(division=report_county.towns[0], period=PERIOD)
    county = report_facts(division=report_county.county.county, period=PERIOD)

    assert indicator_sentence(town, town.indicator("pop")) == (
        "本月东山镇常住人口为3,805人，环比增长0.9%（向好），同比增长12.4%，"
        "在全县2个乡镇中排名第1，占清溪县的60.1%。"
    )
    assert indicator_sentence(county, county.indicator("pop")) == (
        "本月清溪县常住人口为6,327人，环比增长0.8%（向好），同比增长10.2%。"
    )
    assert [p.name for p in county.indicator("pop").peers] == ["东山镇", "青山镇"]


def test_it_says_worse_when_a_lower_is_better_indicator_rises(
    report_county: ReportCounty,
) -> None:
    IndicatorValue.objects.filter(
        indicator=report_county.garbage, division_code="330599101201", period=PERIOD
    ).update(value=28.16)

    facts = report_facts(division=report_county.dongshan, period=PERIOD)

    sentence = indicator_sentence(facts, facts.indicator("garbage_pc"))
    assert sentence.startswith(
        "本月东山村人均生活垃圾产生量为28.2公斤，环比增长10.0%（变差），同比增长1.3%，"
    )


def test_it_says_flat_no_data_and_points_for_rates() -> None:
    facts = ReportFacts(
        division_code="330599101201", division_name="东山村", division_level="village",
        division_full_name="清溪县东山镇东山村", parent_name="东山镇", county_name="清溪县",
        period="2025-03", period_label="2025年3月", generated_at="2025-04-01 02:00",
    )  # fmt: skip
    rate = IndicatorFacts(
        code="insured", name="医保参保率", category="社保", unit="%", decimals=1,
        direction="up", frequency="monthly", ratio=True, period="2025-03",
        value=95.2, previous=96.4, year_ago=95.2, mom=-1.24, yoy=0.0,
    )  # fmt: skip
    yearly = IndicatorFacts(
        code="land", name="耕地面积", category="土地", unit="亩", decimals=0,
        direction="up", frequency="yearly", ratio=False, period="2024",
        value=1200.0, previous=1200.0, mom=0.0,
    )  # fmt: skip
    empty = IndicatorFacts(
        code="visitors", name="乡村旅游接待人次", category="旅游", unit="人次", decimals=0,
        direction="up", frequency="monthly", ratio=False, period="2025-03",
    )  # fmt: skip

    assert indicator_sentence(facts, rate) == (
        "本月东山村医保参保率为95.2%，环比下降1.2个百分点（变差），同比持平。"
    )
    assert indicator_sentence(facts, yearly) == "2024年东山村耕地面积为1,200亩，比上年持平。"
    assert indicator_sentence(facts, empty) == "本月东山村乡村旅游接待人次暂无数据。"


def test_it_calls_out_a_jump_as_an_anomaly_and_a_mover(report_county: ReportCounty) -> None:
    IndicatorValue.objects.filter(
        indicator=report_county.pop, division_code="330599101202", period=PERIOD
    ).update(value=1820)

    facts = report_facts(division=report_county.villages[1], period=PERIOD)

    assert facts.anomalies == ["pop"]
    assert facts.movers[0] == "pop"
    assert narrate(facts)[-1] == (
        "西坞村常住人口本月为1,820人，较上期突增，明显偏离近23期的变化规律，请关注。"
    )


def test_it_reports_neither_restricted_data_nor_empty_indicators(
    report_county: ReportCounty,
) -> None:
    Dataset.objects.create(
        code="secret", name="受限数据", category="其他", department=report_county.county.zrzy,
        frequency="monthly", sharing="restricted", division_level="village",
        table_schema={"fields": []},
    )  # fmt: skip
    secret = Indicator.objects.create(
        code="secret", name="受限指标", numerator={"dataset": "secret", "field": "x"}
    )
    IndicatorValue.objects.create(
        indicator=secret, division_code="330599101201", level="village", period=PERIOD, value=1
    )
    Indicator.objects.create(
        code="nothing", name="无数据指标", numerator={"dataset": "hh_monthly", "field": "x"}
    )

    facts = report_facts(division=report_county.dongshan, period=PERIOD)

    assert [i.code for i in facts.indicators] == ["pop", "garbage_pc"]


def test_it_picks_each_frequencys_last_ended_period() -> None:
    assert period_for("2025-03", "monthly") == "2025-03"
    assert period_for("2025-03", "quarterly") == "2025Q1"
    assert period_for("2025-02", "quarterly") == "2024Q4"
    assert period_for("2025-03", "yearly") == "2024"
    assert period_for("2024Q4", "yearly") == "2024"


# ---- charts ----


def test_it_draws_the_same_charts_for_the_same_data() -> None:
    args: dict[str, Any] = {
        "periods": MONTHS,
        "values": [float(i * 10) for i in range(24)],
        "unit": "人",
        "decimals": 0,
        "label": "常住人口",
    }
    svg = line_chart(**args)

    assert svg == line_chart(**args)
    assert svg.startswith("<svg") and "单位：人" in svg and "2024年" in svg and ">230<" in svg
    bars = bar_chart(
        items=[("南岭村", 1660.0, False), ("东山村<", 1230.0, True)],
        unit="人",
        decimals=0,
        label="x",
    )
    assert "东山村&lt;" in bars and "1,660" in bars
    assert nice_ticks(0, 1660) == [0, 500, 1000, 1500, 2000]


# ---- the files ----


def test_it_renders_a_pdf_whose_numbers_match_the_indicator_values(
    report_county: ReportCounty, tmp_path: Path
) -> None:
    report = services.report_generate(division=report_county.dongshan, period=PERIOD)

    pdf = report.pdf.read()
    assert pdf.startswith(b"%PDF")
    text = _pdf_text(pdf, tmp_path)
    assert "东山村2025年3月数据月报" in text
    pop = IndicatorValue.objects.get(
        indicator=report_county.pop, division_code="330599101201", period=PERIOD
    )
    garbage = IndicatorValue.objects.get(
        indicator=report_county.garbage, division_code="330599101201", period=PERIOD
    )
    assert f"{pop.value:,.0f}人" == "1,230人"
    assert "1,230人" in text
    assert f"{garbage.value:,.1f}公斤" in text
    assert "环比增长0.8%（向好）" in "".join(text.split())
    fonts = subprocess.run(
        ["pdffonts", str(tmp_path / "report.pdf")], capture_output=True, text=True, check=True
    ).stdout.splitlines()[2:]
    assert fonts and all("Noto" in line for line in fonts)
    assert all(line.split()[-5] == "yes" for line in fonts)  # emb


def test_it_writes_the_same_numbers_into_excel(report_county: ReportCounty) -> None:
    report = services.report_generate(division=report_county.dongshan, period=PERIOD)

    wb = load_workbook(io.BytesIO(report.xlsx.read()))
    sheet = wb["指标"]
    rows = {row[0]: row for row in sheet.iter_rows(min_row=2, values_only=True)}
    assert rows["pop"][4] == 1230 and rows["pop"][5] == "人"
    assert rows["pop"][7] == pytest.approx(10 / 1220)
    assert rows["pop"][10] == 2 and rows["pop"][11] == 6
    assert rows["garbage_pc"][4] == pytest.approx(25.4)
    assert sheet["E2"].number_format == "#,##0" and sheet["H2"].number_format.startswith("+0.0%")
    assert sheet.freeze_panes == "C2"
    series = wb["月度序列"]
    assert series.max_row == 25
    assert series["A25"].value == "2025年3月" and series["B25"].value == 1230
    assert series["B2"].value == 1000


def test_it_shows_the_html_with_the_charts(report_county: ReportCounty) -> None:
    facts = report_facts(division=report_county.dongshan, period=PERIOD)

    html = render_html(facts)

    assert html.count("<svg") == 4  # a line and a ranking for each key indicator
    assert POP_DONGSHAN in html
    assert "/static/vendor/noto-sans-sc/400.css" in html
    assert "noto-sans-sc" not in render_html(facts, pdf=True)


def test_it_replaces_the_files_when_a_report_is_made_again(
    report_county: ReportCounty, django_capture_on_commit_callbacks: Any
) -> None:
    first = services.report_generate(division=report_county.dongshan, period=PERIOD)
    old = [first.html.name, first.pdf.name, first.xlsx.name]

    with django_capture_on_commit_callbacks(execute=True):
        again = services.report_generate(division=report_county.dongshan, period=PERIOD)

    assert again.pk == first.pk
    assert Report.objects.filter(division=report_county.dongshan, period=PERIOD).count() == 1
    assert not any(default_storage.exists(name) for name in old)
    assert all(default_storage.exists(f.name) for f in (again.html, again.pdf, again.xlsx))
    special = services.report_generate(
        division=report_county.dongshan, period=PERIOD, kind="on_demand"
    )
    assert special.pk != first.pk  # a 专报 is archived beside the 月报


# ---- the monthly job and subscriptions ----


def test_it_makes_the_monthly_reports_and_tells_the_subscribers(
    report_county: ReportCounty,
    queued: list[Any],
    django_capture_on_commit_callbacks: Any,
) -> None:
    c = report_county.county
    services.subscription_set(user=c.sunli, division=c.town, include_children=True)
    services.subscription_set(user=c.zhangwei, division=c.village, department=c.scjg)

    with django_capture_on_commit_callbacks(execute=True):
        made = services.reports_generate_monthly(PERIOD)

    assert made == 9  # the county, 2 towns, 6 villages
    to_sunli = Notification.objects.get(recipient=c.sunli)
    assert to_sunli.title == "东山镇及下级区划2025年3月数据月报已生成"
    assert to_sunli.link == f"/reports/?division={c.town.code}&period={PERIOD}"
    dongshan = Report.objects.get(division=c.village, period=PERIOD, kind="monthly")
    # 张伟 subscribed for himself and the 市场监管局: 陈静 and 赵敏 are told too.
    told = Notification.objects.filter(link=f"/reports/{dongshan.pk}/")
    assert {n.recipient.username for n in told if n.recipient} == {
        "zhangwei",
        "chenjing",
        "zhaomin",
    }
    assert told[0].title == "东山村2025年3月数据月报已生成"
    assert told[0].body.startswith(POP_DONGSHAN)
    assert Notification.objects.filter(recipient=c.wangfang).count() == 0


def test_it_lets_no_citizen_subscribe(report_county: ReportCounty) -> None:
    c = report_county.county
    with pytest.raises(PermissionDenied):
        services.subscription_set(user=c.wangfang, division=c.village)
    with pytest.raises(PermissionDenied):
        services.subscription_set(user=c.zhangwei, division=c.village, department=c.zrzy)


def test_it_runs_the_sweep_once_a_month(report_county: ReportCounty, monkeypatch: Any) -> None:
    monkeypatch.setattr(services, "last_complete_month", lambda: PERIOD)

    assert services.reports_monthly_sweep() == 9
    assert services.reports_monthly_sweep() == 0
    # A department published late data and the indicator was computed again.
    Indicator.objects.filter(code="pop").update(computed_at=timezone.now())
    assert services.reports_monthly_sweep() == 9
    assert Report.objects.count() == 9


# ---- pages ----

PAGES = ["reports:list", "reports:detail", "reports:pdf", "reports:xlsx", "reports:html"]


@pytest.mark.parametrize(
    ("who", "status"),
    [(None, 302), ("wangfang", 403), ("sunli", 200), ("admin", 200), ("zhangwei", 200)],
)
def test_it_shows_reports_to_staff_only(
    report_county: ReportCounty, who: str | None, status: int
) -> None:
    from django.urls import reverse

    report = services.report_generate(division=report_county.dongshan, period=PERIOD)
    client = _client(getattr(report_county.county, who) if who else None)
    for name in PAGES:
        url = reverse(name) if name == "reports:list" else reverse(name, args=[report.pk])
        response = client.get(url)
        assert response.status_code == status, name
        if status == 302:
            assert response["Location"].startswith("/accounts/login/")


def test_it_lists_and_filters_the_archive(report_county: ReportCounty) -> None:
    services.report_generate(division=report_county.dongshan, period=PERIOD)
    services.report_generate(division=report_county.villages[3], period=PERIOD)
    client = _client(report_county.county.sunli)

    everything = client.get("/reports/").content.decode()
    dongshan_town = client.get(f"/reports/?division={report_county.towns[0].code}").content.decode()
    bad = client.get("/reports/?period=2025-13")

    assert "东山村2025-03月报" in everything and "青山村2025-03月报" in everything
    assert "东山村2025-03月报" in dongshan_town and "青山村2025-03月报" not in dongshan_town
    assert "报告期格式不对" not in everything
    assert "格式不对" in bad.content.decode()


def test_it_downloads_the_files_with_chinese_names(report_county: ReportCounty) -> None:
    report = services.report_generate(division=report_county.dongshan, period=PERIOD)
    client = _client(report_county.county.zhangwei)

    pdf = client.get(f"/reports/{report.pk}/report.pdf")
    xlsx = client.get(f"/reports/{report.pk}/report.xlsx")
    html = client.get(f"/reports/{report.pk}/report.html")

    assert pdf.getvalue().startswith(b"%PDF")
    assert "attachment" in pdf["Content-Disposition"] and ".pdf" in pdf["Content-Disposition"]
    assert xlsx["Content-Type"].startswith("application/vnd.openxmlformats")
    assert html["X-Frame-Options"] == "SAMEORIGIN"
    assert POP_DONGSHAN in html.getvalue().decode()


@pytest.mark.parametrize(
    ("who", "status"), [("zhangwei", 403), ("wangfang", 403), ("sunli", 302), ("steward", 302)]
)
def test_it_lets_leaders_and_stewards_order_a_special_report(
    report_county: ReportCounty,
    steward: User,
    queued: list[Any],
    django_capture_on_commit_callbacks: Any,
    who: str,
    status: int,
) -> None:
    user = steward if who == "steward" else getattr(report_county.county, who)
    client = _client(user)
    client.handler.enforce_csrf_checks = False

    with django_capture_on_commit_callbacks(execute=True):
        response = client.post("/reports/generate/", {"division": "330599101201", "period": PERIOD})

    assert response.status_code == status
    if status == 302:
        assert queued == [(services.GENERATE_JOB, ("330599101201", PERIOD, "on_demand", user.pk))]
        report_id = services.report_generate_job(*queued[0][1])
        report = Report.objects.get(pk=report_id)
        assert report.kind == "on_demand" and report.requested_by == user
        assert Notification.objects.get(recipient=user).title == "东山村2025年3月数据专报已生成"
    else:
        assert queued == []


def test_it_refuses_a_period_not_yet_over(report_county: ReportCounty, queued: list[Any]) -> None:
    client = _client(report_county.county.sunli)

    response = client.post(
        "/reports/generate/", {"division": "330599101201", "period": "2999-01"}, follow=True
    )

    assert "尚未结束" in response.content.decode()
    assert queued == []


def test_it_subscribes_with_csrf_and_unsubscribes(report_county: ReportCounty) -> None:
    c = report_county.county
    strict = Client(enforce_csrf_checks=True)
    strict.force_login(c.zhangwei)
    assert strict.post("/reports/subscribe/", {"division": c.village.code}).status_code == 403

    client = _client(c.zhangwei)
    response = client.post(
        "/reports/subscribe/",
        {"division": c.village.code, "department": c.scjg.pk, "include_children": "on"},
        follow=True,
    )
    assert "已订阅东山村的数据报告" in response.content.decode()
    sub = Subscription.objects.get(user=c.zhangwei)
    assert sub.department == c.scjg and sub.include_children

    response = client.post("/reports/unsubscribe/", {"division": c.village.code}, follow=True)
    assert "已取消订阅东山村的数据报告" in response.content.decode()
    assert not Subscription.objects.exists()
    other = client.post(
        "/reports/subscribe/", {"division": c.village.code, "department": c.zrzy.pk}
    )
    assert other.status_code == 403


def test_it_prints_a_rare_character_with_a_font_of_its_own(
    report_county: ReportCounty, tmp_path: Path
) -> None:
    # 仉 (U+4EC9, a surname) is outside the one-file face: its unicode-range subset is added.
    Division.objects.filter(pk=report_county.dongshan.pk).update(name="仉家村")

    report = services.report_generate(division=report_county.dongshan, period=PERIOD)

    text = _pdf_text(report.pdf.read(), tmp_path)
    assert "仉家村2025年3月数据月报" in text
    fonts = subprocess.run(
        ["pdffonts", str(tmp_path / "report.pdf")], capture_output=True, text=True, check=True
    ).stdout.splitlines()[2:]
    assert len(fonts) >= 3 and all(line.split()[-5] == "yes" for line in fonts)


def test_it_renders_the_monthly_batch_in_worker_processes(
    report_county: ReportCounty, monkeypatch: Any, tmp_path: Path
) -> None:
    monkeypatch.setattr(services, "PARALLEL_MIN", 2)

    made = services.reports_generate_monthly(PERIOD, processes=2)

    assert made == 9
    report = Report.objects.get(division=report_county.dongshan, period=PERIOD)
    assert POP_DONGSHAN in "".join(_pdf_text(report.pdf.read(), tmp_path).split())
