"""The whole journey of issue 3 through a real Chromium, as the people would see it.

王芳 applies on her phone for 个体工商户设立登记; 张伟 accepts it at his desk,
陈静 reviews and approves, 张伟 delivers; 王芳 finds her 营业执照 among her
e-licences, anyone can verify it, she reuses it in her food licence
application instead of uploading it, and rates the first case. A second story:
a bad rating must say why, and 孙丽 sees it on the supervision board.

Screenshots: /tmp/journey-*.png (phone 390×844 for 王芳, desktop 1440×900 for staff).
"""

from __future__ import annotations

import os
import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from tests.cases.browser import DESKTOP, PHONE, Person, launch_chromium, needs_chromium, tiny_pdf
from tests.cases.conftest import apply_online, publish
from tests.conftest import County
from tests.factories import food_doc, item_doc
from zhili.cases.models import (
    Applicant,
    Case,
    CaseMaterial,
    CaseStatus,
    ELicence,
    Rating,
    Rectification,
    Task,
)
from zhili.cases.services import applicant_get_or_create, task_complete
from zhili.catalogue.models import ServiceItem

os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")

pytestmark = [pytest.mark.browser, needs_chromium]


@pytest.fixture(scope="module")
def chromium() -> Iterator[Any]:
    yield from launch_chromium()


@pytest.fixture
def items(county: County) -> tuple[ServiceItem, ServiceItem]:
    """个体工商户设立登记 (→ 营业执照 e-licence) and 食品经营许可 (营业执照 may replace F1)."""
    return publish(county, item_doc()), publish(county, food_doc())


def _case_ref(page: Any) -> str:
    match = re.search(r"/cases/([0-9a-f-]{36})/", page.url)
    assert match, page.url
    return match.group(1)


def _fact(page: Any, term: str) -> str:
    """The value after a <dt> in the case's facts."""
    return str(page.locator(f"dl.kv dt:text-is('{term}') + dd").first.inner_text()).strip()


def _staff_act(person: Person, number: str, button: str, shot: str = "") -> None:
    """From the queue, open the case and press the action button of its current step."""
    page = person.page
    person.go("/staff/cases/queue/")
    page.get_by_role("link", name=number, exact=True).click()
    page.wait_for_url("**/staff/cases/*/")
    page.locator(".task-panel").first.wait_for()
    if shot:
        person.shot(shot)
    page.get_by_role("button", name=button, exact=True).click()
    page.locator(".staff-messages").get_by_text("已办理").wait_for()


