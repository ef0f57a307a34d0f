"""王芳 applies online from her phone: checklist, one case however often she taps, timeline, 补正, result, rating."""

from __future__ import annotations

import re
import uuid
from datetime import date, timedelta
from typing import Any

import pytest
from django.test import Client
from django.urls import reverse

from tests.cases.conftest import apply_online, pdf
from tests.conftest import County
from tests.factories import PDF_BYTES, PNG_BYTES
from zhili.accounts.models import Role, User
from zhili.cases.models import Applicant, Case, CaseMaterial, CaseStatus, ELicence, Task
from zhili.cases.services import task_complete
from zhili.catalogue.models import ServiceItem

# -- helpers shared with the village agent's tests -------------------------------


def client_for(user: User | None, *, csrf: bool = False) -> Client:
    client = Client(enforce_csrf_checks=csrf)
    if user is not None:
        client.force_login(user)
    return client


def key_of(html: str) -> str:
    found = re.search(r'name="key" value="([0-9a-f-]{36})"', html)
    assert found, "the form carries an idempotency key"
    return found.group(1)


def apply_url(item: ServiceItem) -> str:
    return reverse("cases:apply", args=[item.impl_code])


def act(case: Case, user: User, action: str, comment: str = "") -> Case:
    task = Task.objects.get(case=case, state=Task.OPEN)
    return task_complete(task=task, actor=user, action=action, comment=comment)


def conclude(county: County, case: Case) -> Case:
    for user, action in [
        (county.zhangwei, "accept"),
        (county.chenjing, "approve"),
        (county.chenjing, "approve"),
    ]:
        case = act(case, user, action)
    return case


def application(key: str, **extra: Any) -> dict[str, Any]:
    """王芳 as the owner of the premises: two materials, both uploaded."""
    data: dict[str, Any] = {
        "key": key,
        "do": "submit",
        "answers.S1": "A",
        "answers.S2": "A",
        "materials.M1": "upload",
        "materials.M1.file": pdf("申请书.pdf"),
        "materials.M2": "upload",
        "materials.M2.file": pdf("身份证.pdf", PDF_BYTES + b"id"),
    }
    data.update(extra)
    return {k: v for k, v in data.items() if v is not None}


@pytest.fixture
def wangfang_client(county: County) -> Client:
    return client_for(county.wangfang)


@pytest.fixture
def filed(county: County, licence_item: ServiceItem, wangfang: Applicant) -> Case:
    return apply_online(county, licence_item, wangfang)


# -- the form ----------------------------------------------------------------------


def test_it_shows_the_questions_and_a_checklist_that_follows_the_answers(
    county: County, licence_item: ServiceItem, wangfang: Applicant, wangfang_client: Client
) -> None:
    page = wangfang_client.get(apply_url(licence_item))
    html = page.content.decode()
    assert page.status_code == 200
    assert "由谁办理？" in html and 'name="answers.S1"' in html
    assert "个体工商户登记申请书" in html and "委托书及受托人身份证" not in html
    key_of(html)
    partial = wangfang_client.get(
        reverse("cases:checklist", args=[licence_item.impl_code]),
        {"answers.S1": "B", "answers.S2": "B"},
    )
    body = partial.content.decode()
    assert "委托书及受托人身份证" in body and "房屋租赁合同" in body
    assert 'value="promise"' in body  # 容缺后补 may be promised
    assert "<html" not in body


def test_it_starts_from_the_answers_given_on_the_item_page(
    licence_item: ServiceItem, wangfang: Applicant, wangfang_client: Client
) -> None:
    html = wangfang_client.get(apply_url(licence_item), {"S1": "B"}).content.decode()
    assert 'name="answers.S1" value="B" checked' in html and "委托书及受托人身份证" in html


