"""Whom a case is filed for (``applicant_for_filing``): nobody takes over another's record.

王芳 has an account and her record; 李四 is a villager of 东山村 that 李娜 registered
(no account); 赵六 lives in 西坞村. A number typed in is not proof of identity:
only the window, where the document is in front of the clerk, files for anyone.
"""

from __future__ import annotations

import pytest
from django.core.exceptions import PermissionDenied

from tests.conftest import County
from tests.factories import resident_id
from zhili.accounts.models import Role, User
from zhili.cases.models import Applicant
from zhili.cases.services import CaseInvalid, applicant_for_filing, applicant_get_or_create

LISI_ID = resident_id("19650412", "031")
NEW_ID = resident_id("19850101", "011")


def file_for(actor: User, id_number: str, name: str, **kw: str) -> Applicant:
    return applicant_for_filing(
        actor=actor, kind=kw.pop("kind", Applicant.PERSON), id_number=id_number, name=name, **kw
    )


@pytest.fixture
def lisi(county: County) -> Applicant:
    """李四, registered by 李娜 at the village point: no account."""
    return file_for(county.lina, LISI_ID, "李四", phone="13905720002")


@pytest.fixture
def zhaoliu(county: County) -> Applicant:
    return applicant_get_or_create(
        kind=Applicant.PERSON,
        id_number=county.zhaoliu_id,
        name="赵六",
        phone="13905720006",
        division=county.other_village,
    )


@pytest.fixture
def lisi_account(county: County) -> User:
    return User.objects.create_user("lisi", display_name="李四", role=Role.CITIZEN)


# ---- citizens: themselves only ----------------------------------------------


def test_it_registers_a_first_time_citizen_and_finds_her_after(county: County) -> None:
    mine = file_for(county.wangfang, county.wangfang_id, "王芳", village_code=county.village.code)
    assert (mine.user, mine.division) == (county.wangfang, county.village)
    assert file_for(county.wangfang, "", "") == mine  # her own, from now on
    assert file_for(county.wangfang, county.wangfang_id, "王芳") == mine


def test_it_asks_a_first_time_citizen_who_she_is(county: County) -> None:
    with pytest.raises(CaseInvalid) as exc:
        file_for(county.wangfang, "", "", field_names={"applicant": "id_number"})
    assert exc.value.errors == {"id_number": "首次申请请填写申请人的证件号码和姓名"}


def test_it_refuses_a_citizen_who_types_someone_elses_number(
    county: County, wangfang: Applicant, lisi_account: User
) -> None:
    with pytest.raises(PermissionDenied, match="只能以本人身份申请"):
        file_for(lisi_account, county.wangfang_id, "王芳", phone="13900000000")
    wangfang.refresh_from_db()
    assert (wangfang.user, wangfang.phone_masked) == (county.wangfang, "138****0001")


def test_it_never_lets_a_citizen_claim_a_record_an_agent_made(
    county: County, lisi: Applicant, lisi_account: User
) -> None:
    # Even the right name: a typed number is no proof; the window checks the document.
    with pytest.raises(PermissionDenied, match="到窗口核验身份"):
        file_for(lisi_account, LISI_ID, "李四", phone="13900000000")
    lisi.refresh_from_db()
    assert (lisi.user, lisi.phone_masked, lisi.division) == (None, "139****0002", county.village)


def test_it_keeps_one_person_identity_per_account(county: County, wangfang: Applicant) -> None:
    with pytest.raises(PermissionDenied, match="已登记了本人的身份证号"):
        file_for(county.wangfang, NEW_ID, "王二芳")
    assert not Applicant.objects.filter(name="王二芳").exists()


def test_it_lets_an_enterprise_account_file_for_its_enterprise(county: County) -> None:
    from tests.factories import SCJG_CREDIT

    boss = User.objects.create_user("qingxi-food", role=Role.ENTERPRISE)
    firm = file_for(boss, SCJG_CREDIT, "清溪食品有限公司", kind=Applicant.ENTERPRISE)
    assert (firm.kind, firm.user) == (Applicant.ENTERPRISE, boss)


# ---- village agents: their villagers --------------------------------------------


def test_it_lets_lina_register_a_villager_without_an_account(
    county: County, lisi: Applicant
) -> None:
    assert (lisi.user, lisi.division) == (None, county.village)
    assert file_for(county.lina, LISI_ID, "李四") == lisi


