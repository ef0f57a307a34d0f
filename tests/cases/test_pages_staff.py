"""The back office of cases: 张伟 accepts 王芳's application, 陈静 decides it.

Also the item's own workflow: 赵敏 uploads a BPMN file for her item, and the
two example processes run to the end.
"""

from __future__ import annotations

import re
import uuid
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from tests.cases.conftest import apply_online, pdf
from tests.conftest import County
from tests.factories import PDF_BYTES
from zhili.accounts.models import User
from zhili.audit.models import AuditEntry
from zhili.cases import selectors, services, workflow
from zhili.cases.materials import MaterialInput
from zhili.cases.models import (
    Applicant,
    Case,
    CaseStatus,
    ItemWorkflow,
    Task,
    Visit,
    Warning,
)
from zhili.cases.services import task_complete
from zhili.cases.workflows_admin import item_workflow_set
from zhili.catalogue.models import ServiceItem

EXAMPLES = Path(workflow.BPMN_DIR, "examples")


def client_for(user: User | None, *, csrf: bool = False) -> Client:
    client = Client(enforce_csrf_checks=csrf)
    if user is not None:
        client.force_login(user)
    return client


def open_task(case: Case, activity: str | None = None) -> Task:
    qs = Task.objects.filter(case=case, state=Task.OPEN)
    if activity:
        qs = qs.filter(activity=activity)
    return qs.get()


def act(
    case: Case, user: User, action: str, comment: str = "", activity: str | None = None
) -> Case:
    return task_complete(task=open_task(case, activity), actor=user, action=action, comment=comment)


def url(name: str, *args: Any) -> str:
    return reverse(f"staff_cases:{name}", args=args)


def csrf_token(client: Client, page: str) -> str:
    html = client.get(page).content.decode()
    found = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', html)
    assert found, "the page has a form with a CSRF token"
    return found.group(1)


@pytest.fixture
def case(county: County, licence_item: ServiceItem, wangfang: Applicant) -> Case:
    """王芳's online application for a 个体工商户 licence, waiting for 受理 at 市场监管局."""
    return apply_online(county, licence_item, wangfang)


@pytest.fixture
def qianduo(county: County) -> User:
    """钱多, a second clerk of 市场监管局."""
    user = User.objects.create_user("qianduo", display_name="钱多", role="clerk")
    user.departments.set([county.scjg])
    return user


# ---- who may open what ----

ENDPOINTS = ["queue", "case_list", "detail", "file"]
# 李娜 sees the cases of her villagers (王芳 lives in 东山村) but has no work queue;
# 周磊 and 赵敏 work for other desks and do not see a 市场监管局 case at all.
MATRIX = [
    ("zhangwei", {"queue": 200, "case_list": 200, "detail": 200, "file": 200}),
    ("chenjing", {"queue": 200, "case_list": 200, "detail": 200, "file": 200}),
    ("zhoulei", {"queue": 200, "case_list": 200, "detail": 404, "file": 404}),
    ("lina", {"queue": 403, "case_list": 200, "detail": 200, "file": 200}),
    ("zhaomin", {"queue": 403, "case_list": 200, "detail": 404, "file": 404}),
    ("wangfang", {"queue": 403, "case_list": 403, "detail": 403, "file": 403}),
    ("sunli", {"queue": 403, "case_list": 200, "detail": 200, "file": 200}),
    ("admin", {"queue": 403, "case_list": 200, "detail": 200, "file": 200}),
    (None, {"queue": 302, "case_list": 302, "detail": 302, "file": 302}),
]


@pytest.mark.parametrize(("who", "expected"), MATRIX)
def test_it_lets_each_role_open_only_its_pages(
    county: County, case: Case, who: str | None, expected: dict[str, int]
) -> None:
    client = client_for(getattr(county, who) if who else None)
    pages = {
        "queue": url("queue"),
        "case_list": url("case_list"),
        "detail": url("detail", case.ref),
        "file": url("file", case.ref, "M1"),
    }
    got = {name: client.get(pages[name]).status_code for name in ENDPOINTS}
    assert got == expected
    if who is None:
        assert client.get(pages["detail"])["Location"].startswith("/accounts/login/")


def test_it_lists_only_the_cases_a_clerk_may_see(county: County, case: Case) -> None:
    html = client_for(county.zhangwei).get(url("case_list")).content.decode()
    assert case.number in html and case.applicant.id_masked in html
    assert county.wangfang_id not in html
    assert case.number not in client_for(county.zhoulei).get(url("case_list")).content.decode()
    assert case.number not in client_for(county.zhoulei).get(url("queue")).content.decode()


