"""Automatic reports: generating, archiving, the monthly job and subscriptions.

The archive keeps one report per division, period and kind: generating it
again replaces its three files (the old ones are deleted once the new row is
committed). Rendering happens before the transaction, which only swaps the
files and the facts.

Who reads reports: every active member of staff (the reports carry open and
shared data only, see ``reports.report_indicators``); citizens and anonymous
visitors never. Who orders a 专报: leaders, administrators and data stewards.
"""

from __future__ import annotations

import gc
import itertools
import logging
import multiprocessing
import os
from collections.abc import Iterable, Iterator
from concurrent.futures import ProcessPoolExecutor
from contextlib import contextmanager
from dataclasses import dataclass

import django
from django.core.exceptions import PermissionDenied
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.db import transaction
from django.db.models import Max, Q, QuerySet
from django.urls import reverse
from django.utils import timezone

from zhili.accounts.models import Role, User
from zhili.datahub.models import Indicator, Report, Subscription
from zhili.datahub.report_render import (
    render_html,
    render_pdf,
    render_xlsx,
)
from zhili.datahub.reports import (
    ReportFacts,
    Snapshot,
    last_complete_month,
    narrate,
    period_label,
    report_facts,
)
from zhili.divisions.models import Department, Division

log = logging.getLogger(__name__)

MONTHLY = "monthly"
ON_DEMAND = "on_demand"
KINDS = {MONTHLY: "月报", ON_DEMAND: "专报"}
NOTIFY_KIND = "datahub.report"
GENERATE_JOB = "zhili.datahub.report_services.report_generate_job"
MONTHLY_JOB = "zhili.datahub.report_services.reports_monthly_sweep"
LEVEL_ORDER = {"county": 0, "town": 1, "village": 2}
SUMMARY_SENTENCES = 3
PARALLEL_MIN = 12  # fewer reports than this are rendered faster than a pool starts


# ---- who may do what ----


def can_read_reports(user: object) -> bool:
    return isinstance(user, User) and user.is_active and user.works_in_back_office


def can_order_reports(user: object) -> bool:
    """生成专报: leaders, administrators and data stewards."""
    return can_read_reports(user) and (
        user.is_county_wide or getattr(user, "role", "") == Role.DATA_STEWARD  # type: ignore[attr-defined]
    )


# ---- reads ----


def report_archive(
    *, user: User, division: Division | None = None, period: str = "", kind: str = ""
) -> QuerySet[Report]:
    """The reports a user may read; a division filter takes in its towns and villages too."""
    if not can_read_reports(user):
        return Report.objects.none()
    reports = Report.objects.select_related("division", "division__parent")
    if division is not None:
        reports = reports.filter(
            Q(division=division)
            | Q(division__parent=division)
            | Q(division__parent__parent=division)
        )
    if period:
        reports = reports.filter(period=period)
    if kind:
        reports = reports.filter(kind=kind)
    return reports.order_by("-period", "kind", "division__code")


def report_periods() -> list[str]:
    return list(Report.objects.order_by("-period").values_list("period", flat=True).distinct())


def subscriptions_of(user: User) -> QuerySet[Subscription]:
    return Subscription.objects.filter(user=user).select_related("division", "department")


# ---- generating ----


@dataclass
class _Files:
    html: bytes
    pdf: bytes
    xlsx: bytes
    summary: str


def _render(facts: ReportFacts, kind: str) -> _Files:
    html = render_html(facts, kind=kind)
    pdf = render_pdf(facts, kind=kind)
    summary = "".join(narrate(facts)[:SUMMARY_SENTENCES])
    return _Files(html.encode(), pdf, render_xlsx(facts, kind=kind), summary)


def report_generate(
    *,
    division: Division,
    period: str,
    actor: User | None = None,
    kind: str = MONTHLY,
    snapshot: Snapshot | None = None,
) -> Report:
    """Make (or make again) the report of ``division`` for ``period``: HTML, PDF, Excel and facts."""
    if kind not in KINDS:
        raise ValueError(f"unknown report kind {kind!r}")
    facts = report_facts(division=division, period=period, snapshot=snapshot)
    return _store(
        division=division,
        period=period,
        kind=kind,
        actor=actor,
        facts=facts,
        files=_render(facts, kind),
    )


