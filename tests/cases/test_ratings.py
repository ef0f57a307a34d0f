"""好差评: 王芳 rates her concluded licence case; a 差评 is called back, rectified, rated again."""

from __future__ import annotations

from datetime import date

import pytest
from django.core.exceptions import ImproperlyConfigured, PermissionDenied
from django.test import override_settings

from tests.cases.conftest import apply_online
from tests.conftest import County
from zhili.accounts.models import User
from zhili.audit.models import AuditEntry
from zhili.cases import ratings, services
from zhili.cases.materials import MaterialInput
from zhili.cases.models import Applicant, Case, CaseStatus, Rating, Rectification, Task
from zhili.cases.ratings import rating_submit, rectification_callback, rectification_respond
from zhili.cases.services import CaseInvalid, task_complete
from zhili.catalogue.models import ServiceItem
from zhili.notify.models import Notification
from zhili.workdays.calendar import add_working_days, is_working_day

# Wednesday 30 September 2026, the last working day before National Day.
RATED_ON = date(2026, 9, 30)


def conclude(county: County, case: Case) -> Case:
    """受理 by 张伟, 审查 and 决定 (准予) by 陈静."""
    for user, action in [
        (county.zhangwei, "accept"),
        (county.chenjing, "approve"),
        (county.chenjing, "approve"),
    ]:
        task = Task.objects.get(case=case, state=Task.OPEN)
        case = task_complete(task=task, actor=user, action=action)
    assert case.status == CaseStatus.CONCLUDED
    return case


@pytest.fixture
def concluded(county: County, licence_item: ServiceItem, wangfang: Applicant) -> Case:
    return conclude(county, apply_online(county, licence_item, wangfang))


def rate_badly(county: County, case: Case) -> Rating:
    return rating_submit(
        case=case, actor=county.wangfang, level=1, tags=["多次跑动"], reason="补正跑了两趟",
        today=RATED_ON,
    )  # fmt: skip


def test_it_records_a_good_rating_once(county: County, concluded: Case) -> None:
    rating = rating_submit(
        case=concluded, actor=county.wangfang, level=5, tags=["一次办成", "办理快捷"]
    )
    assert (rating.round, rating.level, rating.rater, rating.visit) == (1, 5, county.wangfang, None)
    assert rating.tags == ["一次办成", "办理快捷"]
    assert not Rectification.objects.exists()
    assert AuditEntry.objects.filter(action="rating.submit", object_id=concluded.number).exists()


def test_it_refuses_a_second_online_rating(county: County, concluded: Case) -> None:
    rating_submit(case=concluded, actor=county.wangfang, level=4, tags=[])
    with pytest.raises(CaseInvalid) as exc:
        rating_submit(case=concluded, actor=county.wangfang, level=1, tags=["态度不好"])
    assert "已评价" in exc.value.errors["rating"]
    assert Rating.objects.filter(case=concluded).count() == 1


def test_it_refuses_a_rating_before_the_case_is_concluded(
    county: County, licence_item: ServiceItem, wangfang: Applicant
) -> None:
    case = apply_online(county, licence_item, wangfang)
    with pytest.raises(CaseInvalid) as exc:
        rating_submit(case=case, actor=county.wangfang, level=5, tags=[])
    assert exc.value.errors == {"rating": "办件办结后才能评价"}


def test_it_lets_a_villager_rate_a_case_not_accepted(
    county: County, licence_item: ServiceItem, wangfang: Applicant
) -> None:
    case = apply_online(county, licence_item, wangfang)
    task = Task.objects.get(case=case, state=Task.OPEN)
    case = task_complete(task=task, actor=county.zhangwei, action="refuse", comment="不属于本部门")
    assert case.status == CaseStatus.NOT_ACCEPTED
    rating = rating_submit(case=case, actor=county.wangfang, level=3, tags=["政策不清"])
    assert rating.level == 3