def test_it_keeps_a_clerk_of_another_department_off_every_action(
    county: County, case: Case
) -> None:
    client = client_for(county.zhoulei)
    task = open_task(case)
    for name, data in [
        ("claim", {"task": task.spiff_id}),
        ("act", {"task": task.spiff_id, "action": "accept"}),
        ("read_identity", {"reason": "核对身份信息"}),
        ("visit", {"channel": "window", "purpose": "咨询", "token": uuid.uuid4()}),
        ("supply", {"code": "M1"}),
    ]:
        assert client.post(url(name, case.ref), data).status_code == 404, name
    assert open_task(case).claimed_by is None
    assert not AuditEntry.objects.filter(action="applicant.read_identity").exists()


# ---- the queue ----


def test_it_shows_the_queue_with_masked_applicants_and_deadline_colours(
    county: County, case: Case, wangfang: Applicant
) -> None:
    case = act(case, county.zhangwei, "accept")
    Case.objects.filter(pk=case.pk).update(warning=Warning.RED, past_statutory=True)
    html = client_for(county.chenjing).get(url("queue")).content.decode()
    assert case.number in html and "个体工商户设立登记" in html
    assert wangfang.id_masked in html and county.wangfang_id not in html
    assert "审查" in html and "网上办" in html
    assert "deadline--red" in html and "红灯超期" in html and "超法定时限" in html
    assert "未认领" in html


def test_it_filters_the_queue_by_colour_stage_and_claim(
    county: County, licence_item: ServiceItem, wangfang: Applicant
) -> None:
    red = apply_online(county, licence_item, wangfang)
    green = apply_online(county, licence_item, wangfang)
    Case.objects.filter(pk=red.pk).update(warning=Warning.RED)
    services.task_claim(task=open_task(green), actor=county.zhangwei)
    client = client_for(county.zhangwei)

    def shown(query: str) -> set[str]:
        html = client.get(url("queue") + query).content.decode()
        return {c.number for c in (red, green) if c.number in html}

    assert shown("") == {red.number, green.number}
    assert shown("?colour=red") == {red.number}
    assert shown("?colour=green") == {green.number}
    assert shown("?mine=on") == {green.number}
    assert shown("?stage=受理") == {red.number, green.number}
    assert (
        shown("?stage=决定") == set()
    )  # not a stage in the queue: an invalid filter shows nothing


def test_it_batch_accepts_and_says_what_happened_to_each(
    county: County, licence_item: ServiceItem, wangfang: Applicant, qianduo: User
) -> None:
    cases = [apply_online(county, licence_item, wangfang) for _ in range(4)]
    tasks = [open_task(c) for c in cases]
    act(cases[3], qianduo, "accept")  # 钱多 was quicker with one of them
    client = client_for(county.zhangwei)
    response = client.post(url("batch"), {"op": "accept", "task": [t.spiff_id for t in tasks]})
    assert response.status_code == 302 and response["Location"] == url("queue")
    assert [Case.objects.get(pk=c.pk).status for c in cases] == [CaseStatus.IN_PROGRESS] * 4
    done_by = [Task.objects.get(pk=t.pk).completed_by for t in tasks]
    assert done_by == [county.zhangwei] * 3 + [qianduo]
    html = client.get(url("queue")).content.decode()
    assert "3件已受理，1件已被他人办理" in html
    assert f"{cases[3].number}</a> 个体工商户设立登记：已被他人办理" in html
    # The summary is shown once.
    assert "件已受理" not in client.get(url("queue")).content.decode()


def test_it_batch_claims_and_skips_what_is_not_for_acceptance(
    county: County, licence_item: ServiceItem, wangfang: Applicant, qianduo: User
) -> None:
    first, second = (apply_online(county, licence_item, wangfang) for _ in range(2))
    accepted = act(apply_online(county, licence_item, wangfang), county.zhangwei, "accept")
    services.task_claim(task=open_task(second), actor=qianduo)
    client = client_for(county.chenjing)  # a reviewer may also work the window tasks
    client.post(
        url("batch"),
        {"op": "claim", "task": [open_task(first).spiff_id, open_task(second).spiff_id]},
    )
    assert open_task(first).claimed_by == county.chenjing
    assert open_task(second).claimed_by == qianduo
    assert "1件已认领，1件已被他人认领" in client.get(url("queue")).content.decode()

    client.post(url("batch"), {"op": "accept", "task": [open_task(accepted).spiff_id]})
    assert open_task(accepted).activity == "review"
    assert "当前环节为“审查”，不能批量受理" in client.get(url("queue")).content.decode()


