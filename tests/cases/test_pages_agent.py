"""李娜, the village agent of 东山村, files for the villagers of her village and follows their cases."""

from __future__ import annotations

import re
from typing import Any

import pytest
from django.test import Client
from django.urls import reverse

from tests.cases.conftest import apply_online, pdf
from tests.cases.test_pages_applicant import act, client_for, key_of
from tests.conftest import County
from tests.factories import PDF_BYTES, resident_id
from zhili.accounts.models import Role, User
from zhili.cases.models import Applicant, Case, CaseMaterial, CaseStatus, Visit
from zhili.cases.services import applicant_get_or_create
from zhili.catalogue.models import ServiceItem

LISI_ID = resident_id("19650412", "031")  # 李四, a villager of 东山村 without an account


def file_url(item: ServiceItem) -> str:
    return reverse("cases:agent_file", args=[item.impl_code])


def villager(county: County, **extra: Any) -> dict[str, Any]:
    data = {
        "id_number": LISI_ID,
        "name": "李四",
        "phone": "13905720002",
        "village": county.village.code,
    }
    data.update(extra)
    return data


def filing(key: str, **extra: Any) -> dict[str, Any]:
    """李四 runs the shop himself, on his own premises; the paper application form was taken."""
    data: dict[str, Any] = {
        "key": key,
        "do": "submit",
        "answers.S1": "A",
        "answers.S2": "A",
        "materials.M1": "paper",
        "materials.M2": "upload",
        "materials.M2.file": pdf("身份证.pdf", PDF_BYTES + b"lisi"),
    }
    data.update(extra)
    return {k: v for k, v in data.items() if v is not None}


@pytest.fixture
def lina(county: County) -> Client:
    return client_for(county.lina)


def test_it_offers_only_her_own_villages(
    county: County, licence_item: ServiceItem, lina: Client
) -> None:
    html = lina.get(file_url(licence_item)).content.decode()
    assert county.village.code in html and county.other_village.code not in html
    assert "已收取纸质件" in html  # paper is taken at the village point


def test_it_files_for_a_villager_through_the_village_point(
    county: County, licence_item: ServiceItem, lina: Client
) -> None:
    key = key_of(lina.get(file_url(licence_item)).content.decode())
    response = lina.post(file_url(licence_item), filing(key, **villager(county)))
    case = Case.objects.get()
    assert response["Location"] == reverse("cases:detail", args=[case.ref])
    assert (case.channel, case.filed_by, case.division, case.service_point) == (
        "village_point",
        county.lina,
        county.village,
        county.village_point,
    )
    assert case.applicant.user is None and case.applicant.name == "李四"
    assert case.materials.get(code="M1").via == CaseMaterial.PAPER
    assert Visit.objects.filter(case=case, channel="village_point").count() == 1
    again = lina.post(file_url(licence_item), filing(key, **villager(county)))
    assert again["Location"] == response["Location"] and Case.objects.count() == 1


def test_it_refuses_a_village_that_is_not_hers_on_the_server(
    county: County, licence_item: ServiceItem, lina: Client
) -> None:
    key = key_of(lina.get(file_url(licence_item)).content.decode())
    data = filing(
        key,
        **villager(
            county, id_number=county.zhaoliu_id, name="赵六", village=county.other_village.code
        ),
    )
    response = lina.post(file_url(licence_item), data)
    html = response.content.decode()
    assert response.status_code == 400
    field = html[html.index('id="f-village"') :]
    assert field.index("只能选择列出的村") < field.index("</div>")
    assert not Case.objects.exists() and not Applicant.objects.exists()


def test_it_refuses_a_villager_of_another_village_she_typed_in_before(
    county: County, licence_item: ServiceItem, lina: Client
) -> None:
    zhaoliu = applicant_get_or_create(
        kind=Applicant.PERSON,
        id_number=county.zhaoliu_id,
        name="赵六",
        division=county.other_village,
    )
    key = key_of(lina.get(file_url(licence_item)).content.decode())
    data = filing(key, **villager(county, id_number="", name=""), applicant_token="forged")
    response = lina.post(file_url(licence_item), data)
    assert response.status_code == 400 and "请填写村民的身份证号" in response.content.decode()
    zhaoliu.refresh_from_db()
    assert zhaoliu.division == county.other_village and not Case.objects.exists()


