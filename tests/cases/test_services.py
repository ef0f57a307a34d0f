"""The life of a case: filed, accepted, corrected, decided, concluded, licensed."""

from __future__ import annotations

from datetime import date
from typing import Any

import pytest
from django.core.exceptions import PermissionDenied

from tests.cases.conftest import apply_online, pdf
from tests.conftest import County
from zhili.accounts.models import User
from zhili.cases import services
from zhili.cases.materials import MaterialInput
from zhili.cases.models import Applicant, Case, CaseStatus, ELicence, Outcome, Task, Visit
from zhili.cases.services import CaseInvalid, Conflict, task_claim, task_complete
from zhili.catalogue.models import ServiceItem


def open_task(case: Case, activity: str | None = None) -> Task:
    qs = Task.objects.filter(case=case, state=Task.OPEN)
    if activity:
        qs = qs.filter(activity=activity)
    return qs.get()


def act(case: Case, user: User, action: str, comment: str = "") -> Case:
    return task_complete(task=open_task(case), actor=user, action=action, comment=comment)


def test_it_files_an_online_case_with_the_accept_task_for_the_department(
    county: County, licence_item: ServiceItem, wangfang: Applicant
) -> None:
    case = apply_online(county, licence_item, wangfang)
    assert case.status == CaseStatus.SUBMITTED
    assert case.version_id == licence_item.current_id
    assert case.department == county.scjg
    assert case.division == county.village
    task = open_task(case)
    assert (task.activity, task.name, task.role, task.department) == (
        "accept",
        "受理",
        "clerk",
        county.scjg,
    )
    assert case.materials.count() == 2
    assert not Visit.objects.filter(case=case).exists()  # online: no visit in person


def test_it_records_a_retried_submission_once(
    county: County, licence_item: ServiceItem, wangfang: Applicant
) -> None:
    first = apply_online(county, licence_item, wangfang, idempotency_key="k-1")
    again = apply_online(county, licence_item, wangfang, idempotency_key="k-1")
    assert again.pk == first.pk
    assert Case.objects.count() == 1


def test_it_says_which_answer_and_material_are_missing(
    county: County, licence_item: ServiceItem, wangfang: Applicant
) -> None:
    with pytest.raises(CaseInvalid) as exc:
        apply_online(county, licence_item, wangfang, answers={"S1": "B"}, materials={})
    assert exc.value.errors["answers.S2"] == "请回答“经营场所是否为自有房产？”"
    assert exc.value.errors["materials.M1"] == "必要材料，请上传或选择电子证照"
    assert "materials.M3" in exc.value.errors  # 委托书, because 王芳 said someone else files
    assert Case.objects.count() == 0


def test_it_refuses_a_file_whose_content_is_not_a_document(
    county: County, licence_item: ServiceItem, wangfang: Applicant
) -> None:
    fake = pdf("申请书.pdf", b"MZ\x90\x00 this is an executable")
    with pytest.raises(CaseInvalid) as exc:
        apply_online(
            county, licence_item, wangfang,
            materials={"M1": MaterialInput("M1", upload=fake), "M2": MaterialInput("M2", upload=pdf())},
        )  # fmt: skip
    assert "文件内容不是" in exc.value.errors["materials.M1"]


def test_it_runs_the_standard_workflow_to_an_elicence(
    county: County, licence_item: ServiceItem, wangfang: Applicant, today: date
) -> None:
    case = apply_online(county, licence_item, wangfang)
    case = act(case, county.zhangwei, "accept")
    assert case.status == CaseStatus.IN_PROGRESS
    assert case.clock_from == today and case.due_promised is not None
    assert open_task(case).activity == "review"
    case = act(case, county.chenjing, "approve")
    case = act(case, county.chenjing, "approve")  # 决定: 准予
    assert case.status == CaseStatus.CONCLUDED and case.outcome == Outcome.APPROVED
    licence = ELicence.objects.get(case=case)
    assert (licence.kind, licence.trust, licence.holder) == ("营业执照", "A", wangfang)
    case = act(case, county.zhangwei, "deliver")
    assert case.delivered_at is not None
    assert not Task.objects.filter(case=case, state=Task.OPEN).exists()


def test_it_offers_the_elicence_instead_of_an_upload_in_the_next_case(
    county: County, food_item: ServiceItem, licence_item: ServiceItem, wangfang: Applicant
) -> None:
    case = apply_online(county, licence_item, wangfang)
    for user, action in [
        (county.zhangwei, "accept"),
        (county.chenjing, "approve"),
        (county.chenjing, "approve"),
    ]:
        case = act(case, user, action)
    licence = ELicence.objects.get(case=case)
    food = apply_online(
        county, food_item, wangfang, answers={},
        materials={"F1": MaterialInput("F1", elicence_id=licence.pk), "F2": MaterialInput("F2", upload=pdf())},
    )  # fmt: skip
    assert food.materials_saved == 1
    assert food.materials.get(code="F1").elicence == licence


