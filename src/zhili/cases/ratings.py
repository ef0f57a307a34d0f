"""好差评: the applicant rates a concluded case; a bad rating is called back and rectified.

国办发〔2019〕51号 (建立政务服务“好差评”制度): five levels, 非常满意 to
非常不满意; 不满意 and 非常不满意 are 差评 and carry a reason or a tag; every
差评 is called back (回访), rectified by a deadline the province sets (here
``settings.ZHILI_RECTIFY_DAYS`` working days, 1 to 15), and the response goes
back to the applicant, who may rate once more.

- One rating per case online (``visit`` empty) and one per visit in person
  (``visit`` given, e.g. at the window's rating pad or the kiosk), each in
  round 1; round 2 only after that rating's rectification is done, once.
- Only the applicant rates, from their own account (``case.applicant.user``):
  for a case a village agent filed, that is the villager's account, never the
  agent's; staff accounts never rate, not even for their own case, so nobody
  at a department can score its own work. A villager without an account
  cannot rate until they have one linked to the applicant.
- Ratings are never changed or deleted: there is no service for it.
"""

from __future__ import annotations

from datetime import date

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured, PermissionDenied
from django.db import IntegrityError, transaction
from django.db.models import Q
from django.http import HttpRequest
from django.utils import timezone

from zhili.accounts.models import Role, User
from zhili.audit.services import audit_record
from zhili.cases.models import (
    BAD_RATINGS,
    Case,
    CaseStatus,
    Channel,
    Rating,
    RatingLevel,
    Rectification,
    Visit,
)
from zhili.cases.services import CaseInvalid, Conflict
from zhili.notify.services import notify, notify_many
from zhili.workdays.calendar import add_working_days

GOOD_TAGS: list[str] = [
    "服务热情", "一次办成", "办理快捷", "材料精简", "指引清晰",
    "流程简便", "网办便捷", "环境舒适",
]  # fmt: skip
BAD_TAGS: list[str] = [
    "多次跑动", "材料繁琐", "办理超时", "态度不好", "政策不清",
    "系统卡顿", "流程繁琐", "指引不清", "推诿扯皮",
]  # fmt: skip
RATING_TAGS: list[str] = GOOD_TAGS + BAD_TAGS

RATEABLE_STATUSES = {CaseStatus.CONCLUDED, CaseStatus.NOT_ACCEPTED}
MAX_ROUNDS = 2  # the first rating, and once more after the rectification
RECTIFY_DAYS_MIN, RECTIFY_DAYS_MAX = 1, 15
REASON_MAX = 500
NOTE_MAX = 2000


def rectify_days() -> int:
    """``settings.ZHILI_RECTIFY_DAYS``, checked: provinces set 1 to 15 working days."""
    days = getattr(settings, "ZHILI_RECTIFY_DAYS", None)
    if (
        isinstance(days, bool)
        or not isinstance(days, int)
        or not (RECTIFY_DAYS_MIN <= days <= RECTIFY_DAYS_MAX)
    ):
        raise ImproperlyConfigured(
            f"ZHILI_RECTIFY_DAYS must be a number of working days from {RECTIFY_DAYS_MIN} "
            f"to {RECTIFY_DAYS_MAX}, got {days!r}"
        )
    return days


# -- rating -------------------------------------------------------------------