def test_it_remembers_the_villager_without_writing_his_number_into_the_page(
    county: County, licence_item: ServiceItem, lina: Client
) -> None:
    key = key_of(lina.get(file_url(licence_item)).content.decode())
    first = lina.post(
        file_url(licence_item), filing(key, **villager(county), **{"materials.M2.file": None})
    )
    html = first.content.decode()
    assert first.status_code == 400 and "必要材料" in html
    assert LISI_ID not in html and "13905720002" not in html
    assert LISI_ID[:3] + "*" * 11 + LISI_ID[-4:] in html
    token = re.search(r'name="applicant_token" value="([^"]+)"', html)
    assert token
    retry = filing(key, applicant_token=token.group(1))
    assert lina.post(file_url(licence_item), retry).status_code == 302
    assert Case.objects.get().applicant.name == "李四"
    other_agent = User.objects.create_user("zhoufang", display_name="周芳", role=Role.VILLAGE_AGENT)
    other_agent.divisions.set([county.village])
    stolen = client_for(other_agent)
    key2 = key_of(stolen.get(file_url(licence_item)).content.decode())
    refused = stolen.post(file_url(licence_item), filing(key2, applicant_token=token.group(1)))
    assert refused.status_code == 400  # a token is good only for the agent it was made for


def test_it_offers_the_villagers_elicence_once_she_checked_who_he_is(
    county: County,
    licence_item: ServiceItem,
    food_item: ServiceItem,
    wangfang: Applicant,
    lina: Client,
) -> None:
    from tests.cases.test_pages_applicant import conclude
    from zhili.cases.models import ELicence

    licence = ELicence.objects.get(
        case=conclude(county, apply_online(county, licence_item, wangfang))
    )
    url = file_url(food_item)
    key = key_of(lina.get(url).content.decode())
    who = villager(county, id_number=county.wangfang_id, name="王芳", phone="")
    # Before he was identified, the form could only offer an upload.
    checked = lina.post(url, {"key": key, "do": "refresh", "materials.F1": "upload", **who})
    html = checked.content.decode()
    assert checked.status_code == 200 and not Case.objects.filter(item=food_item).exists()
    assert f'value="elicence:{licence.pk}" checked' in html and county.wangfang_id not in html
    token = re.search(r'name="applicant_token" value="([^"]+)"', html)
    assert token
    partial = lina.get(
        reverse("cases:checklist", args=[food_item.impl_code]), {"applicant_token": token.group(1)}
    )
    assert f'value="elicence:{licence.pk}" checked' in partial.content.decode()
    data = {
        "key": key, "applicant_token": token.group(1), "materials.F1": f"elicence:{licence.pk}",
        "materials.F2": "paper",
    }  # fmt: skip
    assert lina.post(url, data).status_code == 302
    food = Case.objects.get(item=food_item)
    assert (food.applicant, food.materials_saved, food.filed_by) == (wangfang, 1, county.lina)


def test_it_lists_the_cases_of_her_village_with_masked_numbers(
    county: County, licence_item: ServiceItem, wangfang: Applicant, lina: Client
) -> None:
    own = apply_online(county, licence_item, wangfang)
    zhaoliu = applicant_get_or_create(
        kind=Applicant.PERSON,
        id_number=county.zhaoliu_id,
        name="赵六",
        division=county.other_village,
    )
    west = User.objects.create_user("zhoufang", display_name="周芳", role=Role.VILLAGE_AGENT)
    west.divisions.set([county.other_village])
    from zhili.cases.materials import MaterialInput
    from zhili.cases.services import case_submit

    elsewhere, _ = case_submit(
        item=licence_item, actor=west, channel="village_point", applicant=zhaoliu, answers={"S1": "A", "S2": "A"},
        materials={"M1": MaterialInput("M1", paper=True), "M2": MaterialInput("M2", paper=True)},
    )  # fmt: skip
    html = lina.get(reverse("cases:agent_home")).content.decode()
    assert own.number in html and wangfang.id_masked in html
    assert elsewhere.number not in html and county.wangfang_id not in html
    assert lina.get(reverse("cases:detail", args=[elsewhere.ref])).status_code == 404


def test_it_finds_items_she_may_file_for(
    county: County, licence_item: ServiceItem, lina: Client
) -> None:
    html = lina.get(reverse("cases:agent_home"), {"q": "个体工商户"}).content.decode()
    assert file_url(licence_item) in html


def test_it_lets_her_correct_the_case_she_filed(
    county: County, licence_item: ServiceItem, lina: Client
) -> None:
    key = key_of(lina.get(file_url(licence_item)).content.decode())
    lina.post(file_url(licence_item), filing(key, **villager(county)))
    case = act(
        act(Case.objects.get(), county.zhangwei, "accept"),
        county.chenjing,
        "correct",
        "请补交经营者身份证复印件",
    )
    detail = lina.get(reverse("cases:detail", args=[case.ref])).content.decode()
    assert "请补正材料" in detail
    home = lina.get(reverse("cases:agent_home")).content.decode()
    assert "等您处理" in home
    upload = {"materials.M2.file": pdf("身份证复印件.pdf", PDF_BYTES + b"copy")}
    assert lina.post(reverse("cases:correct", args=[case.ref]), upload).status_code == 302
    case.refresh_from_db()
    assert case.status == CaseStatus.IN_PROGRESS