@pytest.mark.parametrize(
    ("who", "allowed"),
    [
        ("wangfang", True),  # the villager herself, from her own account
        ("lina", False),  # the village agent who filed for her
        ("zhangwei", False),  # the clerk who accepted it
        ("chenjing", False),  # the reviewer who decided it
        ("sunli", False),  # a county leader
        ("admin", False),
        ("stranger", False),  # another citizen
    ],
)
def test_it_lets_nobody_but_the_applicant_rate(
    county: County, licence_item: ServiceItem, wangfang: Applicant, who: str, allowed: bool
) -> None:
    from tests.cases.conftest import pdf

    case, _ = services.case_submit(
        item=licence_item, actor=county.lina, channel="village_point", applicant=wangfang,
        answers={"S1": "A", "S2": "A"}, service_point=county.village_point,
        materials={"M1": MaterialInput("M1", upload=pdf()), "M2": MaterialInput("M2", paper=True)},
    )  # fmt: skip
    case = conclude(county, case)
    if who == "stranger":
        actor = User.objects.create_user("zhaoliu", display_name="赵六", role="citizen")
    else:
        actor = getattr(county, who)
    if allowed:
        assert rating_submit(case=case, actor=actor, level=5, tags=[]).rater == actor
        return
    with pytest.raises(PermissionDenied):
        rating_submit(case=case, actor=actor, level=5, tags=[])
    assert not Rating.objects.exists()


def test_it_needs_a_reason_or_a_bad_tag_for_a_bad_rating(county: County, concluded: Case) -> None:
    for tags in ([], ["一次办成"]):
        with pytest.raises(CaseInvalid) as exc:
            rating_submit(case=concluded, actor=county.wangfang, level=2, tags=tags, reason="  ")
        assert set(exc.value.errors) & {"reason", "tags"}
    with pytest.raises(CaseInvalid) as exc:
        rating_submit(case=concluded, actor=county.wangfang, level=2, tags=[])
    assert exc.value.errors == {"reason": "差评请填写理由或选择至少一个差评标签"}
    assert not Rating.objects.exists()
    rating = rating_submit(
        case=concluded, actor=county.wangfang, level=2, tags=[], reason="窗口让我等了一小时",
        today=RATED_ON,
    )  # fmt: skip
    assert rating.is_bad()


def test_it_rejects_unknown_tags_and_levels(county: County, concluded: Case) -> None:
    with pytest.raises(CaseInvalid) as exc:
        rating_submit(case=concluded, actor=county.wangfang, level=5, tags=["超级棒"])
    assert exc.value.errors == {"tags": "未知的评价标签：超级棒"}
    with pytest.raises(CaseInvalid) as exc:
        rating_submit(case=concluded, actor=county.wangfang, level=5, tags=["态度不好"])
    assert "tags" in exc.value.errors
    with pytest.raises(CaseInvalid) as exc:
        rating_submit(case=concluded, actor=county.wangfang, level=6, tags=[])
    assert "level" in exc.value.errors


def test_it_splits_the_tags_into_good_and_bad() -> None:
    assert set(ratings.GOOD_TAGS).isdisjoint(ratings.BAD_TAGS)
    assert ratings.RATING_TAGS == ratings.GOOD_TAGS + ratings.BAD_TAGS
    assert {"服务热情", "一次办成", "办理快捷", "材料精简"} <= set(ratings.GOOD_TAGS)
    assert {"多次跑动", "材料繁琐", "办理超时", "态度不好", "政策不清", "系统卡顿"} <= set(
        ratings.BAD_TAGS
    )


@override_settings(ZHILI_RECTIFY_DAYS=5)
def test_it_opens_a_rectification_due_in_working_days(county: County, concluded: Case) -> None:
    rating = rate_badly(county, concluded)
    rect = Rectification.objects.get(rating=rating)
    assert (rect.state, rect.department) == (Rectification.OPEN, county.scjg)
    assert rect.due_on == add_working_days(RATED_ON, 5)
    # 国务院办公厅 2026 notice: 国庆节 1–7 October off, Saturday 10 October worked.
    # So 8, 9, 10, 12, 13 October: not 7 October, as five weekdays would say.
    assert rect.due_on == date(2026, 10, 13)
    assert not is_working_day(date(2026, 10, 7)) and is_working_day(date(2026, 10, 10))