def rating_submit(
    *,
    case: Case,
    actor: User,
    level: int,
    tags: list[str],
    reason: str = "",
    visit: Visit | None = None,
    channel: str = "online",
    today: date | None = None,
    request: HttpRequest | None = None,
) -> Rating:
    """The applicant rates a concluded case (or one visit of it); a 差评 opens a rectification.

    ``today`` is the day the rectification deadline counts from (today by default).
    """
    _check_rater(case, actor)
    if case.status not in RATEABLE_STATUSES:
        raise CaseInvalid({"rating": "办件办结后才能评价"})
    if channel not in Channel.values:
        raise CaseInvalid({"channel": f"未知的评价渠道“{channel}”"})
    if visit is not None and visit.case_id != case.pk:
        raise CaseInvalid({"visit": "该到场记录不属于本办件"})
    tags = list(dict.fromkeys(tags or []))  # the same tag twice counts once
    reason = (reason or "").strip()
    errors = _check_content(level, tags, reason)
    if errors:
        raise CaseInvalid(errors)
    bad = level in BAD_RATINGS
    days = rectify_days() if bad else 0  # a wrong setting fails before anything is written
    today = today or timezone.localdate()
    with transaction.atomic():
        round_ = _next_round(case, visit)
        try:
            with transaction.atomic():
                rating = Rating.objects.create(
                    case=case, visit=visit, rater=actor, round=round_, level=level,
                    tags=tags, reason=reason, channel=channel,
                )  # fmt: skip
        except IntegrityError as exc:
            # Two submissions at once: the unique constraints let one through.
            raise CaseInvalid({"rating": _already(visit)}) from exc
        rectification = None
        if bad:
            rectification = Rectification.objects.create(
                rating=rating,
                department_id=case.department_id,
                due_on=add_working_days(today, days),
            )
        label = RatingLevel(level).label
        audit_record(
            action="rating.submit",
            actor=actor,
            object_type="case",
            object_id=case.number,
            summary=f"评价“{label}”（第{round_}轮{'，到场服务' if visit else ''}）",
            after={
                "level": level,
                "round": round_,
                "tags": tags,
                "reason": reason,
                "visit": visit.pk if visit else None,
                "rectify_by": rectification.due_on.isoformat() if rectification else None,
            },
            channel=channel,
            request=request,
        )
        if rectification is not None:
            _notify_department(case, rating, rectification)
    return rating


def _check_rater(case: Case, actor: User) -> None:
    if not actor.is_authenticated:
        raise PermissionDenied("请先登录再评价")
    if actor.works_in_back_office:
        raise PermissionDenied("工作人员不能代替申请人评价")
    owner = case.applicant.user_id
    if owner is None or owner != actor.pk:
        raise PermissionDenied("只有申请人本人可以评价")


def _check_content(level: int, tags: list[str], reason: str) -> dict[str, str]:
    errors: dict[str, str] = {}
    if isinstance(level, bool) or level not in RatingLevel.values:
        return {"level": "请选择评价等级（非常满意、满意、基本满意、不满意、非常不满意）"}
    unknown = [t for t in tags if not isinstance(t, str) or t not in RATING_TAGS]
    if unknown:
        errors["tags"] = f"未知的评价标签：{'、'.join(map(str, unknown))}"
    elif level in BAD_RATINGS and any(t in GOOD_TAGS for t in tags):
        errors["tags"] = "差评不能选择好评标签"
    elif level >= RatingLevel.SATISFIED and any(t in BAD_TAGS for t in tags):
        errors["tags"] = "满意的评价不能选择差评标签"
    if len(reason) > REASON_MAX:
        errors["reason"] = f"评价理由不超过{REASON_MAX}字"
    elif level in BAD_RATINGS and not reason and not any(t in BAD_TAGS for t in tags):
        errors["reason"] = "差评请填写理由或选择至少一个差评标签"
    return errors


def _already(visit: Visit | None) -> str:
    return "本次到场服务已评价，不能重复评价" if visit else "本办件已评价，不能重复评价"


def _next_round(case: Case, visit: Visit | None) -> int:
    """1 for the first rating; 2 once the first was a 差评 whose rectification is done."""
    last = Rating.objects.filter(case=case, visit=visit).order_by("-round").first()
    if last is None:
        return 1
    if last.round >= MAX_ROUNDS or not last.is_bad():
        raise CaseInvalid({"rating": _already(visit)})
    state = Rectification.objects.filter(rating=last).values_list("state", flat=True).first()
    if state != Rectification.DONE:
        raise CaseInvalid({"rating": "差评正在整改，整改完成后可以再次评价"})
    return last.round + 1


def rating_next_round(case: Case, visit: Visit | None = None) -> int | None:
    """The round the applicant may rate in now, or None (rated, or the 差评 is being rectified).

    The case page shows the rating form by it; ``rating_submit`` checks again.
    """
    try:
        return _next_round(case, visit)
    except CaseInvalid:
        return None


def ratings_of(case: Case) -> list[tuple[Rating, Rectification | None]]:
    """Every rating of a case with its rectification, for the case page's history."""
    ratings = Rating.objects.filter(case=case).select_related("visit", "rectification")
    return [
        (r, getattr(r, "rectification", None)) for r in ratings.order_by("visit_id", "round", "pk")
    ]


