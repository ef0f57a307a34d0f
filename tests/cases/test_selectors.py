"""Who sees which case (``cases_visible_to``): a draft belongs to whoever saved it."""

from __future__ import annotations

import pytest

from tests.cases.conftest import apply_online
from tests.conftest import County
from zhili.accounts.models import User
from zhili.cases.drafts import case_draft_save
from zhili.cases.models import Applicant, Case
from zhili.cases.selectors import case_for, cases_visible_to, form_fields
from zhili.cases.services import applicant_for_filing
from zhili.catalogue.models import ServiceItem

# Who sees 王芳's own draft, and the draft 李娜 keeps for her.
DRAFTS = [
    ("wangfang", True, False),
    ("lina", False, True),
    ("zhangwei", False, False),
    ("chenjing", False, False),
    ("sunli", False, False),
    ("admin", False, False),
]


@pytest.mark.parametrize(("who", "hers", "agents"), DRAFTS)
def test_it_shows_a_draft_only_to_whoever_saved_it(
    county: County,
    licence_item: ServiceItem,
    wangfang: Applicant,
    who: str,
    hers: bool,
    agents: bool,
) -> None:
    own = case_draft_save(
        item=licence_item, actor=county.wangfang, channel="online", applicant=wangfang,
        answers={"S1": "A"},
    )  # fmt: skip
    kept = case_draft_save(
        item=licence_item, actor=county.lina, channel="village_point", applicant=wangfang,
        answers={},
    )  # fmt: skip
    filed = apply_online(county, licence_item, wangfang)
    user: User = getattr(county, who)
    visible = set(cases_visible_to(user).values_list("pk", flat=True))
    assert (own.pk in visible, kept.pk in visible) == (hers, agents)
    assert filed.pk in visible  # the filed case stays in everyone's view here
    assert (case_for(user, str(own.ref)) is not None) == hers


def test_it_shows_a_clerk_the_case_she_registered_for_another_department(
    county: County, licence_item: ServiceItem
) -> None:
    from zhili.cases.materials import MaterialInput
    from zhili.cases.services import case_submit

    other = User.objects.create_user("window2", display_name="吴倩", role="clerk")
    other.departments.set([county.zrzy])  # 综合窗口 staff of another desk
    applicant = applicant_for_filing(
        actor=other, kind="person", id_number=county.zhaoliu_id, name="赵六"
    )
    case, _ = case_submit(
        item=licence_item, actor=other, channel="window", applicant=applicant,
        answers={"S1": "A", "S2": "A"},
        materials={"M1": MaterialInput("M1", paper=True), "M2": MaterialInput("M2", paper=True)},
    )  # fmt: skip
    assert case_for(other, str(case.ref)) is not None
    assert case_for(county.zhoulei, str(case.ref)) is None  # her colleagues do not


def test_it_leaves_the_systems_own_keys_off_the_form(
    county: County, licence_item: ServiceItem, wangfang: Applicant
) -> None:
    case = apply_online(
        county, licence_item, wangfang, form_data={"_request_sha256": "ab12", "经营范围": "小吃"}
    )
    assert form_fields(Case.objects.get(pk=case.pk)) == [("经营范围", "小吃")]