@pytest.mark.parametrize("days", [1, 3, 15])
def test_it_counts_the_configured_days_on_the_calendar(
    county: County, concluded: Case, days: int
) -> None:
    with override_settings(ZHILI_RECTIFY_DAYS=days):
        rating = rate_badly(county, concluded)
    due = Rectification.objects.get(rating=rating).due_on
    assert due == add_working_days(RATED_ON, days)
    assert is_working_day(due)


def test_it_tells_the_department_and_its_leaders_of_a_bad_rating(
    county: County, concluded: Case
) -> None:
    rate_badly(county, concluded)
    told = set(
        Notification.objects.filter(kind="rating.rectify").values_list(
            "recipient__username", flat=True
        )
    )
    assert told == {"zhangwei", "chenjing", "sunli"}  # not 周磊 of 自然资源局
    note = Notification.objects.filter(kind="rating.rectify").first()
    assert note is not None and concluded.number in note.body and "多次跑动" in note.body


@pytest.mark.parametrize("days", [0, 16, "5"])
def test_it_refuses_a_rectify_days_setting_outside_1_to_15(
    county: County, concluded: Case, days: object
) -> None:
    with override_settings(ZHILI_RECTIFY_DAYS=days), pytest.raises(ImproperlyConfigured):
        rate_badly(county, concluded)
    assert not Rating.objects.exists()
    # A good rating needs no rectification, so it does not depend on the setting.
    with override_settings(ZHILI_RECTIFY_DAYS=days):
        rating_submit(case=concluded, actor=county.wangfang, level=5, tags=[])


def test_it_calls_back_rectifies_and_lets_the_applicant_rate_once_more(
    county: County, concluded: Case
) -> None:
    assert ratings.rating_next_round(concluded) == 1
    rating = rate_badly(county, concluded)
    rect = Rectification.objects.get(rating=rating)
    assert ratings.rating_next_round(concluded) is None
    with pytest.raises(CaseInvalid) as exc:  # not before the rectification is done
        rating_submit(case=concluded, actor=county.wangfang, level=4, tags=[])
    assert "整改" in exc.value.errors["rating"]
    with pytest.raises(CaseInvalid) as exc:
        rectification_respond(rectification=rect, actor=county.zhangwei, response="已改")
    assert "请先回访" in exc.value.errors["state"]

    rect = rectification_callback(
        rectification=rect, actor=county.chenjing, note="电话回访：补正材料未一次告知"
    )
    assert (rect.state, rect.handled_by) == (Rectification.CALLED_BACK, county.chenjing)
    with pytest.raises(CaseInvalid) as exc:
        rectification_respond(rectification=rect, actor=county.zhangwei, response="  ")
    assert exc.value.errors == {"response": "请填写整改情况"}
    rect = rectification_respond(
        rectification=rect, actor=county.zhangwei, response="已修订一次性告知单，窗口统一培训"
    )
    assert rect.state == Rectification.DONE and rect.done_at is not None

    told = Notification.objects.get(recipient=county.wangfang, kind="rating.rectified")
    assert "已修订一次性告知单" in told.body and "再次评价" in told.body
    assert told.link == f"/cases/{concluded.ref}/#rating"

    assert ratings.rating_next_round(concluded) == 2
    again = rating_submit(case=concluded, actor=county.wangfang, level=4, tags=["服务热情"])
    assert again.round == 2
    assert ratings.ratings_of(concluded) == [(rating, rect), (again, None)]
    assert ratings.rating_next_round(concluded) is None
    with pytest.raises(CaseInvalid) as exc:
        rating_submit(case=concluded, actor=county.wangfang, level=5, tags=[])
    assert "已评价" in exc.value.errors["rating"]
    assert list(Rating.objects.filter(case=concluded).values_list("round", "level")) == [
        (1, 1),
        (2, 4),
    ]
    actions = set(AuditEntry.objects.values_list("action", flat=True))
    assert {"rectification.callback", "rectification.respond"} <= actions