def _notify_department(case: Case, rating: Rating, rectification: Rectification) -> None:
    """The department's clerks and reviewers, and the leaders over it, hear of every 差评."""
    department = case.department
    people = User.objects.filter(is_active=True).filter(
        Q(role__in=[Role.CLERK, Role.REVIEWER, Role.LEADER], departments=department)
        | Q(role=Role.LEADER, divisions=department.division_id)
    )
    what = "、".join(rating.tags) or rating.reason
    notify_many(
        people.distinct(),
        kind="rating.rectify",
        title=f"差评待整改：{case.item.name}",
        body=(
            f"办件{case.number}（{case.item.name}）收到“{rating.get_level_display()}”评价"
            f"（{what}）。请回访申请人，并于{rectification.due_on:%Y年%m月%d日}前完成整改。"
        ),
        link=f"/staff/cases/{case.ref}/",
    )


# -- rectification -------------------------------------------------------------


def _check_handler(rectification: Rectification, actor: User) -> None:
    if actor.is_authenticated and (actor.is_superuser or actor.role == Role.ADMIN):
        return
    if (
        actor.works_in_back_office
        and actor.role != Role.VILLAGE_AGENT
        and actor.departments.filter(pk=rectification.department_id).exists()
    ):
        return
    raise PermissionDenied("只有被评价部门的工作人员可以处理该差评整改")


def _text(value: str, field: str, missing: str) -> str:
    value = (value or "").strip()
    if not value:
        raise CaseInvalid({field: missing})
    if len(value) > NOTE_MAX:
        raise CaseInvalid({field: f"不超过{NOTE_MAX}字"})
    return value


def rectification_callback(
    *,
    rectification: Rectification,
    actor: User,
    note: str,
    request: HttpRequest | None = None,
) -> Rectification:
    """回访: staff of the rated department called the applicant back and wrote down what was said."""
    _check_handler(rectification, actor)
    note = _text(note, "note", "请填写回访记录")
    if rectification.state != Rectification.OPEN:
        raise CaseInvalid({"state": "该差评已回访"})
    now = timezone.now()
    with transaction.atomic():
        n = Rectification.objects.filter(pk=rectification.pk, state=Rectification.OPEN).update(
            state=Rectification.CALLED_BACK, callback_at=now, callback_note=note, handled_by=actor
        )
        if n == 0:
            raise Conflict("该差评已由他人回访，请刷新后查看")
        rectification.refresh_from_db()
        case = rectification.rating.case
        audit_record(
            action="rectification.callback",
            actor=actor,
            object_type="case",
            object_id=case.number,
            summary=f"差评回访（第{rectification.rating.round}轮评价）",
            before={"state": Rectification.OPEN},
            after={"state": rectification.state, "note": note},
            request=request,
        )
    return rectification


def rectification_respond(
    *,
    rectification: Rectification,
    actor: User,
    response: str,
    request: HttpRequest | None = None,
) -> Rectification:
    """整改完毕: the response goes to the applicant, who may then rate once more."""
    _check_handler(rectification, actor)
    response = _text(response, "response", "请填写整改情况")
    if rectification.state == Rectification.OPEN:
        raise CaseInvalid({"state": "请先回访申请人，再填写整改情况"})
    if rectification.state == Rectification.DONE:
        raise CaseInvalid({"state": "该差评已整改完毕"})
    now = timezone.now()
    late = rectification.overdue or timezone.localdate(now) > rectification.due_on
    with transaction.atomic():
        n = Rectification.objects.filter(
            pk=rectification.pk, state=Rectification.CALLED_BACK
        ).update(
            state=Rectification.DONE, response=response, done_at=now, handled_by=actor, overdue=late
        )
        if n == 0:
            raise Conflict("该差评已由他人整改，请刷新后查看")
        rectification.refresh_from_db()
        rating = Rating.objects.select_related("case", "case__item").get(pk=rectification.rating_id)
        case = rating.case
        audit_record(
            action="rectification.respond",
            actor=actor,
            object_type="case",
            object_id=case.number,
            summary=f"差评整改完毕（第{rating.round}轮评价）{'，已超期' if late else ''}",
            before={"state": Rectification.CALLED_BACK},
            after={"state": rectification.state, "response": response, "overdue": late},
            request=request,
        )
        again = "您可以对整改结果再次评价。" if rating.round < MAX_ROUNDS else ""
        notify(
            user=rating.rater,
            kind="rating.rectified",
            title=f"差评整改反馈：{case.item.name}",
            body=f"您对“{case.item.name}”（办件编号{case.number}）的评价已整改：{response}{again}",
            link=f"/cases/{case.ref}/#rating",
        )
    return rectification