def test_it_files_for_an_enterprise_by_its_credit_code(
    county: County, food_item: ServiceItem
) -> None:
    from tests.factories import SCJG_CREDIT

    boss = User.objects.create_user("qingxi-food", display_name="清溪食品", role=Role.ENTERPRISE)
    client = client_for(boss)
    html = client.get(apply_url(food_item)).content.decode()
    assert "统一社会信用代码" in html and "企业名称" in html
    data = {
        "key": key_of(html), "id_number": SCJG_CREDIT, "name": "清溪食品有限公司",
        "materials.F1.file": pdf("营业执照.pdf"), "materials.F2.file": pdf("制度.pdf", PDF_BYTES + b"f2"),
    }  # fmt: skip
    assert client.post(apply_url(food_item), data).status_code == 302
    applicant = Case.objects.get().applicant
    assert (applicant.kind, applicant.user, applicant.name) == (
        Applicant.ENTERPRISE,
        boss,
        "清溪食品有限公司",
    )
    assert applicant.id_masked in client.get(apply_url(food_item)).content.decode()


def test_it_says_at_once_when_an_item_cannot_be_applied_for_online(
    county: County, wangfang: Applicant, wangfang_client: Client
) -> None:
    from tests.cases.conftest import publish
    from tests.factories import item_doc

    paper_only = publish(county, item_doc(online_depth="二级（表格下载）"))
    html = wangfang_client.get(apply_url(paper_only)).content.decode()
    assert (
        "本事项暂不支持网上申请" in html
        and 'value="submit" class="btn apply-actions__submit" disabled' in html
    )


def test_it_asks_a_first_time_citizen_for_her_identity_once(
    county: County, licence_item: ServiceItem
) -> None:
    client = client_for(county.wangfang)
    html = client.get(apply_url(licence_item)).content.decode()
    assert 'name="id_number"' in html
    identity = {
        "id_number": county.wangfang_id,
        "name": "王芳",
        "phone": "13805720001",
        "village": county.village.code,
    }
    response = client.post(apply_url(licence_item), application(key_of(html), **identity))
    case = Case.objects.get()
    assert response.status_code == 302 and response["Location"] == reverse(
        "cases:detail", args=[case.ref]
    )
    applicant = Applicant.objects.get()
    assert (applicant.user, applicant.division, case.division) == (
        county.wangfang,
        county.village,
        county.village,
    )
    again = client.get(apply_url(licence_item)).content.decode()
    assert 'name="id_number"' not in again
    assert applicant.id_masked in again and county.wangfang_id not in again
    assert "138****0001" in again


def test_it_files_one_case_when_the_same_submission_arrives_twice(
    county: County, licence_item: ServiceItem, wangfang: Applicant, wangfang_client: Client
) -> None:
    key = key_of(wangfang_client.get(apply_url(licence_item)).content.decode())
    first = wangfang_client.post(apply_url(licence_item), application(key))
    second = wangfang_client.post(apply_url(licence_item), application(key))
    assert Case.objects.count() == 1
    assert first["Location"] == second["Location"]
    case = Case.objects.get()
    assert (case.channel, case.filed_by, case.status) == (
        "online",
        county.wangfang,
        CaseStatus.SUBMITTED,
    )
    detail = wangfang_client.get(first["Location"]).content.decode()
    assert "提交申请" in detail and case.number in detail and "受理（正在办理）" in detail


# -- errors, field by field -----------------------------------------------------------


def test_it_names_the_missing_answer_and_material_next_to_them_and_keeps_the_answers(
    county: County, licence_item: ServiceItem, wangfang: Applicant, wangfang_client: Client
) -> None:
    key = key_of(wangfang_client.get(apply_url(licence_item)).content.decode())
    data = application(key, **{"answers.S2": None, "materials.M1.file": None})
    response = wangfang_client.post(apply_url(licence_item), data)
    html = response.content.decode()
    assert response.status_code == 400
    assert Case.objects.count() == 0
    question = html[html.index('id="f-answers-S2"') :]
    assert question.index("请回答“经营场所是否为自有房产？”") < question.index("</fieldset>")
    material = html[html.index('id="f-materials-M1"') :]
    assert material.index("必要材料，请上传或选择电子证照") < material.index("</fieldset>")
    summary = html[
        html.index('class="error-summary"') : html.index(
            "</div>", html.index('class="error-summary"')
        )
    ]
    assert 'href="#f-answers-S2"' in summary and 'href="#f-materials-M1"' in summary
    assert 'name="answers.S1" value="A" checked' in html
    assert f'name="key" value="{key}"' in html  # the retry is still the same submission