def test_it_takes_wangfang_from_application_to_elicence_reuse_and_rating(
    live_server: Any,
    transactional_db: Any,
    county: County,
    items: tuple[ServiceItem, ServiceItem],
    chromium: Any,
    tmp_path: Path,
) -> None:
    licence_item, food_item = items
    url = live_server.url
    wang = Person(chromium, url, PHONE)
    zhang = Person(chromium, url, DESKTOP)
    chen = Person(chromium, url, DESKTOP)
    public = Person(chromium, url, PHONE)
    people = [wang, zhang, chen, public]

    # 1. 王芳 applies on her phone.
    page = wang.login("wangfang", f"/items/{licence_item.impl_code}/")
    page.get_by_role("heading", name="个体工商户设立登记").first.wait_for()
    wang.shot("01-item")
    page.get_by_role("link", name="在线申请").first.click()  # the one near the top
    page.wait_for_url(f"**/cases/apply/{licence_item.impl_code}/")
    checklist = page.locator("#checklist")
    names = checklist.locator(".material__name")
    assert "个体工商户登记申请书" in checklist.inner_text()
    assert "委托书及受托人身份证" not in checklist.inner_text()
    situations = page.locator("#situations")
    situations.locator("label.option", has_text="委托他人代办").click()
    names.get_by_text("委托书及受托人身份证", exact=True).wait_for()
    situations.locator("label.option", has_text="租赁").click()
    names.get_by_text("房屋租赁合同", exact=True).wait_for()
    wang.shot("02-apply-proxy-lease")
    situations.locator("label.option", has_text="经营者本人").click()
    names.get_by_text("委托书及受托人身份证", exact=True).wait_for(state="detached")
    situations.locator("label.option", has_text="自有").click()
    names.get_by_text("房屋租赁合同", exact=True).wait_for(state="detached")
    assert "按您的情况共需 2 份材料" in checklist.inner_text()

    page.set_input_files("#file-M1", tiny_pdf(tmp_path, "登记申请书.pdf"))
    page.set_input_files("#file-M2", tiny_pdf(tmp_path, "身份证.pdf"))
    assert wang.text("#f-materials-M1 .file-pick__name") == "登记申请书.pdf"
    page.get_by_label("身份证号").fill(county.wangfang_id)
    page.get_by_label("姓名").fill("王芳")
    page.get_by_label("手机号").fill("13805720001")
    page.get_by_label("所在村（社区）").select_option(label="东山村")
    wang.shot("03-apply-filled")
    page.get_by_role("button", name="提交申请").click()
    page.wait_for_url(re.compile(r"/cases/[0-9a-f-]{36}/$"))
    first_ref = _case_ref(page)
    assert page.locator(".case-head .status").inner_text() == "待受理"
    number = _fact(page, "办件编号")
    assert f"申请已提交，办件编号 {number}" in wang.text()
    identity = _fact(page, "申请人")
    assert county.wangfang_id not in wang.text()  # only the masked number is shown
    assert "王芳" in identity and "*" in identity
    wang.shot("04-case-submitted")

    # 2. 张伟 accepts, 陈静 reviews and decides, 张伟 delivers.
    page = zhang.login("zhangwei", "/staff/cases/queue/")
    row = page.locator("tr", has=page.get_by_role("link", name=number, exact=True))
    assert "个体工商户设立登记" in row.inner_text() and "王芳" in row.inner_text()
    assert "受理" in row.inner_text()
    zhang.shot("05-queue-zhangwei")
    _staff_act(zhang, number, "受理", shot="06-staff-case-accept")
    assert "“受理”已办理：受理" in zhang.text()
    staff_view = zhang.text()
    assert county.wangfang_id not in staff_view and "13805720001" not in staff_view  # masked
    zhang.shot("07-staff-case-accepted")

    chen.login("chenjing", "/staff/cases/queue/")
    _staff_act(chen, number, "审查通过")
    chen.page.get_by_role("heading", name="当前环节：决定").wait_for()
    chen.shot("08-staff-case-decide")
    chen.page.get_by_role("button", name="准予", exact=True).click()
    chen.page.get_by_text("“决定”已办理：准予").wait_for()
    assert "核验码" in chen.text()  # the e-licence issued by this case
    chen.shot("09-staff-case-approved")

    _staff_act(zhang, number, "已送达")
    assert "已办结" in zhang.text("main .case-head")
    zhang.shot("10-staff-case-delivered")

    # 3. 王芳 sees the result, her e-licence, and anyone can verify it.
    page = wang.go("/cases/mine/")
    row = page.locator(".case-row", has_text=number)
    assert "已办结" in row.inner_text()
    wang.shot("11-mine")
    page.get_by_role("link", name="我的电子证照").first.click()
    page.wait_for_url("**/cases/elicences/")
    card = page.locator(".licence", has_text="营业执照")
    code = card.locator(".verify-code").inner_text().strip()
    assert code
    wang.shot("12-elicences")
    card.get_by_role("link", name="查看和打印").click()
    page.wait_for_url(f"**/cases/{first_ref}/result")
    assert page.locator(".certificate .verify-code").inner_text().strip() == code
    assert "营业执照" in page.locator(".certificate__kind").inner_text()
    assert "王芳" in _fact(page, "持证者")  # her own certificate; the verify page masks it
    wang.shot("13-result")

    page = public.go("/cases/verify/")
    page.get_by_label("核验码").fill(code)
    page.get_by_role("button", name="核验").click()
    page.get_by_role("heading", name="✓ 真实有效").wait_for()
    assert "营业执照" in public.text(".verify-result")
    assert county.wangfang_id not in public.text()
    assert _fact(page, "持证者") == "王*"
    public.shot("14-verify")

    # 4. The food licence: the 营业执照 is offered instead of an upload, and preselected.
    page = wang.go(f"/items/{food_item.impl_code}/")
    page.get_by_role("link", name="在线申请").first.click()
    page.wait_for_url(f"**/cases/apply/{food_item.impl_code}/")
    assert "王芳" in wang.text(".applicant-card")
    f1 = page.locator("#f-materials-F1")
    offer = f1.get_by_label(re.compile("使用电子证照（免提交）"))
    assert offer.is_checked()
    assert "营业执照" in f1.inner_text()
    # Said at the top too: on a phone the preselected choice sits under the 提交申请 bar.
    assert page.locator("#elicence-note").is_visible()
    assert "已为您选好 1 份电子证照免提交（营业执照）" in wang.text("#elicence-note")
    wang.shot("15a-apply-food-screen", full_page=False)  # what she sees on arrival
    page.set_input_files("#file-F2", tiny_pdf(tmp_path, "食品安全管理制度.pdf"))
    wang.shot("15-apply-food")
    page.get_by_role("button", name="提交申请").click()
    page.wait_for_url(re.compile(r"/cases/[0-9a-f-]{36}/$"))
    assert page.locator(".case-head .status").inner_text() == "待受理"
    assert "免提交 1 份" in wang.text(".case-head")
    food_materials = wang.text("section:has(#materials-title)")
    assert "电子证照免提交" in food_materials and "营业执照" in food_materials
    wang.shot("16-case-food")

    # 5. She rates the first case.
    page = wang.go(f"/cases/{first_ref}/")
    rating = page.locator("#rating")
    rating.get_by_text("非常满意", exact=True).click()
    rating.locator("label.chip", has_text="办理快捷").click()
    wang.shot("17-rating-form")
    rating.get_by_role("button", name="提交评价").click()
    page.get_by_text("感谢您的评价！").wait_for()
    assert "非常满意（办理快捷）" in wang.text("#rating")
    assert page.locator(".rating-form").count() == 0
    wang.shot("18-rated")

    # What the pages said is what was recorded.
    cases = list(Case.objects.exclude(status=CaseStatus.DRAFT).order_by("submitted_at"))
    assert [c.item_id for c in cases] == [licence_item.pk, food_item.pk]
    first, food = cases
    assert first.status == CaseStatus.CONCLUDED and first.delivered_at is not None
    licence = ELicence.objects.get()
    assert (licence.kind, licence.verify_code, licence.case_id) == ("营业执照", code, first.pk)
    reused = CaseMaterial.objects.get(case=food, via=CaseMaterial.ELICENCE)
    assert (reused.code, reused.elicence_id) == ("F1", licence.pk)
    assert food.materials_saved == 1
    assert Rating.objects.get(case=first).tags == ["办理快捷"]
    for person in people:
        assert person.errors == [], person.errors
        person.close()


