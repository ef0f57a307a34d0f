"""窗口受理登记: 张伟 files at the hall window for whoever stands there, then accepts at once.

李四 comes without an account and with paper; 王芳 comes with her identity card
and an e-licence she holds; a company comes with its credit code.
"""

from __future__ import annotations

import re
from typing import Any

import pytest
from django.test import Client
from django.urls import reverse

from tests.cases.conftest import apply_online, pdf
from tests.cases.test_pages_applicant import client_for, conclude, key_of
from tests.conftest import County
from tests.factories import PDF_BYTES, SCJG_CREDIT, resident_id
from zhili.cases.models import (
    Applicant,
    Case,
    CaseMaterial,
    CaseStatus,
    ELicence,
    Task,
    Visit,
)
from zhili.catalogue.models import ServiceItem

LISI_ID = resident_id("19650412", "031")  # 李四: no account, brings paper


def file_url(item: ServiceItem) -> str:
    return reverse("staff_cases:window_file", args=[item.impl_code])


def lisi(county: County, **extra: Any) -> dict[str, Any]:
    data = {
        "kind": "person",
        "id_number": LISI_ID,
        "name": "李四",
        "phone": "13905720002",
        "village": county.village.code,
    }
    data.update(extra)
    return data


def filing(key: str, **extra: Any) -> dict[str, Any]:
    """The paper application form taken at the window, the identity card scanned."""
    data: dict[str, Any] = {
        "key": key,
        "do": "submit",
        "answers.S1": "A",
        "answers.S2": "A",
        "materials.M1": "paper",
        "materials.M2": "upload",
        "materials.M2.file": pdf("身份证扫描件.pdf", PDF_BYTES + b"scan"),
    }
    data.update(extra)
    return {k: v for k, v in data.items() if v is not None}


@pytest.fixture
def zhangwei(county: County) -> Client:
    return client_for(county.zhangwei)


# ---- who may ----

PAGES = [
    # who, the item picker, the filing page, filing
    ("zhangwei", 200, 200, 302),
    ("admin", 200, 200, 302),
    ("chenjing", 403, 403, 403),  # a reviewer decides; the window files
    ("lina", 403, 403, 403),  # her villagers are filed at the village point
    ("sunli", 403, 403, 403),
    ("wangfang", 403, 403, 403),
    (None, 302, 302, 302),
]


@pytest.mark.parametrize(("who", "picker", "page", "post"), PAGES)
def test_it_keeps_window_filing_for_the_window(
    county: County,
    licence_item: ServiceItem,
    who: str | None,
    picker: int,
    page: int,
    post: int,
) -> None:
    client = client_for(getattr(county, who) if who else None)
    got = (
        client.get(reverse("staff_cases:window")).status_code,
        client.get(file_url(licence_item)).status_code,
        client.post(file_url(licence_item), filing("k", **lisi(county))).status_code,
    )
    assert got == (picker, page, post)
    assert Case.objects.exists() == (page == 200)
    assert Applicant.objects.exists() == (page == 200)


def test_it_finds_the_item_by_name_and_lists_the_departments_own(
    county: County, licence_item: ServiceItem, zhangwei: Client
) -> None:
    listed = zhangwei.get(reverse("staff_cases:window")).content.decode()
    assert file_url(licence_item) in listed
    found = zhangwei.get(reverse("staff_cases:window"), {"q": "个体户"}).content.decode()
    assert file_url(licence_item) in found
    none = zhangwei.get(reverse("staff_cases:window"), {"q": "不存在的事项"}).content.decode()
    assert "没有找到" in none
    queue = zhangwei.get(reverse("staff_cases:queue")).content.decode()
    assert reverse("staff_cases:window") in queue


# ---- filing ----


def test_it_files_for_a_villager_at_the_window_and_accepts_at_once(
    county: County, licence_item: ServiceItem, zhangwei: Client
) -> None:
    html = zhangwei.get(file_url(licence_item)).content.decode()
    assert 'name="kind"' in html and "已收取纸质件" in html
    assert 'value="draft"' not in html and 'name="channel"' not in html
    response = zhangwei.post(file_url(licence_item), filing(key_of(html), **lisi(county)))
    case = Case.objects.get()
    assert response["Location"] == reverse("staff_cases:detail", args=[case.ref])
    assert (case.channel, case.filed_by, case.service_point, case.division) == (
        "window",
        county.zhangwei,
        county.hall,
        county.village,
    )
    assert (case.applicant.name, case.applicant.user) == ("李四", None)
    assert case.materials.get(code="M1").via == CaseMaterial.PAPER
    assert case.materials.get(code="M2").via == CaseMaterial.UPLOAD
    visit = Visit.objects.get(case=case)
    assert (visit.channel, visit.service_point, visit.recorded_by) == (
        "window",
        county.hall,
        county.zhangwei,
    )
    detail = zhangwei.get(response["Location"]).content.decode()
    assert "窗口申请已登记" in detail and "当前环节：受理" in detail
    task = Task.objects.get(case=case, state=Task.OPEN)
    accept = {"task": task.spiff_id, "action": "accept"}
    assert zhangwei.post(reverse("staff_cases:act", args=[case.ref]), accept).status_code == 302
    case.refresh_from_db()
    assert case.status == CaseStatus.IN_PROGRESS


def test_it_files_one_case_however_often_the_form_is_sent(
    county: County, licence_item: ServiceItem, zhangwei: Client
) -> None:
    key = key_of(zhangwei.get(file_url(licence_item)).content.decode())
    first = zhangwei.post(file_url(licence_item), filing(key, **lisi(county)))
    again = zhangwei.post(file_url(licence_item), filing(key, **lisi(county)))
    assert first["Location"] == again["Location"] and Case.objects.count() == 1
    assert Visit.objects.count() == 1