def test_it_refuses_a_file_whose_bytes_are_not_a_document_and_keeps_the_good_one(
    county: County, licence_item: ServiceItem, wangfang: Applicant, wangfang_client: Client
) -> None:
    key = key_of(wangfang_client.get(apply_url(licence_item)).content.decode())
    fake = pdf("申请书.pdf", b"MZ\x90\x00 an executable in disguise")
    response = wangfang_client.post(
        apply_url(licence_item), application(key, **{"materials.M1.file": fake})
    )
    html = response.content.decode()
    assert response.status_code == 400 and Case.objects.count() == 0
    m1 = html[html.index('id="f-materials-M1"') :]
    assert m1.index("文件内容不是") < m1.index("</fieldset>")
    m2 = html[html.index('id="f-materials-M2"') :]
    kept = re.search(r'value="(file:\d+)" checked', m2[: m2.index("</fieldset>")])
    assert kept, "the identity card that passed is offered again, already chosen"
    fixed = {
        "materials.M1.file": pdf("申请书.pdf"),
        "materials.M2": kept.group(1),
        "materials.M2.file": None,
    }
    assert (
        wangfang_client.post(apply_url(licence_item), application(key, **fixed)).status_code == 302
    )
    assert Case.objects.get().materials.get(code="M2").via == CaseMaterial.REUSED


def test_it_explains_a_bad_identity_number(county: County, licence_item: ServiceItem) -> None:
    client = client_for(county.wangfang)
    key = key_of(client.get(apply_url(licence_item)).content.decode())
    wrong = county.wangfang_id[:-1] + ("0" if county.wangfang_id[-1] != "0" else "1")
    response = client.post(apply_url(licence_item), application(key, id_number=wrong, name="王芳"))
    html = response.content.decode()
    assert response.status_code == 400 and not Applicant.objects.exists()
    field = html[html.index('id="f-id_number"') :]
    assert field.index("校验位不符") < field.index("</div>")
    assert wrong not in html  # not even a mistyped number is written back
    assert 'name="answers.S2" value="A" checked' in html


# -- drafts, e-licences, 容缺 -----------------------------------------------------------------


def test_it_saves_a_draft_and_submits_it_later(
    county: County, licence_item: ServiceItem, wangfang: Applicant, wangfang_client: Client
) -> None:
    key = key_of(wangfang_client.get(apply_url(licence_item)).content.decode())
    data = application(key, do="draft", **{"answers.S2": None, "materials.M2.file": None})
    response = wangfang_client.post(apply_url(licence_item), data)
    draft = Case.objects.get(status=CaseStatus.DRAFT)
    assert response["Location"] == f"{apply_url(licence_item)}?draft={draft.ref}"
    assert not draft.tasks.exists() and draft.submitted_at is None
    page = wangfang_client.get(response["Location"]).content.decode()
    assert "草稿已保存" in page and 'name="answers.S1" value="A" checked' in page
    assert f"?draft={draft.ref}" in wangfang_client.get(reverse("cases:mine")).content.decode()
    stored = re.search(r'name="materials.M1" value="(file:\d+)" checked', page)
    assert stored, "the file attached to the draft is kept"
    final = application(
        key_of(page),
        draft=str(draft.ref),
        **{"materials.M1": stored.group(1), "materials.M1.file": None},
    )
    assert wangfang_client.post(apply_url(licence_item), final).status_code == 302
    assert list(Case.objects.values_list("status", flat=True)) == [CaseStatus.SUBMITTED]


def test_it_offers_the_elicence_she_holds_instead_of_an_upload(
    county: County,
    licence_item: ServiceItem,
    food_item: ServiceItem,
    wangfang: Applicant,
    wangfang_client: Client,
) -> None:
    licence = ELicence.objects.get(
        case=conclude(county, apply_online(county, licence_item, wangfang))
    )
    html = wangfang_client.get(apply_url(food_item)).content.decode()
    assert f'value="elicence:{licence.pk}" checked' in html and "使用电子证照（免提交）" in html
    data = {
        "key": key_of(html),
        "materials.F1": f"elicence:{licence.pk}",
        "materials.F2": "upload",
        "materials.F2.file": pdf(),
    }
    assert wangfang_client.post(apply_url(food_item), data).status_code == 302
    food = Case.objects.get(item=food_item)
    assert food.materials_saved == 1 and food.materials.get(code="F1").via == CaseMaterial.ELICENCE