def test_it_keeps_the_batch_to_those_with_a_queue(county: County, case: Case) -> None:
    data = {"op": "accept", "task": [open_task(case).spiff_id]}
    for user in (county.sunli, county.admin, county.lina):
        assert client_for(user).post(url("batch"), data).status_code == 403
    zhoulei = client_for(county.zhoulei)  # another department's task: as if it did not exist
    assert zhoulei.post(url("batch"), data).status_code == 302
    assert Case.objects.get(pk=case.pk).status == CaseStatus.SUBMITTED
    assert "未找到（已不在您的办理范围内）" in zhoulei.get(url("queue")).content.decode()


def test_it_lists_the_queue_and_cases_in_a_fixed_number_of_queries(
    county: County, licence_item: ServiceItem, wangfang: Applicant
) -> None:
    def count(n: int) -> tuple[int, int]:
        while Case.objects.count() < n:
            apply_online(county, licence_item, wangfang)
        client = client_for(county.zhangwei)
        client.get(url("queue"))  # the session and the calendar are warm
        with CaptureQueriesContext(connection) as queue:
            client.get(url("queue"))
        with CaptureQueriesContext(connection) as listed:
            client.get(url("case_list"))
        return len(queue), len(listed)

    assert count(2) == count(8)


def test_it_says_which_batch_input_is_wrong(county: County, case: Case) -> None:
    client = client_for(county.zhangwei)
    response = client.post(url("batch"), {"op": "accept"}, follow=True)
    assert "请先勾选要处理的办件" in response.content.decode()
    response = client.post(url("batch"), {"op": "accept", "task": ["x"]}, follow=True)
    assert "所选任务无效" in response.content.decode()
    assert Case.objects.get(pk=case.pk).status == CaseStatus.SUBMITTED


def test_it_needs_the_csrf_token_for_a_batch(county: County, case: Case) -> None:
    client = client_for(county.zhangwei, csrf=True)
    data = {"op": "claim", "task": [open_task(case).spiff_id]}
    assert client.post(url("batch"), data).status_code == 403
    data["csrfmiddlewaretoken"] = csrf_token(client, url("queue"))
    assert client.post(url("batch"), data).status_code == 302
    assert open_task(case).claimed_by == county.zhangwei


# ---- the list ----


def test_it_filters_the_list_by_status_item_colour_and_date(
    county: County, licence_item: ServiceItem, food_item: ServiceItem, wangfang: Applicant
) -> None:
    waiting = apply_online(county, licence_item, wangfang)
    working = act(apply_online(county, licence_item, wangfang), county.zhangwei, "accept")
    Case.objects.filter(pk=working.pk).update(warning=Warning.YELLOW)
    client = client_for(county.sunli)

    def shown(query: str) -> set[str]:
        html = client.get(url("case_list") + query).content.decode()
        return {c.number for c in (waiting, working) if c.number in html}

    today = timezone.localdate()
    assert shown("") == {waiting.number, working.number}
    assert shown("?status=in_progress") == {working.number}
    assert shown("?colour=yellow") == {working.number}
    assert shown(f"?item={licence_item.impl_code}") == {waiting.number, working.number}
    assert shown(f"?item={food_item.impl_code}") == set()
    assert shown(f"?submitted_from={today}&submitted_to={today}") == {
        waiting.number,
        working.number,
    }
    assert shown(f"?submitted_from={today + timedelta(days=1)}") == set()
    html = client.get(
        url("case_list") + f"?submitted_from={today}&submitted_to={today - timedelta(days=1)}"
    ).content.decode()
    assert "结束日期不能早于开始日期" in html


# ---- the case page ----


def test_it_shows_everything_needed_to_decide(
    county: County, licence_item: ServiceItem, wangfang: Applicant
) -> None:
    promised = timezone.localdate() + timedelta(days=5)
    case = apply_online(
        county, licence_item, wangfang, answers={"S1": "A", "S2": "B"},
        materials={
            "M1": MaterialInput("M1", upload=pdf()), "M2": MaterialInput("M2", upload=pdf("身份证.pdf", PDF_BYTES + b"id")),
            "M4": MaterialInput("M4", promise_by=promised),
        },
    )  # fmt: skip
    case = act(case, county.zhangwei, "accept")
    html = client_for(county.chenjing).get(url("detail", case.ref)).content.decode()
    for text in [
        "王芳", wangfang.id_masked, wangfang.phone_masked, "东山村",
        "第1版", "经营场所是否为自有房产？", "<dd>租赁</dd>", "<dd>标准审批流程",
        "个体工商户登记申请书", "上传", url("file", case.ref, "M1"),
        "房屋租赁合同", f"承诺{promised:%Y-%m-%d}前补交", "尚未收到", "容缺材料待补",
        "承诺期限", f"{case.due_promised:%Y-%m-%d}", f"{case.due_statutory:%Y-%m-%d}", "计时中",
        "当前环节：审查", "审查通过", "退回补正", "受理</strong> · 受理 · 张伟",
    ]:  # fmt: skip
        assert text in html, text
    assert county.wangfang_id not in html
    assert "B：" not in html  # the option's label, not the catalogue's code


