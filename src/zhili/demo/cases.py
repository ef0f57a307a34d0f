"""Cases of the demo county: filed through every channel, at every stage, some late.

Everything goes through the same services the pages call (``case_submit``,
``task_complete``, ``rating_submit``), so the demo shows what the code does,
not what a fixture says. Deadlines are then moved back in time so the
supervision board has yellow and red lights to show.
"""

from __future__ import annotations

import random
from datetime import date
from typing import Any

from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone
from stdnum.cn import ric

from zhili.accounts.models import Role, User
from zhili.cases import deadlines, services
from zhili.cases.materials import MaterialInput
from zhili.cases.models import Applicant, Case, ELicence, Task
from zhili.catalogue import schema
from zhili.catalogue.models import ServiceItem
from zhili.divisions.models import Department, Division, ServicePoint
from zhili.workdays.calendar import CalendarNotCovered, current_calendar

PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"
SURNAMES = "王李张刘陈杨黄赵吴周徐孙朱胡沈钱蒋姚"
GIVEN = [
    "建华",
    "秀英",
    "国强",
    "丽娟",
    "志明",
    "海燕",
    "文斌",
    "美玲",
    "永康",
    "春梅",
    "立新",
    "雪芳",
]
DEMO_DEPARTMENTS = ["SCJG", "BDC"]


def resident_id(rng: random.Random, county_code: str) -> str:
    birth = date(rng.randint(1955, 2000), rng.randint(1, 12), rng.randint(1, 28))
    body = f"{county_code}{birth:%Y%m%d}{rng.randint(0, 999):03d}"
    return body + ric.calc_check_digit(body + "0")


def ensure_calendar(admin: User, today: date) -> str | None:
    """The demo runs past the calendar's last year: say so rather than guess silently."""
    from zhili.workdays.services import calendar_year_enter

    year = today.year + 1
    try:
        current_calendar().add(date(year, 6, 1), 1)
        return None
    except CalendarNotCovered:
        # Only the fixed-date holidays, without 调休: clearly labelled as not official.
        fixed = [(1, 1, "元旦"), *((5, d, "劳动节") for d in range(1, 6))]
        fixed += [(10, d, "国庆节") for d in range(1, 8)]
        calendar_year_enter(
            year=year,
            days=[(date(year, m, d), False, name) for m, d, name in fixed],
            source="示范数据：仅含固定日期节日、未含调休，非官方；正式使用前须按国务院办公厅通知重新录入",
            actor=admin,
        )
        return f"{year}年节假日未发布，示范县录入了非官方的示范安排"


def _pdf(name: str, salt: str) -> SimpleUploadedFile:
    return SimpleUploadedFile(name, PDF + salt.encode(), content_type="application/pdf")


def _inputs(
    version_doc: dict[str, Any],
    answers: dict[str, str],
    applicant: Applicant,
    *,
    at_window: bool,
    today: date,
) -> dict[str, MaterialInput]:
    from zhili.cases.materials import offers

    wanted = schema.materials_for(version_doc, answers)
    offered = offers(applicant, wanted, today=today)
    out = {}
    for m in wanted:
        code = m["code"]
        if m.get("necessity") == "非必要":
            continue
        if code in offered:
            out[code] = MaterialInput(code, elicence_id=offered[code][0].pk)
        elif at_window:
            out[code] = MaterialInput(code, paper=True)
        else:
            out[code] = MaterialInput(
                code, upload=_pdf(f"{m['name']}.pdf", f"{applicant.pk}{code}")
            )
    return out


def _first_answers(doc: dict[str, Any]) -> dict[str, str]:
    return {s["code"]: schema.parse_option(s["options"][0])[0] for s in doc.get("situations", [])}


def _act(case: Case, user: User, action: str, comment: str = "") -> Case:
    task = Task.objects.get(case=case, state=Task.OPEN, role__in=["clerk", "reviewer"])
    return services.task_complete(task=task, actor=user, action=action, comment=comment)