def test_it_says_at_the_top_which_elicences_stand_in_for_uploads(
    county: County,
    licence_item: ServiceItem,
    food_item: ServiceItem,
    wangfang: Applicant,
    wangfang_client: Client,
) -> None:
    conclude(county, apply_online(county, licence_item, wangfang))
    html = wangfang_client.get(apply_url(food_item)).content.decode()
    note = "已为您选好 <strong>1</strong> 份电子证照免提交（营业执照）"
    # Above the applicant's card, where a phone opens the page; the choice itself is far below.
    assert note in html and html.index(note) < html.index('id="who-title"')
    # The checklist an answer brings back says it again, for the note to follow (htmx oob).
    partial = wangfang_client.get(reverse("cases:checklist", args=[food_item.impl_code]))
    body = partial.content.decode()
    assert 'id="elicence-note"' in body and 'hx-swap-oob="true"' in body and note in body
    # Someone with nothing to reuse gets no note (the empty one stays, hidden, for htmx).
    fresh = wangfang_client.get(apply_url(licence_item)).content.decode()
    assert "份电子证照免提交" not in fresh and re.search(r'id="elicence-note"[^>]* hidden', fresh)


def test_it_shows_a_choose_file_button_with_the_files_name(
    licence_item: ServiceItem, wangfang: Applicant, wangfang_client: Client
) -> None:
    html = wangfang_client.get(apply_url(licence_item)).content.decode()
    assert '<label class="btn btn--ghost file-pick__button" for="file-M1"' in html
    assert '<span class="file-pick__name" data-file-name="file-M1">未选择文件</span>' in html


def test_it_accepts_a_promise_for_a_deferrable_material_and_takes_it_later(
    county: County, licence_item: ServiceItem, wangfang: Applicant, wangfang_client: Client
) -> None:
    key = key_of(wangfang_client.get(apply_url(licence_item)).content.decode())
    promise = (date.today() + timedelta(days=7)).isoformat()
    data = application(
        key, **{"answers.S2": "B", "materials.M4": "promise", "materials.M4.promise_by": promise}
    )
    detail = wangfang_client.post(apply_url(licence_item), data)["Location"]
    case = Case.objects.get()
    assert case.held_for_materials
    html = wangfang_client.get(detail).content.decode()
    assert "容缺后补" in html and reverse("cases:supply", args=[case.ref, "M4"]) in html
    supply = reverse("cases:supply", args=[case.ref, "M4"])
    bad = wangfang_client.post(
        supply, {"materials.M4.file": pdf("租赁合同.pdf", b"GIF89a not a pdf")}
    )
    html = bad.content.decode()
    assert bad.status_code == 400
    assert html.index('for="supply-M4"') < html.index("文件内容不是", html.index('for="supply-M4"'))
    assert (
        wangfang_client.post(reverse("cases:supply", args=[case.ref, "M9"]), {}).status_code == 404
    )
    wangfang_client.post(supply, {"materials.M4.file": pdf("租赁合同.pdf")})
    case.refresh_from_db()
    assert not case.held_for_materials and case.materials.get(code="M4").received_at is not None


# -- 补正 -------------------------------------------------------------------------------


def test_it_lets_her_correct_materials_once(
    county: County, filed: Case, wangfang_client: Client
) -> None:
    case = act(filed, county.zhangwei, "accept")
    act(case, county.chenjing, "correct", "经营者身份证照片不清晰，请重新上传")
    detail = reverse("cases:detail", args=[case.ref])
    html = wangfang_client.get(detail).content.decode()
    assert "请补正材料" in html and "经营者身份证照片不清晰" in html
    assert "审查：退回补正" in html
    mine = wangfang_client.get(reverse("cases:mine")).content.decode()
    assert "补正材料" in mine and "等您处理" in mine
    empty = wangfang_client.post(reverse("cases:correct", args=[case.ref]), {})
    assert empty.status_code == 400 and "请至少上传一份补正材料" in empty.content.decode()
    upload = {"materials.M2.file": pdf("身份证-清晰.pdf", PDF_BYTES + b"clear")}
    response = wangfang_client.post(reverse("cases:correct", args=[case.ref]), upload)
    assert response.status_code == 302
    case.refresh_from_db()
    assert case.status == CaseStatus.IN_PROGRESS and case.clock_stopped_at is None
    assert case.materials.get(code="M2").file.original_name == "身份证-清晰.pdf"
    again = wangfang_client.post(reverse("cases:correct", args=[case.ref]), upload, follow=True)
    assert "补正材料已经提交" in again.content.decode()
    assert Task.objects.filter(case=case, activity="correct", state=Task.DONE).count() == 1