def test_it_needs_the_csrf_token(county: County, licence_item: ServiceItem) -> None:
    client = client_for(county.zhangwei, csrf=True)
    assert client.post(file_url(licence_item), filing("k", **lisi(county))).status_code == 403
    html = client.get(file_url(licence_item)).content.decode()
    token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', html)
    assert token
    data = filing(key_of(html), csrfmiddlewaretoken=token.group(1), **lisi(county))
    assert client.post(file_url(licence_item), data).status_code == 302


def test_it_says_what_is_missing_next_to_the_field(
    county: County, licence_item: ServiceItem, zhangwei: Client
) -> None:
    key = key_of(zhangwei.get(file_url(licence_item)).content.decode())
    data = filing(key, **lisi(county), **{"answers.S2": None, "materials.M1": None})
    response = zhangwei.post(file_url(licence_item), data)
    html = response.content.decode()
    assert response.status_code == 400 and not Case.objects.exists()
    assert 'href="#f-answers-S2"' in html and 'href="#f-materials-M1"' in html
    assert LISI_ID not in html and "13905720002" not in html


def test_it_serves_a_citizen_with_an_account_without_touching_her_record(
    county: County, licence_item: ServiceItem, wangfang: Applicant, zhangwei: Client
) -> None:
    key = key_of(zhangwei.get(file_url(licence_item)).content.decode())
    who = lisi(county, id_number=county.wangfang_id, name="王芳", phone="13900000000", village="")
    assert zhangwei.post(file_url(licence_item), filing(key, **who)).status_code == 302
    case = Case.objects.get()
    wangfang.refresh_from_db()
    assert case.applicant == wangfang
    assert (wangfang.user, wangfang.phone_masked) == (county.wangfang, "138****0001")
    mine = client_for(county.wangfang).get(reverse("cases:mine")).content.decode()
    assert case.number in mine  # her case, though the clerk filed it


def test_it_refuses_a_name_that_does_not_match_the_number(
    county: County, licence_item: ServiceItem, wangfang: Applicant, zhangwei: Client
) -> None:
    key = key_of(zhangwei.get(file_url(licence_item)).content.decode())
    who = lisi(county, id_number=county.wangfang_id, name="王小芳")
    response = zhangwei.post(file_url(licence_item), filing(key, **who))
    html = response.content.decode()
    assert response.status_code == 400 and not Case.objects.exists()
    field = html[html.index('id="f-name"') :]
    assert field.index("姓名与证件号码不符") < field.index("</div>")


def test_it_offers_the_elicence_the_applicant_holds_once_her_identity_is_checked(
    county: County,
    licence_item: ServiceItem,
    food_item: ServiceItem,
    wangfang: Applicant,
    zhangwei: Client,
) -> None:
    licence = ELicence.objects.get(
        case=conclude(county, apply_online(county, licence_item, wangfang))
    )
    url = file_url(food_item)
    key = key_of(zhangwei.get(url).content.decode())
    who = lisi(county, id_number=county.wangfang_id, name="王芳", phone="", village="")
    checked = zhangwei.post(url, {"key": key, "do": "refresh", **who})
    html = checked.content.decode()
    assert checked.status_code == 200 and county.wangfang_id not in html
    assert f'value="elicence:{licence.pk}" checked' in html
    token = re.search(r'name="applicant_token" value="([^"]+)"', html)
    assert token
    partial = zhangwei.get(
        reverse("staff_cases:window_checklist", args=[food_item.impl_code]),
        {"applicant_token": token.group(1)},
    )
    assert f'value="elicence:{licence.pk}" checked' in partial.content.decode()
    data = {
        "key": key, "applicant_token": token.group(1),
        "materials.F1": f"elicence:{licence.pk}", "materials.F2": "paper",
    }  # fmt: skip
    assert zhangwei.post(url, data).status_code == 302
    food = Case.objects.get(item=food_item)
    assert (food.applicant, food.materials_saved, food.channel) == (wangfang, 1, "window")
    # The token is the clerk's own: another clerk cannot use it.
    other = client_for(county.admin)
    refused = other.post(url, {**data, "key": key_of(other.get(url).content.decode())})
    assert refused.status_code == 400


def test_it_files_for_a_company_by_its_credit_code(
    county: County, food_item: ServiceItem, zhangwei: Client
) -> None:
    key = key_of(zhangwei.get(file_url(food_item)).content.decode())
    data = {
        "key": key, "kind": "enterprise", "id_number": SCJG_CREDIT, "name": "清溪食品有限公司",
        "materials.F1": "paper", "materials.F2": "paper",
    }  # fmt: skip
    assert zhangwei.post(file_url(food_item), data).status_code == 302
    applicant = Case.objects.get().applicant
    assert (applicant.kind, applicant.name, applicant.user) == (
        Applicant.ENTERPRISE,
        "清溪食品有限公司",
        None,
    )


def test_it_asks_whether_a_person_or_a_company_applies(
    county: County, food_item: ServiceItem, zhangwei: Client
) -> None:
    key = key_of(zhangwei.get(file_url(food_item)).content.decode())
    data = {"key": key, "kind": "robot", "id_number": SCJG_CREDIT, "name": "某某"}
    response = zhangwei.post(file_url(food_item), data)
    assert response.status_code == 400 and "申请人类型应为自然人或法人" in response.content.decode()