def test_it_lists_the_timeline_in_the_order_things_happened(county: County, case: Case) -> None:
    for user, action in [
        (county.zhangwei, "accept"),
        (county.chenjing, "approve"),
        (county.chenjing, "approve"),
    ]:
        case = act(case, user, action)
    client = client_for(county.zhangwei)

    def steps() -> list[str]:
        html = client.get(url("detail", case.ref)).content.decode()
        timeline = html.split('<ol class="timeline">')[1].split("</ol>")[0]
        return re.findall(r"<strong>([^<]+)</strong>", timeline)

    # 送达 is still open: it comes after 办结, which has happened.
    assert steps() == ["提交申请", "受理", "审查", "决定", "办结", "送达"]
    act(case, county.zhangwei, "deliver")
    assert steps() == ["提交申请", "受理", "审查", "决定", "办结", "送达"]  # 送达 once


def test_it_asks_for_a_reason_only_where_an_action_needs_one(county: County, case: Case) -> None:
    client = client_for(county.zhangwei)
    hint = "不予受理、不予许可、退回补正须写明理由"
    assert hint in client.get(url("detail", case.ref)).content.decode()  # 受理 may refuse
    for user, action in [
        (county.zhangwei, "accept"),
        (county.chenjing, "approve"),
        (county.chenjing, "approve"),
    ]:
        case = act(case, user, action)
    html = client.get(url("detail", case.ref)).content.decode()
    assert "当前环节：送达" in html and hint not in html


def test_it_shows_the_status_plainly_and_the_days_left_once(county: County, case: Case) -> None:
    case = act(case, county.zhangwei, "accept")
    html = client_for(county.zhangwei).get(url("detail", case.ref)).content.decode()
    assert '<li class="badge badge--status">办理中</li>' in html
    assert re.search(r"剩余</dt><dd>\s*\d+个工作日", html)  # not “剩余 剩3个工作日”
    assert f"<title>个体工商户设立登记 · 办件 {case.number} · 工作台 · 智理</title>" in html
    # 到场记录: the purpose is chosen, not assumed.
    assert '<option value="">请选择</option>' in html and "补正材料" in html
    assert '<option value="补正材料" selected>' not in html


def test_it_names_the_items_own_process(
    county: County, licence_item: ServiceItem, wangfang: Applicant
) -> None:
    item_workflow_set(
        item=licence_item, xml=(EXAMPLES / "parallel_review.bpmn").read_text(), actor=county.zhaomin
    )
    case = apply_online(county, licence_item, wangfang)
    html = client_for(county.zhangwei).get(url("detail", case.ref)).content.decode()
    assert "<dd>并联审批流程" in html and "parallel_review" not in html


@pytest.mark.parametrize(
    ("who", "shown"),
    [
        ("zhangwei", False),  # clerk
        ("chenjing", False),  # reviewer
        ("zhaomin", True),  # catalogue officers
        ("liuqiang", True),
        ("sunli", True),  # leader
        ("admin", True),
    ],
)
def test_it_shows_the_catalogue_links_only_to_who_keeps_or_oversees_it(
    county: County, case: Case, who: str, shown: bool
) -> None:
    html = client_for(getattr(county, who)).get(url("case_list")).content.decode()
    nav = html.split('class="staff-nav"')[1].split("</nav>")[0]
    for name in ["staff:item_list", "staff:checks", "staff:io"]:
        assert (f'href="{reverse(name)}"' in nav) is shown, name
    assert f'href="{reverse("staff_cases:case_list")}"' in nav


def test_it_claims_and_accepts_through_the_page(county: County, case: Case) -> None:
    client = client_for(county.zhangwei)
    task = open_task(case)
    html = client.get(url("detail", case.ref)).content.decode()
    assert "认领" in html and "一次性告知补正" in html and "不予受理" in html
    response = client.post(url("claim", case.ref), {"task": task.spiff_id})
    assert response.status_code == 302
    assert Task.objects.get(pk=task.pk).claimed_by == county.zhangwei
    response = client.post(
        url("act", case.ref), {"task": task.spiff_id, "action": "accept"}, REMOTE_ADDR="10.1.2.3"
    )
    assert response.status_code == 302
    case.refresh_from_db()
    assert case.status == CaseStatus.IN_PROGRESS and case.stage == "审查"
    entry = AuditEntry.objects.get(action="case.accept.accept")
    assert (entry.actor, entry.ip) == (county.zhangwei, "10.1.2.3")
    assert "“受理”已办理：受理" in client.get(url("detail", case.ref)).content.decode()