def _store(
    *,
    division: Division,
    period: str,
    kind: str,
    actor: User | None,
    facts: ReportFacts,
    files: _Files,
) -> Report:
    stem = f"{division.code}-{period}" + ("-zb" if kind == ON_DEMAND else "")
    written: list[str] = []
    try:
        with transaction.atomic():
            report = (
                Report.objects.select_for_update()
                .filter(division=division, period=period, kind=kind)
                .order_by("pk")
                .first()
            ) or Report(division=division, period=period, kind=kind)
            old = [f.name for f in (report.html, report.pdf, report.xlsx) if f.name]
            # Saved under new names (the storage never overwrites), the old ones deleted after commit:
            # a reader never finds a report without its files.
            report.html.save(f"{stem}.html", ContentFile(files.html), save=False)
            written.append(report.html.name)
            report.pdf.save(f"{stem}.pdf", ContentFile(files.pdf), save=False)
            written.append(report.pdf.name)
            report.xlsx.save(f"{stem}.xlsx", ContentFile(files.xlsx), save=False)
            written.append(report.xlsx.name)
            report.summary = files.summary
            report.facts = facts.as_json()
            report.requested_by = actor
            report.created_at = timezone.now()
            report.save()
            # A name reused (the old file was already gone) is the new file: keep it.
            stale = [name for name in old if name not in written]
            transaction.on_commit(lambda: _delete_files(stale))
    except BaseException:
        _delete_files(written)
        raise
    return report


def _delete_files(names: Iterable[str]) -> None:
    for name in names:
        try:
            default_storage.delete(name)
        except OSError:  # pragma: no cover - a file already gone is what we wanted
            log.warning("could not delete old report file %s", name)


def report_order(*, user: User, division: Division, period: str) -> None:
    """生成专报: queue the report of ``division`` for ``period``; the orderer is told when it is ready."""
    if not can_order_reports(user):
        raise PermissionDenied("只有领导、系统管理员和数据管理员可以生成专报。")
    from zhili.jobs import enqueue

    enqueue(GENERATE_JOB, division.code, period, ON_DEMAND, user.pk)


def report_generate_job(
    division_code: str, period: str, kind: str = ON_DEMAND, actor_id: int | None = None
) -> int:
    """The worker's side of ``report_order``; returns the report's id."""
    from zhili.notify.services import notify

    division = Division.objects.get(code=division_code)
    actor = User.objects.filter(pk=actor_id).first() if actor_id else None
    report = report_generate(division=division, period=period, actor=actor, kind=kind)
    if actor is not None:
        notify(
            user=actor,
            kind=NOTIFY_KIND,
            title=f"{report_title_of(report)}已生成",
            body=report.summary[:300],
            link=reverse("reports:detail", args=[report.pk]),
        )
    return report.pk


def report_title_of(report: Report) -> str:
    return (
        f"{report.division.name}{period_label(report.period)}数据{KINDS.get(report.kind, '报告')}"
    )


def reports_generate_monthly(period: str | None = None, *, processes: int | None = None) -> int:
    """The monthly reports of the county, every town and every village; then the subscribers are told.

    ``period`` defaults to the last complete month. A division without any
    value in the period gets no report. The facts are read here (one query
    for all of them); the files are rendered by ``processes`` worker
    processes (default: one per CPU), or here when this process may not
    have children (a daemonic queue worker) or the batch is small. Returns
    how many reports were made.
    """
    period = period or last_complete_month()
    snapshot = Snapshot(period)
    divisions = sorted(
        Division.objects.filter(level__in=list(LEVEL_ORDER)).select_related("parent"),
        key=lambda d: (LEVEL_ORDER[d.level], d.code),
    )
    batch: list[tuple[Division, ReportFacts]] = []
    for division in divisions:
        facts = report_facts(division=division, period=period, snapshot=snapshot)
        if any(i.value is not None for i in facts.indicators):
            batch.append((division, facts))
    made: list[Report] = []
    rendered = _render_many([facts for _, facts in batch], MONTHLY, processes=processes)
    for (division, facts), files in zip(batch, rendered, strict=True):
        made.append(
            _store(
                division=division, period=period, kind=MONTHLY, actor=None, facts=facts, files=files
            )
        )
    subscribers_notify(made, period=period)
    return len(made)


def _render_many(batch: list[ReportFacts], kind: str, *, processes: int | None) -> Iterator[_Files]:
    """The files of each report, in order, as they are ready."""
    workers = min(processes or os.cpu_count() or 1, len(batch))
    if workers <= 1 or len(batch) < PARALLEL_MIN or multiprocessing.current_process().daemon:
        with _relaxed_gc():
            for facts in batch:
                yield _render(facts, kind)
        return
    # Spawned, not forked: a fork of a process with threads and open connections is unsafe.
    # The children read DJANGO_SETTINGS_MODULE from the environment they inherit.
    with ProcessPoolExecutor(
        max_workers=workers,
        mp_context=multiprocessing.get_context("spawn"),
        initializer=django.setup,
    ) as pool:
        yield from pool.map(_render_in_worker, batch, itertools.repeat(kind), chunksize=2)


_worker_ready = False