def load_cases(*, seed: int = 2026) -> dict[str, int]:
    rng = random.Random(seed)
    today = timezone.localdate()
    admin = User.objects.get(username="admin")
    ensure_calendar(admin, today)
    county = Division.objects.get(level="county")
    villages = list(Division.objects.filter(level="village").order_by("code"))
    dongshan = next(v for v in villages if v.name == "东山村")
    clerk = User.objects.get(username="zhangwei")
    reviewers = {
        d.code: list(d.staff.filter(role=Role.REVIEWER))
        for d in Department.objects.filter(code__in=DEMO_DEPARTMENTS)
    }
    hall = ServicePoint.objects.filter(kind="hall").first()
    wangfang = services.applicant_get_or_create(
        kind=Applicant.PERSON,
        id_number=resident_id(rng, county.code[:6]),
        name="王芳",
        phone="13805720001",
        user=User.objects.get(username="wangfang"),
        division=dongshan,
    )
    gaj = Department.objects.filter(code="GAJ").first()
    ELicence.objects.create(
        number=f"GAJ-ID-{wangfang.pk:06d}", kind="居民身份证", holder=wangfang, issuer=gaj,
        trust="A", issued_on=date(2019, 5, 1), valid_until=date(2039, 5, 1),
        verify_code="DEMO0ID00001", data={"姓名": "王芳"},
    )  # fmt: skip
    items = list(
        ServiceItem.objects.filter(department__code__in=DEMO_DEPARTMENTS, current__isnull=False)
        .select_related("current", "department")
        .order_by("impl_code")
    )
    online = [
        i
        for i in items
        if i.current and i.current.document["online_depth"] in schema.ONLINE_DEPTHS_APPLY_ONLINE
    ]
    at_village = [i for i in items if i.current and "村级代办" in i.current.document["supports"]]
    lina = User.objects.get(username="lina")
    filed: list[Case] = []
    for n in range(36):
        kind = n % 3
        if kind == 0 and online:
            item, actor, channel, applicant = rng.choice(online), wangfang.user, "online", wangfang
            point = None
        else:
            village = dongshan if kind == 1 else rng.choice(villages)
            applicant = services.applicant_get_or_create(
                kind=Applicant.PERSON,
                id_number=resident_id(rng, county.code[:6]),
                name=rng.choice(SURNAMES) + rng.choice(GIVEN),
                phone=f"13{rng.randint(0, 9)}{rng.randint(10000000, 99999999)}",
                division=village,
            )
            if kind == 1 and at_village:
                item, actor, channel, point = rng.choice(at_village), lina, "village_point", None
            else:
                item, actor, channel, point = rng.choice(items), clerk, "window", hall
        assert item.current is not None and actor is not None
        doc = item.current.document
        answers = _first_answers(doc)
        case, _ = services.case_submit(
            item=item, actor=actor, channel=channel, applicant=applicant, answers=answers,
            materials=_inputs(doc, answers, applicant, at_window=channel != "online", today=today),
            service_point=point, idempotency_key=f"demo-{n}",
        )  # fmt: skip
        filed.append(case)
    counts = {"cases": len(filed), "concluded": 0, "late": 0}
    for n, case in enumerate(filed):
        stage = (n // 3) % 6  # 0 waits for 受理; 1 in review; 2 late; 3 yellow; 4-5 concluded
        if stage == 0:
            continue
        dept_reviewers = reviewers.get(case.department.code) or []
        if not dept_reviewers:
            continue
        reviewer = dept_reviewers[0]
        case = _act(case, clerk, "accept")
        if stage in (2, 3):
            days_back = case.promised_days + 2 if stage == 2 else max(case.promised_days - 1, 1)
            started = current_calendar().add(today, -days_back)
            deadlines.clock_start(case, today=started)
            Case.objects.filter(pk=case.pk).update(
                clock_from=case.clock_from, due_promised=case.due_promised,
                due_statutory=case.due_statutory, warn_on=case.warn_on,
            )  # fmt: skip
            counts["late"] += stage == 2
            continue
        if stage == 1:
            continue
        case = _act(case, reviewer, "approve")
        case = _act(case, reviewer, "approve")
        case = _act(case, clerk, "deliver")
        counts["concluded"] += 1
    deadlines.sweep(today=today)
    counts.update(_ratings(filed))
    return counts


def _ratings(filed: list[Case]) -> dict[str, int]:
    from zhili.cases.ratings import rating_submit

    rated = 0
    mine = [
        c for c in Case.objects.filter(pk__in=[c.pk for c in filed], status="concluded")
        if c.applicant.user_id is not None
    ]  # fmt: skip
    for n, case in enumerate(mine):
        user = case.applicant.user
        assert user is not None
        if n == 0:
            rating_submit(
                case=case, actor=user, level=2, tags=["办理超时"], reason="等了很久才拿到结果"
            )
        else:
            rating_submit(case=case, actor=user, level=5, tags=["一次办成"], reason="")
        rated += 1
    return {"ratings": rated}