# -- results ------------------------------------------------------------------------------


def test_it_prints_the_certificate_that_anyone_can_verify(
    county: County, filed: Case, wangfang_client: Client
) -> None:
    case = conclude(county, filed)
    licence = ELicence.objects.get(case=case)
    html = wangfang_client.get(reverse("cases:result", args=[case.ref])).content.decode()
    certificate = html.split('class="certificate"')[1]
    for text in (licence.number, licence.verify_code, "营业执照", "王芳", county.scjg.name):
        assert text in certificate
    # The address and the code on lines of their own, not one long link broken mid-code.
    assert re.search(r'<p class="small verify-url">http://testserver/cases/verify/</p>', html)
    assert "?code=" not in certificate
    library = wangfang_client.get(reverse("cases:elicences")).content.decode()
    assert licence.number in library
    check = Client().get(reverse("cases:verify"), {"code": licence.verify_code.lower()})
    assert (
        check.status_code == 200
        and "真实有效" in check.content.decode()
        and "王*" in check.content.decode()
    )
    unknown = Client().get(reverse("cases:verify"), {"code": "NOSUCHCODE"}).content.decode()
    assert "未找到" in unknown


def test_it_masks_the_holders_name_to_anyone_but_her(county: County, filed: Case) -> None:
    case = conclude(county, filed)
    code = ELicence.objects.get(case=case).verify_code
    result = reverse("cases:result", args=[case.ref])
    lina = client_for(county.lina).get(result).content.decode()  # her village's agent
    assert lina.count("王*") == 1 and "王芳" not in lina.split('class="certificate"')[1]
    public = Client().get(reverse("cases:verify"), {"code": code}).content.decode()
    signed_in = client_for(county.wangfang).get(reverse("cases:verify"), {"code": code})
    for html in (public, signed_in.content.decode()):  # the verify page is for the public
        assert "王*" in html and "王芳" not in html.split("verify-result")[1]


def test_it_gives_the_written_reason_of_a_refusal(
    county: County, filed: Case, wangfang_client: Client
) -> None:
    case = act(filed, county.zhangwei, "refuse", "经营范围属于许可项目，应先取得许可")
    html = wangfang_client.get(reverse("cases:result", args=[case.ref])).content.decode()
    assert "不予受理" in html and "应先取得许可" in html


def test_it_offers_the_rating_only_after_conclusion(
    county: County, filed: Case, wangfang_client: Client
) -> None:
    detail = reverse("cases:detail", args=[filed.ref])
    assert (
        'action="' + reverse("cases:rate", args=[filed.ref])
        not in wangfang_client.get(detail).content.decode()
    )
    conclude(county, filed)
    html = wangfang_client.get(detail).content.decode()
    assert "评价（好差评）" in html


def test_it_records_her_rating_once(county: County, filed: Case, wangfang_client: Client) -> None:
    ratings = pytest.importorskip("zhili.cases.ratings")
    case = conclude(county, filed)
    rate = reverse("cases:rate", args=[case.ref])
    assert (
        wangfang_client.get(reverse("cases:detail", args=[case.ref])).content.decode().count(rate)
        == 1
    )
    response = wangfang_client.post(rate, {"level": "5", "tags": list(ratings.RATING_TAGS[:1])})
    assert response.status_code == 302
    assert case.ratings.count() == 1
    assert (
        rate not in wangfang_client.get(reverse("cases:detail", args=[case.ref])).content.decode()
    )
    wangfang_client.post(rate, {"level": "1", "reason": "改主意了"})
    assert case.ratings.count() == 1