def test_it_needs_a_reason_to_refuse_and_names_the_field(county: County, case: Case) -> None:
    client = client_for(county.zhangwei)
    task = open_task(case)
    response = client.post(url("act", case.ref), {"task": task.spiff_id, "action": "refuse"})
    assert response.status_code == 400
    assert "意见：不予受理须写明理由" in response.content.decode()
    response = client.post(url("act", case.ref), {"task": task.spiff_id, "action": "approve"})
    assert (
        response.status_code == 400 and "“受理”环节不能执行“approve”" in response.content.decode()
    )
    assert Case.objects.get(pk=case.pk).status == CaseStatus.SUBMITTED
    response = client.post(
        url("act", case.ref),
        {"task": task.spiff_id, "action": "refuse", "comment": "不属于本部门职权"},
    )
    assert response.status_code == 302
    assert Case.objects.get(pk=case.pk).status == CaseStatus.NOT_ACCEPTED


def test_it_answers_409_when_another_clerk_acted_first(
    county: County, case: Case, qianduo: User
) -> None:
    task = open_task(case)
    zhang, qian = client_for(county.zhangwei), client_for(qianduo)
    # Both have the page open; 张伟 accepts first.
    assert (
        zhang.post(url("act", case.ref), {"task": task.spiff_id, "action": "accept"}).status_code
        == 302
    )
    rev = Case.objects.get(pk=case.pk).workflow_rev
    response = qian.post(
        url("act", case.ref), {"task": task.spiff_id, "action": "refuse", "comment": "材料不全"}
    )
    assert response.status_code == 409
    assert "已被他人处理" in response.content.decode()
    after = Case.objects.get(pk=case.pk)
    assert (after.status, after.workflow_rev, after.outcome) == (CaseStatus.IN_PROGRESS, rev, "")
    assert Task.objects.filter(case=case, activity="accept", state=Task.DONE).count() == 1
    assert not AuditEntry.objects.filter(action="case.accept.refuse").exists()


def test_it_answers_409_to_a_second_claim_and_to_acting_on_a_task_claimed_by_another(
    county: County, case: Case, qianduo: User
) -> None:
    task = open_task(case)
    assert (
        client_for(county.zhangwei)
        .post(url("claim", case.ref), {"task": task.spiff_id})
        .status_code
        == 302
    )
    qian = client_for(qianduo)
    response = qian.post(url("claim", case.ref), {"task": task.spiff_id})
    assert response.status_code == 409 and "已被他人处理" in response.content.decode()
    response = qian.post(url("act", case.ref), {"task": task.spiff_id, "action": "accept"})
    assert response.status_code == 409
    assert open_task(case).claimed_by == county.zhangwei


def test_it_does_not_act_twice_on_a_retried_post(county: County, case: Case) -> None:
    client = client_for(county.zhangwei)
    data = {"task": open_task(case).spiff_id, "action": "accept"}
    assert client.post(url("act", case.ref), data).status_code == 302
    again = client.post(url("act", case.ref), data, follow=True)
    assert again.status_code == 200 and "您已办理过“受理”" in again.content.decode()
    assert AuditEntry.objects.filter(action="case.accept.accept").count() == 1


def test_it_needs_the_csrf_token_to_act(county: County, case: Case) -> None:
    client = client_for(county.zhangwei, csrf=True)
    data = {"task": open_task(case).spiff_id, "action": "accept"}
    assert client.post(url("act", case.ref), data).status_code == 403
    assert Case.objects.get(pk=case.pk).status == CaseStatus.SUBMITTED
    data["csrfmiddlewaretoken"] = csrf_token(client, url("detail", case.ref))
    assert client.post(url("act", case.ref), data).status_code == 302


def test_it_shows_the_full_id_number_only_right_after_a_reasoned_read(
    county: County, case: Case, wangfang: Applicant
) -> None:
    client = client_for(county.zhangwei)
    page = url("detail", case.ref)
    assert county.wangfang_id not in client.get(page).content.decode()

    response = client.post(url("read_identity", case.ref), {"reason": ""})
    assert response.status_code == 400
    assert "查看完整证件号码须填写理由" in response.content.decode()
    response = client.post(url("read_identity", case.ref), {"reason": "核对"})
    assert response.status_code == 400 and "至少4个字" in response.content.decode()
    assert county.wangfang_id not in response.content.decode()
    assert not AuditEntry.objects.filter(action="applicant.read_identity").exists()

    response = client.post(
        url("read_identity", case.ref), {"reason": "核对营业执照持证人身份"}, REMOTE_ADDR="10.9.8.7"
    )
    assert response.status_code == 200
    assert county.wangfang_id in response.content.decode()
    assert response["Cache-Control"] == "no-store"
    entry = AuditEntry.objects.get(action="applicant.read_identity")
    assert (entry.actor, entry.reason, entry.object_id, entry.ip) == (
        county.zhangwei, "核对营业执照持证人身份", str(wangfang.pk), "10.9.8.7",
    )  # fmt: skip
    assert county.wangfang_id not in client.get(page).content.decode()