def test_it_keeps_others_off_a_rectification(county: County, concluded: Case) -> None:
    rect = Rectification.objects.get(rating=rate_badly(county, concluded))
    for outsider in (county.zhoulei, county.wangfang, county.lina, county.sunli):
        with pytest.raises(PermissionDenied):
            rectification_callback(rectification=rect, actor=outsider, note="回访")
    rect = rectification_callback(rectification=rect, actor=county.admin, note="管理员代为回访")
    with pytest.raises(CaseInvalid):
        rectification_callback(rectification=rect, actor=county.zhangwei, note="又回访一次")


def test_it_lets_only_one_of_two_clerks_call_back(county: County, concluded: Case) -> None:
    rect = Rectification.objects.get(rating=rate_badly(county, concluded))
    stale = Rectification.objects.get(pk=rect.pk)
    rectification_callback(rectification=rect, actor=county.zhangwei, note="已回访")
    with pytest.raises(services.Conflict):
        rectification_callback(rectification=stale, actor=county.chenjing, note="也回访了")


def test_it_takes_one_rating_per_visit_at_the_window(
    county: County, licence_item: ServiceItem, wangfang: Applicant
) -> None:
    case, _ = services.case_submit(
        item=licence_item, actor=county.zhangwei, channel="window", applicant=wangfang,
        answers={"S1": "A", "S2": "A"}, service_point=county.hall,
        materials={"M1": MaterialInput("M1", paper=True), "M2": MaterialInput("M2", paper=True)},
    )  # fmt: skip
    case = conclude(county, case)
    services.visit_record(case=case, actor=county.zhangwei, channel="window", purpose="领取结果")
    first, second = case.visits.order_by("at", "pk")
    r1 = rating_submit(
        case=case, actor=county.wangfang, level=5, tags=["服务热情"], visit=first, channel="window"
    )
    r2 = rating_submit(
        case=case, actor=county.wangfang, level=4, tags=[], visit=second, channel="window"
    )
    assert (r1.visit, r2.visit, r1.round, r2.round) == (first, second, 1, 1)
    with pytest.raises(CaseInvalid) as exc:
        rating_submit(
            case=case, actor=county.wangfang, level=3, tags=[], visit=first, channel="window"
        )
    assert "到场服务已评价" in exc.value.errors["rating"]
    # The case as a whole is still rated once online.
    rating_submit(case=case, actor=county.wangfang, level=5, tags=[])
    assert Rating.objects.filter(case=case).count() == 3


def test_it_refuses_a_visit_of_another_case(
    county: County, licence_item: ServiceItem, wangfang: Applicant, concluded: Case
) -> None:
    other, _ = services.case_submit(
        item=licence_item, actor=county.zhangwei, channel="window", applicant=wangfang,
        answers={"S1": "A", "S2": "A"},
        materials={"M1": MaterialInput("M1", paper=True), "M2": MaterialInput("M2", paper=True)},
    )  # fmt: skip
    visit = other.visits.get()
    with pytest.raises(CaseInvalid) as exc:
        rating_submit(case=concluded, actor=county.wangfang, level=5, tags=[], visit=visit)
    assert exc.value.errors == {"visit": "该到场记录不属于本办件"}


def test_it_never_changes_or_deletes_a_rating(county: County, concluded: Case) -> None:
    from zhili.cases.models import RatingImmutableError

    rating = rating_submit(case=concluded, actor=county.wangfang, level=5, tags=["一次办成"])
    rating.level = 1
    with pytest.raises(RatingImmutableError):
        rating.save()
    with pytest.raises(RatingImmutableError):
        rating.delete()
    assert Rating.objects.get(pk=rating.pk).level == 5