def _concluded_case(county: County) -> Case:
    """王芳's 个体工商户 case, filed, accepted, reviewed and approved through the services."""
    item = publish(county, item_doc())
    wangfang = applicant_get_or_create(
        kind=Applicant.PERSON, id_number=county.wangfang_id, name="王芳",
        phone="13805720001", user=county.wangfang, division=county.village,
    )  # fmt: skip
    case = apply_online(county, item, wangfang)
    for user, action in [
        (county.zhangwei, "accept"),
        (county.chenjing, "approve"),
        (county.chenjing, "approve"),
    ]:
        task = Task.objects.get(case=case, state=Task.OPEN, role__in=["clerk", "reviewer"])
        case = task_complete(task=task, actor=user, action=action, comment="")
    assert case.status == CaseStatus.CONCLUDED
    return case


def test_it_asks_a_bad_rating_why_and_shows_it_to_the_leader(
    live_server: Any, transactional_db: Any, county: County, chromium: Any
) -> None:
    case = _concluded_case(county)
    wang = Person(chromium, live_server.url, PHONE)
    sun = Person(chromium, live_server.url, DESKTOP)

    page = wang.login("wangfang", f"/cases/{case.ref}/")
    rating = page.locator("#rating")
    rating.get_by_text("不满意", exact=True).click()
    rating.get_by_role("button", name="提交评价").click()
    error = page.locator("#rating .error-summary")
    error.wait_for()
    assert "差评请填写理由或选择至少一个差评标签" in error.inner_text()
    assert rating.get_by_label("不满意", exact=True).is_checked()  # her choice is kept
    wang.shot("21-bad-rating-refused")
    wang.shot("21a-bad-rating-refused-screen", full_page=False)  # where the page opens
    assert Rating.objects.count() == 0

    rating.get_by_label("理由或建议").fill("窗口让我跑了两趟才说清楚要带什么。")
    rating.get_by_role("button", name="提交评价").click()
    page.get_by_text("感谢您的评价！").wait_for()
    assert "不满意：窗口让我跑了两趟" in wang.text("#rating")
    assert "整改" in wang.text("#rating")
    assert page.locator(".rating-form").count() == 0
    wang.shot("22-bad-rating-accepted")

    page = sun.login("sunli", "/staff/cases/supervise/")
    bad = page.locator("section:has(#bad)")
    row = bad.locator("tr", has_text=case.number)
    assert "不满意" in row.inner_text() and "跑了两趟" in row.inner_text()
    sun.shot("23-supervise")

    assert Rating.objects.get(case=case).level == 2
    assert Rectification.objects.filter(rating__case=case).count() == 1
    # The refused rating came back as 400 (a form with errors), which the console reports.
    assert [e for e in wang.errors if "status of 400" not in e] == [], wang.errors
    assert sun.errors == [], sun.errors
    wang.close()
    sun.close()


def test_it_brings_a_citizen_back_to_the_item_after_logging_in_from_the_header(
    live_server: Any, transactional_db: Any, county: County, chromium: Any
) -> None:
    item = publish(county, item_doc())
    wang = Person(chromium, live_server.url, PHONE)
    page = wang.go(f"/items/{item.impl_code}/")
    page.locator(".site-header").get_by_role("link", name="登录").click()
    page.get_by_label("用户名").fill("wangfang")
    page.get_by_label("密码").fill("pw-wangfang")
    page.get_by_role("button", name="登录").click()
    page.wait_for_load_state()
    wang.shot("30-login-from-header")
    try:
        assert "无权访问" not in wang.text()
        assert page.url.endswith(f"/items/{item.impl_code}/")
    finally:
        wang.close()