def _render_in_worker(facts: ReportFacts, kind: str) -> _Files:
    """``_render`` in a rendering process, whose heap after the first report is left to it."""
    global _worker_ready
    files = _render(facts, kind)
    if not _worker_ready:
        gc.freeze()  # Django and the fonts stay; the collector stops walking them
        _worker_ready = True
    return files


@contextmanager
def _relaxed_gc() -> Iterator[None]:
    """Rendering a batch without the collector walking the whole heap again and again.

    WeasyPrint allocates heavily; with the default thresholds every full
    collection walks Django, the snapshot and the fonts too. Frozen, they
    are skipped until the batch is done; then they are collectable again.
    """
    before = gc.get_threshold()
    gc.freeze()
    gc.set_threshold(50_000, 50, 100)
    try:
        yield
    finally:
        gc.set_threshold(*before)
        gc.unfreeze()


def reports_monthly_sweep() -> int:
    """The periodic job (run it daily): the last month's reports, once the month is over.

    Makes them when they do not exist yet, and again when an indicator was
    recomputed after they were made (a department published late data).
    Returns how many reports were made, 0 when nothing was due.
    """
    period = last_complete_month()
    county = Division.objects.filter(level="county").order_by("code").first()
    if county is None:
        return 0
    made_at = (
        Report.objects.filter(division=county, period=period, kind=MONTHLY)
        .values_list("created_at", flat=True)
        .first()
    )
    if made_at is not None:
        latest = Indicator.objects.aggregate(latest=Max("computed_at"))["latest"]
        if latest is None or latest <= made_at:
            return 0
    return reports_generate_monthly(period)


# ---- subscriptions ----


def _recipients(subscription: Subscription) -> set[User]:
    people = {subscription.user}
    if subscription.department_id is not None:
        people |= set(subscription.department.staff.filter(is_active=True))  # type: ignore[union-attr]
    return {u for u in people if can_read_reports(u)}


def subscribers_notify(reports: list[Report], *, period: str) -> int:
    """Tell each subscriber (and the staff of a subscribed department) about their new reports.

    One message per subscription: the report itself, or, with the towns and
    villages included, the archive filtered to that division and period.
    Returns how many messages were sent.
    """
    from zhili.notify.services import notify_many

    if not reports:
        return 0
    by_division = {r.division_id: r for r in reports}
    parents = dict(Division.objects.values_list("pk", "parent_id"))

    def ancestors(pk: int) -> set[int]:
        out: set[int] = set()
        while parents.get(pk) is not None:
            pk = parents[pk]
            out.add(pk)
        return out

    covered_by: dict[int, list[Report]] = {}
    for r in reports:
        for pk in ancestors(r.division_id):
            covered_by.setdefault(pk, []).append(r)
    messages: dict[tuple[str, str, str], set[User]] = {}
    label = period_label(period)
    subscriptions = Subscription.objects.filter(division_id__in=set(by_division) | set(covered_by))
    for sub in subscriptions.select_related("user", "department", "division"):
        own = by_division.get(sub.division_id)
        below = covered_by.get(sub.division_id, []) if sub.include_children else []
        if own is None and not below:
            continue
        if not below and own is not None:
            key = (
                f"{report_title_of(own)}已生成",
                own.summary[:300],
                reverse("reports:detail", args=[own.pk]),
            )
        else:
            count = len(below) + (own is not None)
            link = reverse("reports:list") + f"?division={sub.division.code}&period={period}"
            key = (
                f"{sub.division.name}及下级区划{label}数据月报已生成",
                f"共{count}份报告，请在报告库中查看。",
                link,
            )
        messages.setdefault(key, set()).update(_recipients(sub))
    sent = 0
    for (title, body, link), users in messages.items():
        if users:
            sent += len(
                notify_many(
                    sorted(users, key=lambda u: u.pk),
                    kind=NOTIFY_KIND,
                    title=title,
                    body=body,
                    link=link,
                )
            )
    return sent


@transaction.atomic
def subscription_set(
    *,
    user: User,
    division: Division,
    department: Department | None = None,
    include_children: bool = False,
) -> Subscription:
    """Subscribe ``user`` (and, with ``department``, its staff) to the reports of ``division``."""
    if not can_read_reports(user):
        raise PermissionDenied("只有工作人员可以订阅数据报告。")
    if department is not None and not user.departments.filter(pk=department.pk).exists():
        raise PermissionDenied(f"您不属于{department.name}，不能为该部门订阅。")
    subscription, _ = Subscription.objects.update_or_create(
        user=user,
        division=division,
        defaults={"department": department, "include_children": include_children},
    )
    return subscription


@transaction.atomic
def subscription_remove(*, user: User, division: Division) -> bool:
    """False when there was no such subscription."""
    deleted, _ = Subscription.objects.filter(user=user, division=division).delete()
    return deleted > 0