def test_it_stops_the_clock_for_correction_and_restarts_it(
    county: County, licence_item: ServiceItem, wangfang: Applicant, today: date
) -> None:
    case = apply_online(county, licence_item, wangfang)
    case = act(case, county.zhangwei, "accept")
    case = act(case, county.chenjing, "correct", "租赁合同未签字")
    assert case.status == CaseStatus.CORRECTING and case.clock_stopped_at is not None
    task = open_task(case)
    assert task.role == "applicant"
    with pytest.raises(PermissionDenied):
        task_complete(task=task, actor=county.zhangwei, action="resubmit")
    case = task_complete(task=task, actor=county.wangfang, action="resubmit")
    assert case.status == CaseStatus.IN_PROGRESS and case.clock_stopped_at is None
    assert open_task(case).activity == "review"


def test_it_needs_a_reason_to_refuse(
    county: County, licence_item: ServiceItem, wangfang: Applicant
) -> None:
    case = apply_online(county, licence_item, wangfang)
    with pytest.raises(CaseInvalid) as exc:
        act(case, county.zhangwei, "refuse")
    assert exc.value.errors == {"comment": "不予受理须写明理由"}
    case = act(case, county.zhangwei, "refuse", "不属于本部门职权范围")
    assert case.status == CaseStatus.NOT_ACCEPTED and case.outcome_reason == "不属于本部门职权范围"


def test_it_lets_only_one_of_two_clerks_complete_a_task(
    county: County, licence_item: ServiceItem, wangfang: Applicant
) -> None:
    other = User.objects.create_user("clerk2", display_name="钱多", role="clerk")
    other.departments.set([county.scjg])
    case = apply_online(county, licence_item, wangfang)
    seen_by_both = open_task(case)
    stale = Task.objects.get(pk=seen_by_both.pk)
    task_complete(task=seen_by_both, actor=county.zhangwei, action="accept")
    with pytest.raises(Conflict):
        task_complete(task=stale, actor=other, action="accept")
    assert Task.objects.filter(case=case, activity="accept", state=Task.DONE).count() == 1


def test_it_refuses_a_second_claim(
    county: County, licence_item: ServiceItem, wangfang: Applicant
) -> None:
    other = User.objects.create_user("clerk2", display_name="钱多", role="clerk")
    other.departments.set([county.scjg])
    case = apply_online(county, licence_item, wangfang)
    task = task_claim(task=open_task(case), actor=county.zhangwei)
    with pytest.raises(Conflict):
        task_claim(task=task, actor=other)
    with pytest.raises(Conflict):
        task_complete(task=task, actor=other, action="accept")


def test_it_keeps_a_clerk_of_another_department_off_the_task(
    county: County, licence_item: ServiceItem, wangfang: Applicant
) -> None:
    case = apply_online(county, licence_item, wangfang)
    with pytest.raises(PermissionDenied):
        act(case, county.zhoulei, "accept")


def test_it_holds_a_case_accepted_on_a_promise_until_the_material_arrives(
    county: County, licence_item: ServiceItem, wangfang: Applicant, today: date
) -> None:
    from datetime import timedelta

    case = apply_online(
        county, licence_item, wangfang, answers={"S1": "A", "S2": "B"},
        materials={
            "M1": MaterialInput("M1", upload=pdf()), "M2": MaterialInput("M2", upload=pdf()),
            "M4": MaterialInput("M4", promise_by=today + timedelta(days=5)),
        },
    )  # fmt: skip
    assert case.held_for_materials
    case = act(case, county.zhangwei, "accept")
    case = act(case, county.chenjing, "approve")
    with pytest.raises(CaseInvalid) as exc:
        act(case, county.chenjing, "approve")
    assert "容缺材料尚未补齐" in exc.value.errors["action"]
    services.material_supply(
        case=case, code="M4", actor=county.wangfang, upload=pdf("租赁合同.pdf")
    )
    case = act(case, county.chenjing, "approve")
    assert case.status == CaseStatus.CONCLUDED


def test_it_lets_a_village_agent_file_only_for_her_own_villagers(
    county: County, licence_item: ServiceItem
) -> None:
    villager = services.applicant_get_or_create(
        kind=Applicant.PERSON,
        id_number=county.zhaoliu_id,
        name="赵六",
        division=county.other_village,
    )
    with pytest.raises(PermissionDenied):
        services.case_submit(
            item=licence_item, actor=county.lina, channel="village_point", applicant=villager,
            answers={"S1": "A", "S2": "A"}, materials={},
        )  # fmt: skip