def test_it_needs_the_csrf_token_to_read_an_id_number(county: County, case: Case) -> None:
    client = client_for(county.sunli, csrf=True)
    data = {"reason": "督查核对申请人身份"}
    assert client.post(url("read_identity", case.ref), data).status_code == 403
    data["csrfmiddlewaretoken"] = csrf_token(client, url("detail", case.ref))
    response = client.post(url("read_identity", case.ref), data)
    assert response.status_code == 200 and county.wangfang_id in response.content.decode()


def test_it_streams_an_uploaded_material_to_who_may_see_the_case(
    county: County, case: Case
) -> None:
    response = client_for(county.chenjing).get(url("file", case.ref, "M1"))
    assert response.status_code == 200
    assert b"".join(response.streaming_content) == PDF_BYTES  # type: ignore[attr-defined]
    assert response["Content-Type"] == "application/pdf"
    assert response["Cache-Control"] == "private, no-store"
    assert (
        AuditEntry.objects.filter(action="case.material_view", actor=county.chenjing).count() == 1
    )
    assert client_for(county.chenjing).get(url("file", case.ref, "M9")).status_code == 404
    assert client_for(county.chenjing).get(url("file", uuid.uuid4(), "M1")).status_code == 404


def test_it_records_a_visit_once_however_often_it_is_posted(county: County, case: Case) -> None:
    client = client_for(county.zhangwei, csrf=True)
    token = csrf_token(client, url("detail", case.ref))
    data = {
        "channel": "window",
        "purpose": "核验原件",
        "token": uuid.uuid4(),
        "csrfmiddlewaretoken": token,
    }
    assert client.post(url("visit", case.ref), data).status_code == 302
    assert client.post(url("visit", case.ref), data).status_code == 302
    visits = list(Visit.objects.filter(case=case).values_list("channel", "purpose", "recorded_by"))
    assert visits == [("window", "核验原件", county.zhangwei.pk)]
    data["channel"] = "online"
    data["token"] = uuid.uuid4()
    response = client.post(url("visit", case.ref), data)
    assert response.status_code == 400 and "到场地点：" in response.content.decode()
    # 李娜 records a visit to her village point, not to the hall's window.
    lina = client_for(county.lina)
    assert lina.post(url("visit", case.ref), {**data, "channel": "window"}).status_code == 403
    assert (
        lina.post(url("visit", case.ref), {**data, "channel": "village_point"}).status_code == 302
    )
    assert Visit.objects.filter(case=case, channel="village_point").count() == 1


def test_it_receives_a_promised_paper_material(
    county: County, licence_item: ServiceItem, wangfang: Applicant
) -> None:
    case = apply_online(
        county, licence_item, wangfang, answers={"S1": "A", "S2": "B"},
        materials={
            "M1": MaterialInput("M1", upload=pdf()), "M2": MaterialInput("M2", upload=pdf()),
            "M4": MaterialInput("M4", promise_by=timezone.localdate() + timedelta(days=5)),
        },
    )  # fmt: skip
    assert client_for(county.lina).post(url("supply", case.ref), {"code": "M4"}).status_code == 403
    client = client_for(county.zhangwei, csrf=True)
    data = {"code": "M4", "csrfmiddlewaretoken": csrf_token(client, url("detail", case.ref))}
    response = client.post(url("supply", case.ref), data, follow=True)
    assert "已收取容缺材料“房屋租赁合同”的纸质件" in response.content.decode()
    case.refresh_from_db()
    assert not case.held_for_materials
    assert case.materials.get(code="M4").received_at is not None
    again = client.post(url("supply", case.ref), data, follow=True)
    assert "该材料无需补交" in again.content.decode()
    assert client.post(url("supply", case.ref), {**data, "code": "M9"}).status_code == 404


def test_it_shows_the_clock_stopped_while_the_applicant_corrects(
    county: County, case: Case
) -> None:
    case = act(case, county.zhangwei, "accept")
    case = act(case, county.chenjing, "correct", "租赁合同未签字")
    html = client_for(county.chenjing).get(url("detail", case.ref)).content.decode()
    assert "暂停" in html and "补正期间不计时" in html and "租赁合同未签字" in html
    assert "等待申请人补正材料" in html
    assert 'action="/staff/cases/' + str(case.ref) + '/act"' not in html  # nothing for staff to do


# ---- an item's own workflow ----