def test_it_keeps_a_draft_for_the_villager(
    county: County, licence_item: ServiceItem, lina: Client
) -> None:
    key = key_of(lina.get(file_url(licence_item)).content.decode())
    response = lina.post(
        file_url(licence_item), filing(key, do="draft", **villager(county), **{"answers.S2": None})
    )
    draft = Case.objects.get(status=CaseStatus.DRAFT)
    assert response["Location"] == f"{file_url(licence_item)}?draft={draft.ref}"
    assert (draft.channel, draft.filed_by) == ("village_point", county.lina)
    home = lina.get(reverse("cases:agent_home")).content.decode()
    assert f"?draft={draft.ref}" in home and LISI_ID not in home
    page = lina.get(response["Location"]).content.decode()
    assert 'value="paper" checked' in page and LISI_ID not in page


@pytest.mark.parametrize(
    ("who", "home", "file"),
    [
        ("李娜", 200, 200),
        ("王芳", 403, 403),
        ("张伟", 403, 403),
        ("未登录", 302, 302),
    ],
)
def test_it_keeps_the_agent_pages_for_agents(
    county: County, licence_item: ServiceItem, who: str, home: int, file: int
) -> None:
    users = {"李娜": county.lina, "王芳": county.wangfang, "张伟": county.zhangwei, "未登录": None}
    client = client_for(users[who])
    got = (
        client.get(reverse("cases:agent_home")).status_code,
        client.get(file_url(licence_item)).status_code,
    )
    assert got == (home, file)


def test_it_sends_an_agent_from_the_citizen_form_to_hers(
    licence_item: ServiceItem, lina: Client
) -> None:
    response = lina.get(reverse("cases:apply", args=[licence_item.impl_code]))
    assert response.status_code == 302 and response["Location"] == file_url(licence_item)


def test_it_refuses_her_filing_without_the_csrf_token(
    county: County, licence_item: ServiceItem
) -> None:
    client = client_for(county.lina, csrf=True)
    assert client.post(file_url(licence_item), filing("k", **villager(county))).status_code == 403
    assert not Case.objects.exists() and not Applicant.objects.exists()


def test_it_does_not_let_her_move_a_villager_of_another_village_into_hers(
    county: County, licence_item: ServiceItem, lina: Client
) -> None:
    zhaoliu = applicant_get_or_create(
        kind=Applicant.PERSON, id_number=county.zhaoliu_id, name="赵六",
        phone="13905720006", division=county.other_village,
    )  # fmt: skip
    key = key_of(lina.get(file_url(licence_item)).content.decode())
    who = villager(county, id_number=county.zhaoliu_id, name="赵六", phone="13900000000")
    response = lina.post(file_url(licence_item), filing(key, **who))
    html = response.content.decode()
    assert response.status_code == 403 and "村代办员只能为本村村民代办" in html
    zhaoliu.refresh_from_db()
    assert (zhaoliu.division, zhaoliu.phone_masked) == (county.other_village, "139****0006")
    assert not Case.objects.exists()


def test_it_refuses_a_name_that_does_not_match_the_number(
    county: County, licence_item: ServiceItem, lina: Client
) -> None:
    key = key_of(lina.get(file_url(licence_item)).content.decode())
    assert lina.post(file_url(licence_item), filing(key, **villager(county))).status_code == 302
    key = key_of(lina.get(file_url(licence_item)).content.decode())
    response = lina.post(file_url(licence_item), filing(key, **villager(county, name="李五")))
    html = response.content.decode()
    assert response.status_code == 400 and Case.objects.count() == 1
    field = html[html.index('id="f-name"') :]
    assert field.index("姓名与证件号码不符") < field.index("</div>")
    assert Applicant.objects.get().name == "李四"


def test_it_takes_a_promised_material_only_from_the_agent_who_filed(
    county: County, licence_item: ServiceItem, lina: Client
) -> None:
    from datetime import timedelta

    from django.utils import timezone

    key = key_of(lina.get(file_url(licence_item)).content.decode())
    promise = (timezone.localdate() + timedelta(days=5)).isoformat()
    data = filing(key, **villager(county), **{
        "answers.S2": "B", "materials.M4": "promise", "materials.M4.promise_by": promise,
    })  # fmt: skip
    assert lina.post(file_url(licence_item), data).status_code == 302
    case = Case.objects.get()
    colleague = User.objects.create_user("zhoufang", display_name="周芳", role=Role.VILLAGE_AGENT)
    colleague.divisions.set([county.village])  # sees the case: same village
    other = client_for(colleague)
    supply = reverse("cases:supply", args=[case.ref, "M4"])
    assert other.get(reverse("cases:detail", args=[case.ref])).status_code == 200
    assert other.post(supply, {"materials.M4": "paper"}).status_code == 403
    assert lina.post(supply, {"materials.M4": "paper"}).status_code == 302
    case.refresh_from_db()
    assert not case.held_for_materials