def test_it_shows_the_rectification_and_lets_her_rate_once_more(
    county: County, filed: Case, wangfang_client: Client
) -> None:
    ratings = pytest.importorskip("zhili.cases.ratings")
    case = conclude(county, filed)
    rate = reverse("cases:rate", args=[case.ref])
    detail = reverse("cases:detail", args=[case.ref])
    assert (
        wangfang_client.post(rate, {"level": "2", "reason": "窗口让我跑了两趟"}).status_code == 302
    )
    html = wangfang_client.get(detail).content.decode()
    assert "窗口让我跑了两趟" in html and "整改" in html and rate not in html
    rectification = case.ratings.get().rectification
    ratings.rectification_callback(
        rectification=rectification, actor=county.zhangwei, note="已电话回访王芳"
    )
    ratings.rectification_respond(
        rectification=rectification,
        actor=county.zhangwei,
        response="已调整流程，材料可一次网上提交",
    )
    html = wangfang_client.get(detail).content.decode()
    assert "已调整流程，材料可一次网上提交" in html and "再评价一次" in html and rate in html
    assert wangfang_client.post(rate, {"level": "4"}).status_code == 302
    assert list(case.ratings.values_list("round", "level")) == [(1, 2), (2, 4)]


def test_it_sends_a_refused_rating_back_to_the_rating_with_its_error(
    county: County, filed: Case, wangfang_client: Client
) -> None:
    pytest.importorskip("zhili.cases.ratings")
    case = conclude(county, filed)
    rate = reverse("cases:rate", args=[case.ref])
    detail = wangfang_client.get(reverse("cases:detail", args=[case.ref])).content.decode()
    assert f'action="{rate}#rating"' in detail
    assert "（差评请写明理由或选择标签，其他选填）</span></label>" in detail  # not just （选填）
    response = wangfang_client.post(rate, {"level": "2"})
    html = response.content.decode()
    assert response.status_code == 400
    assert 'id="rating-errors"' in html and 'tabindex="-1"' in html
    assert '<a href="#reason">差评请填写理由或选择至少一个差评标签</a>' in html
    assert "Number('2')" in html  # the form opens with her level and the tags that fit it
    thanks = wangfang_client.post(rate, {"level": "2", "tags": ["多次跑动"]})
    assert thanks.status_code == 302 and thanks.url.endswith("#rating")
    page = wangfang_client.get(thanks.url).content.decode()
    rating_section = page.split('id="rating"')[1]
    assert "感谢您的评价！" in rating_section  # where she is, not out of sight at the top


def test_it_says_each_step_once_on_her_timeline(
    county: County, filed: Case, wangfang_client: Client
) -> None:
    case = act(conclude(county, filed), county.zhangwei, "deliver")
    html = wangfang_client.get(reverse("cases:detail", args=[case.ref])).content.decode()
    titles = re.findall(r'<div class="timeline__title">([^<]+)</div>', html)
    assert titles == ["提交申请", "已受理", "审查通过", "决定：准予", "已办结", "已送达"]
    assert "<title>个体工商户设立登记 · 我的办件 · 智理</title>" in html


def test_it_lets_only_the_applicant_rate(county: County, filed: Case) -> None:
    pytest.importorskip("zhili.cases.ratings")
    case = conclude(county, filed)
    lina = client_for(county.lina)
    assert (
        reverse("cases:rate", args=[case.ref])
        not in lina.get(reverse("cases:detail", args=[case.ref])).content.decode()
    )
    assert lina.post(reverse("cases:rate", args=[case.ref]), {"level": "5"}).status_code == 403
    assert not case.ratings.exists()


def test_it_explains_a_rating_without_a_level(
    county: County, filed: Case, wangfang_client: Client
) -> None:
    pytest.importorskip("zhili.cases.ratings")
    case = conclude(county, filed)
    response = wangfang_client.post(reverse("cases:rate", args=[case.ref]), {"reason": "还行"})
    assert response.status_code == 400 and "请选择满意程度" in response.content.decode()


# -- who sees what -------------------------------------------------------------------