def bpmn_upload(name: str, text: str | None = None) -> SimpleUploadedFile:
    body = text if text is not None else (EXAMPLES / f"{name}.bpmn").read_text(encoding="utf-8")
    return SimpleUploadedFile(f"{name}.bpmn", body.encode("utf-8"), content_type="application/xml")


@pytest.mark.parametrize(
    ("who", "status"),
    [
        ("zhaomin", 200),
        ("admin", 200),
        ("liuqiang", 403),
        ("zhangwei", 403),
        ("sunli", 403),
        ("wangfang", 403),
        (None, 302),
    ],
)
def test_it_lets_only_the_items_catalogue_officer_set_its_workflow(
    county: County, licence_item: ServiceItem, who: str | None, status: int
) -> None:
    client = client_for(getattr(county, who) if who else None)
    assert client.get(url("workflow", licence_item.impl_code)).status_code == status
    response = client.post(
        url("workflow", licence_item.impl_code), {"file": bpmn_upload("parallel_review")}
    )
    assert response.status_code == (302 if status == 200 else status)
    assert ItemWorkflow.objects.filter(item=licence_item).exists() == (status == 200)


def test_it_lists_the_problems_of_a_workflow_in_chinese(
    county: County, licence_item: ServiceItem
) -> None:
    client = client_for(county.zhaomin)
    standard = workflow.standard_bpmn()
    wrong_lane = standard.replace('name="reviewer"', 'name="boss"')
    wrong_dept = standard.replace('name="reviewer"', 'name="reviewer@XYZ"')
    no_conclude = standard.replace('id="conclude"', 'id="finish"').replace('"conclude"', '"finish"')
    for text, problem in [
        (wrong_lane, "泳道“boss”不是可识别的角色"),
        (wrong_dept, "泳道指向不存在的部门“XYZ”"),
        (no_conclude, "缺少标识为“conclude”的办结环节"),
        ("<bpmn", "不是有效的XML"),
    ]:
        response = client.post(
            url("workflow", licence_item.impl_code), {"file": bpmn_upload("x", text)}
        )
        assert response.status_code == 400
        assert problem in response.content.decode(), problem
    response = client.post(
        url("workflow", licence_item.impl_code), {"file": SimpleUploadedFile("a.pdf", PDF_BYTES)}
    )
    assert "请上传 .bpmn 或 .xml 文件" in response.content.decode()
    assert not ItemWorkflow.objects.exists()


def test_it_replaces_the_active_workflow_and_records_who_did(
    county: County, licence_item: ServiceItem
) -> None:
    client = client_for(county.zhaomin, csrf=True)
    page = url("workflow", licence_item.impl_code)
    token = csrf_token(client, page)
    assert (
        client.post(page, {"file": bpmn_upload("parallel_review")}).status_code == 403
    )  # no token
    for name in ["parallel_review", "site_inspection", "site_inspection"]:  # the last one retried
        response = client.post(page, {"file": bpmn_upload(name), "csrfmiddlewaretoken": token})
        assert response.status_code == 302
    rows = list(
        ItemWorkflow.objects.filter(item=licence_item)
        .order_by("created_at")
        .values_list("process_id", "active")
    )
    assert rows == [("parallel_review", False), ("site_inspection", True)]
    assert AuditEntry.objects.filter(action="item.workflow_set", actor=county.zhaomin).count() == 2
    html = client.get(page).content.decode()
    assert "site_inspection" in html and "现场勘验" in html and "审批人员（本事项部门）" in html
    assert (
        client.get(url("workflow_bpmn", licence_item.impl_code))
        .content.decode()
        .count("site_inspection")
        >= 1
    )
    client.post(page, {"op": "reset", "csrfmiddlewaretoken": token})
    assert not ItemWorkflow.objects.filter(active=True).exists()
    assert client.get(url("workflow_example", "parallel_review")).status_code == 200
    assert client.get(url("workflow_example", "nope")).status_code == 404


def test_it_runs_the_parallel_review_with_both_departments(
    county: County, licence_item: ServiceItem, wangfang: Applicant
) -> None:
    item_workflow_set(
        item=licence_item, xml=(EXAMPLES / "parallel_review.bpmn").read_text(), actor=county.zhaomin
    )
    case = apply_online(county, licence_item, wangfang)
    assert case.process_id == "parallel_review"
    case = act(case, county.zhangwei, "accept")
    reviews = {t.activity: t for t in Task.objects.filter(case=case, state=Task.OPEN)}
    assert set(reviews) == {"review_main", "review_joint"}
    assert (reviews["review_main"].name, reviews["review_main"].department) == ("审查", county.scjg)
    assert (reviews["review_joint"].name, reviews["review_joint"].department) == (
        "会审",
        county.zrzy,
    )
    assert [t.activity for t in selectors.work_queue(county.zhoulei)] == ["review_joint"]
    assert "review_joint" not in [t.activity for t in selectors.work_queue(county.chenjing)]

    case = act(case, county.chenjing, "approve", activity="review_main")
    assert not Task.objects.filter(case=case, state=Task.OPEN, activity="decide").exists()
    case = act(case, county.zhoulei, "approve", "用地符合规划", activity="review_joint")
    assert open_task(case).activity == "decide"
    case = act(case, county.chenjing, "approve")
    assert case.status == CaseStatus.CONCLUDED and case.elicences.count() == 1
    case = act(case, county.zhangwei, "deliver")
    assert case.delivered_at is not None
    assert not Task.objects.filter(case=case, state=Task.OPEN).exists()