def test_it_refuses_to_move_a_villager_of_another_village_into_hers(
    county: County, zhaoliu: Applicant
) -> None:
    with pytest.raises(PermissionDenied, match="本村村民"):
        file_for(county.lina, county.zhaoliu_id, "赵六", village_code=county.village.code)
    zhaoliu.refresh_from_db()
    assert (zhaoliu.division, zhaoliu.phone_masked) == (county.other_village, "139****0006")


def test_it_refuses_a_name_that_is_not_the_one_registered(
    county: County, lisi: Applicant, wangfang: Applicant
) -> None:
    for actor, number, name in [
        (county.lina, LISI_ID, "李五"),
        (county.lina, county.wangfang_id, "王小芳"),
        (county.zhangwei, LISI_ID, "李五"),
    ]:
        with pytest.raises(CaseInvalid) as exc:
            file_for(actor, number, name, field_names={"name": "applicant.name"})
        assert exc.value.errors == {"applicant.name": "姓名与证件号码不符"}, actor
    assert file_for(county.lina, LISI_ID, " 李 四 ") == lisi  # spacing is not a different name


def test_it_serves_a_villager_with_an_account_without_touching_her_record(
    county: County, wangfang: Applicant
) -> None:
    found = file_for(county.lina, county.wangfang_id, "王芳", phone="13900000000")
    assert found == wangfang
    wangfang.refresh_from_db()
    assert (wangfang.user, wangfang.phone_masked) == (county.wangfang, "138****0001")


def test_it_leaves_the_village_of_an_account_holder_to_her(county: County) -> None:
    nowhere = file_for(county.wangfang, county.wangfang_id, "王芳")
    assert nowhere.division is None
    with pytest.raises(PermissionDenied, match="未登记所在村"):
        file_for(county.lina, county.wangfang_id, "王芳", village_code=county.village.code)
    nowhere.refresh_from_db()
    assert nowhere.division is None


def test_it_places_a_villager_the_window_registered_in_her_village(
    county: County,
) -> None:
    at_window = file_for(county.zhangwei, LISI_ID, "李四")
    assert at_window.division is None
    assert file_for(county.lina, LISI_ID, "李四").division == county.village


def test_it_names_a_village_she_does_not_serve(county: County) -> None:
    with pytest.raises(CaseInvalid) as exc:
        file_for(county.lina, LISI_ID, "李四", village_code=county.other_village.code)
    assert "您不服务" in exc.value.errors["village"]


# ---- the window: whoever stands there -------------------------------------------


def test_it_finds_or_creates_at_the_window_and_never_links_an_account(
    county: County, wangfang: Applicant
) -> None:
    new = file_for(county.zhangwei, LISI_ID, "李四", village_code=county.village.code)
    assert (new.user, new.division) == (None, county.village)
    assert file_for(county.zhangwei, LISI_ID, "李四") == new
    found = file_for(county.zhangwei, county.wangfang_id, "王芳", phone="13900000000")
    assert found == wangfang
    wangfang.refresh_from_db()
    assert (wangfang.user, wangfang.phone_masked) == (county.wangfang, "138****0001")


def test_it_does_not_move_a_villager_from_the_window_either(
    county: County, zhaoliu: Applicant
) -> None:
    file_for(county.zhangwei, county.zhaoliu_id, "赵六", village_code=county.village.code)
    zhaoliu.refresh_from_db()
    assert zhaoliu.division == county.other_village


@pytest.mark.parametrize("who", ["chenjing", "sunli", "zhaomin"])
def test_it_lets_no_other_staff_file_for_anyone(county: County, who: str) -> None:
    with pytest.raises(PermissionDenied):
        file_for(getattr(county, who), LISI_ID, "李四")
    assert not Applicant.objects.exists()


# ---- the lower-level get-or-create ----------------------------------------------


def test_it_never_relinks_nor_overwrites_another_accounts_record(
    county: County, wangfang: Applicant, lisi_account: User
) -> None:
    again = applicant_get_or_create(
        kind=Applicant.PERSON, id_number=county.wangfang_id, name="王芳",
        phone="13900000000", user=lisi_account, division=county.other_village,
    )  # fmt: skip
    assert again == wangfang
    wangfang.refresh_from_db()
    assert (wangfang.user, wangfang.phone_masked, wangfang.division) == (
        county.wangfang,
        "138****0001",
        county.village,
    )


def test_it_links_an_account_only_to_a_record_it_creates(
    county: County, lisi: Applicant, lisi_account: User
) -> None:
    found = applicant_get_or_create(
        kind=Applicant.PERSON, id_number=LISI_ID, name="李四", user=lisi_account
    )
    assert found == lisi and found.user is None