def test_it_counts_visits_for_window_cases(
    county: County, licence_item: ServiceItem, wangfang: Applicant
) -> None:
    case, _ = services.case_submit(
        item=licence_item, actor=county.zhangwei, channel="window", applicant=wangfang,
        answers={"S1": "A", "S2": "A"}, service_point=county.hall,
        materials={"M1": MaterialInput("M1", paper=True), "M2": MaterialInput("M2", paper=True)},
    )  # fmt: skip
    services.visit_record(case=case, actor=county.zhangwei, channel="window", purpose="领取结果")
    assert case.visits.count() == 2


def test_it_validates_the_identity_number(county: County) -> None:
    with pytest.raises(CaseInvalid) as exc:
        services.applicant_get_or_create(
            kind=Applicant.PERSON, id_number="330599199003070022", name="王芳"
        )
    assert "id_number" in exc.value.errors


def test_it_stores_identity_numbers_encrypted(county: County, wangfang: Applicant) -> None:
    raw = Applicant.objects.filter(pk=wangfang.pk).values_list("id_enc", "id_masked").get()
    assert county.wangfang_id not in raw[0]
    assert raw[1] == county.wangfang_id[:3] + "*" * 11 + county.wangfang_id[-4:]
    assert wangfang.id_number() == county.wangfang_id


@pytest.fixture
def today() -> Any:
    from django.utils import timezone

    return timezone.localdate()


# ---- who may supply a 容缺 material, who may record a visit ----------------------


def promised_case(county: County, item: ServiceItem, applicant: Applicant, actor: User) -> Case:
    """A case accepted on the promise to bring the lease (M4) later."""
    from datetime import timedelta

    from django.utils import timezone

    case, _ = services.case_submit(
        item=item, actor=actor, channel="village_point" if actor == county.lina else "online",
        applicant=applicant, answers={"S1": "A", "S2": "B"},
        materials={
            "M1": MaterialInput("M1", paper=True) if actor == county.lina else MaterialInput("M1", upload=pdf()),
            "M2": MaterialInput("M2", upload=pdf("身份证.pdf")),
            "M4": MaterialInput("M4", promise_by=timezone.localdate() + timedelta(days=5)),
        },
    )  # fmt: skip
    return case


SUPPLY = [
    # who, may supply 王芳's own online case, may supply the case 李娜 filed for her
    ("wangfang", True, True),  # the applicant's own account
    ("lina", False, True),  # whoever filed it
    ("zhangwei", True, True),  # the case's department
    ("chenjing", True, True),
    ("zhoulei", False, False),  # another department
    ("sunli", False, False),  # the leader watches, does not hand in papers
    ("admin", True, True),
]


@pytest.mark.parametrize(("who", "own", "filed_by_agent"), SUPPLY)
def test_it_takes_a_promised_material_only_from_who_may_supply_it(
    county: County,
    licence_item: ServiceItem,
    wangfang: Applicant,
    who: str,
    own: bool,
    filed_by_agent: bool,
) -> None:
    user = getattr(county, who)
    for filer, expected in [(county.wangfang, own), (county.lina, filed_by_agent)]:
        case = promised_case(county, licence_item, wangfang, filer)
        assert services.may_supply(user, case) == expected, filer
        supply = {"upload": pdf("租赁合同.pdf")}
        if not expected:
            with pytest.raises(PermissionDenied):
                services.material_supply(case=case, code="M4", actor=user, **supply)
            assert case.materials.get(code="M4").received_at is None
        else:
            services.material_supply(case=case, code="M4", actor=user, **supply)
            case.refresh_from_db()
            assert not case.held_for_materials


VISITS = [
    # who, where they may record 王芳's visits (she lives in 东山村)
    ("zhangwei", ["window"]),
    ("chenjing", ["window"]),
    ("lina", ["village_point"]),
    ("zhoulei", []),
    ("wangfang", []),
    ("sunli", []),
]


@pytest.mark.parametrize(("who", "where"), VISITS)
def test_it_lets_the_department_and_the_village_agent_record_visits(
    county: County, licence_item: ServiceItem, wangfang: Applicant, who: str, where: list[str]
) -> None:
    case = apply_online(county, licence_item, wangfang)
    user = getattr(county, who)
    assert services.visit_channels(user, case) == where
    for channel in ["window", "village_point", "kiosk"]:
        if channel in where:
            services.visit_record(case=case, actor=user, channel=channel, purpose="领取结果")
        else:
            with pytest.raises(PermissionDenied):
                services.visit_record(case=case, actor=user, channel=channel, purpose="领取结果")
    assert case.visits.count() == len(where)


def test_it_keeps_another_villages_agent_from_recording_visits(
    county: County, licence_item: ServiceItem, wangfang: Applicant
) -> None:
    west = User.objects.create_user("zhoufang", display_name="周芳", role="village_agent")
    west.divisions.set([county.other_village])
    case = apply_online(county, licence_item, wangfang)
    with pytest.raises(PermissionDenied):
        services.visit_record(case=case, actor=west, channel="village_point", purpose="咨询")