def test_it_lets_the_second_department_open_the_case_it_reviews(
    county: County, licence_item: ServiceItem, wangfang: Applicant
) -> None:
    item_workflow_set(
        item=licence_item, xml=(EXAMPLES / "parallel_review.bpmn").read_text(), actor=county.zhaomin
    )
    case = act(apply_online(county, licence_item, wangfang), county.zhangwei, "accept")
    assert client_for(county.zhoulei).get(url("detail", case.ref)).status_code == 200


def test_it_runs_the_site_inspection_and_waits_for_a_configured_publicity(
    county: County, licence_item: ServiceItem, wangfang: Applicant
) -> None:
    xml = (EXAMPLES / "site_inspection.bpmn").read_text()
    item_workflow_set(item=licence_item, xml=xml, actor=county.zhaomin)
    case = act(apply_online(county, licence_item, wangfang), county.zhangwei, "accept")
    assert (open_task(case).activity, open_task(case).name) == ("inspect", "现场勘验")
    case = act(case, county.chenjing, "approve", "现场与申报一致")
    assert open_task(case).activity == "decide"  # "PT0S": no publicity wait
    case = act(case, county.chenjing, "approve")
    case = act(case, county.zhangwei, "deliver")
    assert case.status == CaseStatus.CONCLUDED and case.delivered_at is not None

    # A real publicity period holds the case until the timer job wakes it.
    item_workflow_set(item=licence_item, xml=xml.replace('"PT0S"', '"P5D"'), actor=county.zhaomin)
    case = act(apply_online(county, licence_item, wangfang), county.zhangwei, "accept")
    case = act(case, county.chenjing, "approve")
    assert not Task.objects.filter(case=case, state=Task.OPEN).exists()
    assert case.wake_at is not None and case.stage == ""
    assert services.timers_refresh(case_id=case.pk) == 0  # five days have not passed


def test_it_offers_the_workflow_page_from_the_case_to_the_catalogue_officer(
    county: County, case: Case
) -> None:
    assert (
        url("workflow", case.item.impl_code)
        not in client_for(county.zhangwei).get(url("detail", case.ref)).content.decode()
    )
    assert (
        url("workflow", case.item.impl_code)
        in client_for(county.admin).get(url("detail", case.ref)).content.decode()
    )


def test_it_offers_each_person_the_visits_and_materials_they_may_record(
    county: County, licence_item: ServiceItem, wangfang: Applicant
) -> None:
    case = apply_online(
        county, licence_item, wangfang, answers={"S1": "A", "S2": "B"},
        materials={
            "M1": MaterialInput("M1", upload=pdf()), "M2": MaterialInput("M2", upload=pdf()),
            "M4": MaterialInput("M4", promise_by=timezone.localdate() + timedelta(days=5)),
        },
    )  # fmt: skip
    clerk = client_for(county.zhangwei).get(url("detail", case.ref)).content.decode()
    assert '<option value="window" selected>' in clerk and 'value="village_point"' not in clerk
    assert "收取纸质件" in clerk
    agent = client_for(county.lina).get(url("detail", case.ref)).content.decode()
    assert '<option value="village_point" selected>' in agent and 'value="window"' not in agent
    assert "收取纸质件" not in agent  # 王芳 filed it herself
    leader = client_for(county.sunli).get(url("detail", case.ref)).content.decode()
    assert "登记到场" not in leader and "收取纸质件" not in leader


def test_it_never_shows_staff_a_draft(
    county: County, licence_item: ServiceItem, wangfang: Applicant
) -> None:
    from zhili.cases.drafts import case_draft_save

    draft = case_draft_save(
        item=licence_item, actor=county.wangfang, channel="online", applicant=wangfang,
        answers={"S1": "A"},
    )  # fmt: skip
    for who in [county.zhangwei, county.chenjing, county.lina, county.sunli, county.admin]:
        client = client_for(who)
        assert client.get(url("detail", draft.ref)).status_code == 404, who
        assert draft.number not in client.get(url("case_list")).content.decode(), who