@pytest.fixture
def people(county: County) -> dict[str, User | None]:
    other = User.objects.create_user("qianduo", display_name="钱多", role=Role.CITIZEN)
    west_agent = User.objects.create_user("zhoufang", display_name="周芳", role=Role.VILLAGE_AGENT)
    west_agent.divisions.set([county.other_village])
    return {
        "王芳": county.wangfang,
        "另一位群众": other,
        "李娜（东山村代办员）": county.lina,
        "西坞村代办员": west_agent,
        "周磊（自然资源局）": county.zhoulei,
        "张伟（市场监管局）": county.zhangwei,
        "未登录": None,
    }


SCOPING = [
    # who, detail, result, correction
    ("王芳", 200, 200, 302),
    ("另一位群众", 404, 404, 404),
    ("李娜（东山村代办员）", 200, 200, 403),
    ("西坞村代办员", 404, 404, 404),
    ("周磊（自然资源局）", 404, 404, 404),
    ("张伟（市场监管局）", 200, 200, 403),
    ("未登录", 302, 302, 302),
]


@pytest.mark.parametrize(("who", "detail", "result", "correction"), SCOPING)
def test_it_shows_a_case_only_to_those_in_its_scope(
    county: County,
    filed: Case,
    people: dict[str, User | None],
    who: str,
    detail: int,
    result: int,
    correction: int,
) -> None:
    case = act(
        act(filed, county.zhangwei, "accept"), county.chenjing, "correct", "请补充身份证反面"
    )
    client = client_for(people[who])
    upload = {"materials.M2.file": pdf("身份证.pdf", PDF_BYTES + b"back")}
    got = (
        client.get(reverse("cases:detail", args=[case.ref])).status_code,
        client.get(reverse("cases:result", args=[case.ref])).status_code,
        client.post(reverse("cases:correct", args=[case.ref]), upload).status_code,
    )
    assert got == (detail, result, correction)
    if people[who] is None:
        assert client.get(reverse("cases:detail", args=[case.ref]))["Location"].startswith(
            "/accounts/login/"
        )


def test_it_answers_404_for_a_made_up_case(wangfang_client: Client, filed: Case) -> None:
    assert wangfang_client.get("/cases/00000000-0000-4000-8000-000000000000/").status_code == 404
    assert wangfang_client.get(f"/cases/{filed.pk}/").status_code == 404  # no numeric ids


def test_it_keeps_staff_out_of_the_online_form(county: County, licence_item: ServiceItem) -> None:
    assert client_for(county.zhangwei).get(apply_url(licence_item)).status_code == 403
    assert client_for(None).get(apply_url(licence_item)).status_code == 302


@pytest.mark.parametrize("endpoint", ["apply", "correct", "supply", "rate"])
def test_it_refuses_a_post_without_the_csrf_token(
    county: County, licence_item: ServiceItem, filed: Case, endpoint: str
) -> None:
    urls = {
        "apply": apply_url(licence_item),
        "correct": reverse("cases:correct", args=[filed.ref]),
        "supply": reverse("cases:supply", args=[filed.ref, "M4"]),
        "rate": reverse("cases:rate", args=[filed.ref]),
    }
    client = client_for(county.wangfang, csrf=True)
    assert client.post(urls[endpoint], {"key": "x"}).status_code == 403
    assert Case.objects.count() == 1


def test_it_never_prints_her_identity_number(
    county: County, licence_item: ServiceItem, wangfang: Applicant, wangfang_client: Client
) -> None:
    case = conclude(county, apply_online(county, licence_item, wangfang))
    pages = [
        apply_url(licence_item),
        reverse("cases:mine"),
        reverse("cases:detail", args=[case.ref]),
        reverse("cases:result", args=[case.ref]),
        reverse("cases:elicences"),
    ]
    for url in pages:
        html = wangfang_client.get(url).content.decode()
        assert county.wangfang_id not in html, url
        assert "13805720001" not in html, url
    agent = client_for(county.lina).get(reverse("cases:agent_home")).content.decode()
    assert county.wangfang_id not in agent and wangfang.id_masked in agent


def test_it_accepts_a_png_photo_from_a_phone(
    county: County, licence_item: ServiceItem, wangfang: Applicant, wangfang_client: Client
) -> None:
    from django.core.files.uploadedfile import SimpleUploadedFile

    key = key_of(wangfang_client.get(apply_url(licence_item)).content.decode())
    photo = SimpleUploadedFile("IMG_0001.PNG", PNG_BYTES, content_type="image/png")
    assert (
        wangfang_client.post(
            apply_url(licence_item), application(key, **{"materials.M2.file": photo})
        ).status_code
        == 302
    )


# -- whom she files for, and through which channel ----------------------------------------


def test_it_does_not_let_a_citizen_take_over_a_record_by_typing_its_number(
    county: County, licence_item: ServiceItem
) -> None:
    from tests.factories import resident_id
    from zhili.cases.services import applicant_for_filing

    lisi_id = resident_id("19650412", "031")
    lisi = applicant_for_filing(
        actor=county.lina, kind="person", id_number=lisi_id, name="李四", phone="13905720002"
    )
    impostor = User.objects.create_user("impostor", display_name="某人", role=Role.CITIZEN)
    client = client_for(impostor)
    key = key_of(client.get(apply_url(licence_item)).content.decode())
    who = {"id_number": lisi_id, "name": "李四", "phone": "13900000000",
           "village": county.other_village.code}  # fmt: skip
    response = client.post(apply_url(licence_item), application(key, **who))
    html = response.content.decode()
    assert response.status_code == 403 and "只能以本人身份申请" in html
    field = html[html.index('id="f-id_number"') :]
    assert field.index("只能以本人身份申请") < field.index("</div>")
    lisi.refresh_from_db()
    assert (lisi.user, lisi.phone_masked, lisi.division) == (None, "139****0002", county.village)
    assert not Case.objects.exists()


def test_it_files_from_the_kiosk_as_a_kiosk_case(
    county: County, licence_item: ServiceItem, wangfang: Applicant, wangfang_client: Client
) -> None:
    from zhili.cases.models import Visit

    html = wangfang_client.get(apply_url(licence_item), {"kiosk": "1"}).content.decode()
    assert 'name="channel" value="kiosk"' in html
    response = wangfang_client.post(
        apply_url(licence_item), application(key_of(html), channel="kiosk")
    )
    case = Case.objects.get()
    assert response.status_code == 302 and case.channel == "kiosk"
    assert Visit.objects.filter(case=case, channel="kiosk").count() == 1  # she came in person


def test_it_files_online_unless_the_client_says_otherwise(
    county: County, licence_item: ServiceItem, wangfang: Applicant, wangfang_client: Client
) -> None:
    page = wangfang_client.get(
        apply_url(licence_item), HTTP_USER_AGENT="Mozilla/5.0 (iPhone; CPU iPhone OS 17_0)"
    ).content.decode()
    assert 'name="channel" value="online"' in page  # a phone is not sniffed from its agent
    wangfang_client.post(apply_url(licence_item), application(key_of(page)))
    # A phone app's web view says so itself.
    wangfang_client.post(apply_url(licence_item), application(str(uuid.uuid4()), channel="mobile"))
    assert sorted(Case.objects.values_list("channel", flat=True)) == ["mobile", "online"]


@pytest.mark.parametrize("channel", ["window", "village_point", "api", "fax"])
def test_it_refuses_a_channel_the_applicant_cannot_claim(
    county: County,
    licence_item: ServiceItem,
    wangfang: Applicant,
    wangfang_client: Client,
    channel: str,
) -> None:
    key = key_of(wangfang_client.get(apply_url(licence_item)).content.decode())
    response = wangfang_client.post(apply_url(licence_item), application(key, channel=channel))
    assert response.status_code == 400 and not Case.objects.exists()
    assert "办理渠道：办理渠道只能是网上办、掌上办或自助终端" in response.content.decode()


def test_it_shows_the_form_without_the_systems_own_keys(
    county: County, licence_item: ServiceItem, wangfang: Applicant, wangfang_client: Client
) -> None:
    case = apply_online(
        county, licence_item, wangfang, form_data={"_request_sha256": "ab12cd", "经营范围": "小吃"}
    )
    for client, url in [
        (wangfang_client, reverse("cases:detail", args=[case.ref])),
        (client_for(county.zhangwei), reverse("staff_cases:detail", args=[case.ref])),
    ]:
        html = client.get(url).content.decode()
        assert "经营范围" in html and "小吃" in html, url
        assert "_request_sha256" not in html and "ab12cd" not in html, url
