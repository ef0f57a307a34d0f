"""The REST API: 王芳 applies from her phone, 李娜 for a villager, staff follow; every answer checked.

Every response of every request below is validated against the OpenAPI
schema the API publishes (``ValidatingClient``): its status must be
documented for the operation and its body must match the documented schema,
with no field the schema does not declare.
"""

from __future__ import annotations

import copy
import functools
import io
import json
import re
import uuid
from datetime import timedelta
from typing import Any

import pytest
from django.core.management import CommandError, call_command
from django.urls import reverse
from django.utils import timezone
from jsonschema import Draft202012Validator
from rest_framework.authtoken.models import Token
from rest_framework.test import APIClient

from tests.cases.conftest import apply_online
from tests.conftest import County
from tests.factories import PDF_BYTES, PNG_BYTES, resident_id
from zhili.accounts.models import Role, User
from zhili.audit.models import AuditEntry
from zhili.cases.models import Applicant, Case, CaseStatus, ELicence, StoredFile, Task
from zhili.cases.services import applicant_get_or_create, task_complete
from zhili.catalogue.models import ServiceItem

CASES = "/api/v1/cases/"
MATERIALS = "/api/v1/materials/"

# ---- the schema, and a client that checks every response against it --------


def _as_json_schema(node: Any) -> Any:
    """OpenAPI 3.0 schema → JSON Schema: ``nullable`` becomes null, objects are closed."""
    if isinstance(node, list):
        return [_as_json_schema(v) for v in node]
    if not isinstance(node, dict):
        return node
    out = {k: _as_json_schema(v) for k, v in node.items()}
    if out.get("type") == "object" and "properties" in out:
        out.setdefault("additionalProperties", False)
    if out.pop("nullable", False):
        if "type" in out:
            out["type"] = [out["type"], "null"]
            if "enum" in out:
                out["enum"] = [*out["enum"], None]
        else:
            out = {"anyOf": [out, {"type": "null"}]}
    return out


@functools.cache
def openapi() -> dict[str, Any]:
    from drf_spectacular.generators import SchemaGenerator

    return copy.deepcopy(SchemaGenerator().get_schema(request=None, public=True))


@functools.cache
def _operations() -> list[tuple[re.Pattern[str], str, dict[str, Any]]]:
    out = []
    for path, ops in openapi()["paths"].items():
        pattern = re.compile("^" + re.sub(r"\\\{[^}]+\\\}", "[^/]+", re.escape(path)) + "$")
        for method, op in ops.items():
            out.append((pattern, method.upper(), op))
    return out


def check_against_schema(method: str, path: str, response: Any) -> None:
    ops = [op for pattern, m, op in _operations() if m == method and pattern.match(path)]
    assert len(ops) == 1, f"{method} {path} is not in the OpenAPI schema"
    documented = ops[0]["responses"]
    status = str(response.status_code)
    assert status in documented, (
        f"{method} {path} answered {status}, not documented ({list(documented)})"
    )
    content = documented[status].get("content")
    if not content:
        assert not response.content
        return
    schema = _as_json_schema(content["application/json"]["schema"])
    schema["components"] = _as_json_schema(openapi()["components"])
    validator = Draft202012Validator(schema, format_checker=Draft202012Validator.FORMAT_CHECKER)
    errors = [
        f"{list(e.absolute_path)}: {e.message}" for e in validator.iter_errors(response.json())
    ]
    assert not errors, f"{method} {path} → {status} does not match its schema: {errors}"


class ValidatingClient(APIClient):
    def request(self, **kwargs: Any) -> Any:
        response = super().request(**kwargs)
        path = kwargs["PATH_INFO"]
        if path.startswith("/api/v1/"):
            check_against_schema(kwargs["REQUEST_METHOD"], path, response)
        return response


def client_for(user: User | None, **kw: Any) -> ValidatingClient:
    client = ValidatingClient(**kw)
    if user is not None:
        token, _ = Token.objects.get_or_create(user=user)
        client.credentials(HTTP_AUTHORIZATION=f"Token {token.key}")
    return client


# ---- helpers ---------------------------------------------------------------


def upload(
    client: APIClient, content: bytes = PDF_BYTES, name: str = "材料.pdf", **fields: str
) -> Any:
    f = io.BytesIO(content)
    f.name = name
    return client.post(MATERIALS, {"file": f, **fields}, format="multipart")


def body(county: County, item: ServiceItem, file_id: int, **over: Any) -> dict[str, Any]:
    data: dict[str, Any] = {
        "item": item.impl_code,
        "channel": "online",
        "applicant": {
            "kind": "person",
            "id_number": county.wangfang_id,
            "name": "王芳",
            "phone": "13805720001",
        },
        "answers": {"S1": "A", "S2": "A"},
        "materials": {"M1": {"file_id": file_id}, "M2": {"file_id": file_id}},
    }
    data.update(over)
    return data


def submit(client: APIClient, data: dict[str, Any], key: str | None = "k-1") -> Any:
    headers = {"HTTP_IDEMPOTENCY_KEY": key} if key is not None else {}
    return client.post(CASES, data, format="json", **headers)


def post_json(user: User | None, url: str, data: dict[str, Any]) -> Any:
    return client_for(user).post(url, data, format="json")


def open_task(case: Case) -> Task:
    return Task.objects.get(case=case, state=Task.OPEN)


def act(case: Case, user: User, action: str, comment: str = "") -> Case:
    return task_complete(task=open_task(case), actor=user, action=action, comment=comment)


def licensed(county: County, item: ServiceItem, applicant: Applicant) -> ELicence:
    """王芳's 个体工商户 case accepted, reviewed and approved: her 营业执照 is issued."""
    case = apply_online(county, item, applicant)
    for user, action in [
        (county.zhangwei, "accept"),
        (county.chenjing, "approve"),
        (county.chenjing, "approve"),
    ]:
        case = act(case, user, action)
    return ELicence.objects.get(case=case)


@pytest.fixture
def wangfang_api(county: County, wangfang: Applicant) -> ValidatingClient:
    return client_for(county.wangfang)


@pytest.fixture
def file_id(wangfang_api: ValidatingClient) -> int:
    response = upload(wangfang_api)
    assert response.status_code == 201
    return int(response.json()["id"])


# ---- filing, exactly once ---------------------------------------------------


def test_it_files_a_case_once_per_idempotency_key(
    county: County, licence_item: ServiceItem, wangfang_api: ValidatingClient, file_id: int
) -> None:
    first = submit(wangfang_api, body(county, licence_item, file_id))
    assert first.status_code == 201
    assert first.json()["status"] == CaseStatus.SUBMITTED
    assert "Idempotent-Replayed" not in first.headers
    again = submit(wangfang_api, body(county, licence_item, file_id))
    assert again.status_code == 200
    assert again.headers["Idempotent-Replayed"] == "true"
    assert again.json()["ref"] == first.json()["ref"]
    assert Case.objects.count() == 1
    case = Case.objects.get()
    assert case.channel == "online" and case.filed_by == county.wangfang
    assert len(case.form_data["_request_sha256"]) == 64


def test_it_treats_a_reordered_body_as_the_same_request(
    county: County, licence_item: ServiceItem, wangfang_api: ValidatingClient, file_id: int
) -> None:
    data = body(county, licence_item, file_id)
    assert submit(wangfang_api, data).status_code == 201
    reordered = dict(reversed(list(data.items())))
    assert submit(wangfang_api, reordered).status_code == 200


def test_it_refuses_a_key_reused_for_a_different_application(
    county: County, licence_item: ServiceItem, wangfang_api: ValidatingClient, file_id: int
) -> None:
    assert submit(wangfang_api, body(county, licence_item, file_id)).status_code == 201
    other = submit(wangfang_api, body(county, licence_item, file_id, channel="mobile"))
    assert other.status_code == 422
    assert "幂等键" in other.json()["detail"]
    assert Case.objects.count() == 1


def test_it_requires_an_idempotency_key(
    county: County, licence_item: ServiceItem, wangfang_api: ValidatingClient, file_id: int
) -> None:
    response = submit(wangfang_api, body(county, licence_item, file_id), key=None)
    assert response.status_code == 400
    assert "Idempotency-Key" in response.json()["errors"]["Idempotency-Key"]
    too_long = submit(wangfang_api, body(county, licence_item, file_id), key="x" * 65)
    assert too_long.status_code == 400
    assert Case.objects.count() == 0


@pytest.mark.parametrize(
    ("change", "field", "says"),
    [
        ({"answers": {"S1": "A"}}, "answers.S2", "请回答“经营场所是否为自有房产？”"),
        ({"answers": {"S1": "A", "S2": "Z"}}, "answers.S2", "不是"),
        ({"materials": {"M2": {"file_id": 0}}}, "materials.M2.file_id", ""),
        ({"materials": {"M2": {}}}, "materials.M1", "必要材料"),
        ({"materials": {"M1": {}, "M2": {}}}, "materials.M1", "选择一种提供方式"),
        ({"item": "NOPE"}, "item", "没有实施编码"),
        ({"channel": "fax"}, "channel", ""),
    ],
)
def test_it_names_the_field_that_is_wrong(
    county: County,
    licence_item: ServiceItem,
    wangfang_api: ValidatingClient,
    file_id: int,
    change: dict[str, Any],
    field: str,
    says: str,
) -> None:
    data = body(county, licence_item, file_id)
    data.update(change)
    if change.get("materials") == {"M2": {}}:
        data["materials"] = {"M2": {"file_id": file_id}}
    response = submit(wangfang_api, data)
    assert response.status_code == 400, response.json()
    errors = response.json()["errors"]
    assert field in errors, errors
    assert says in errors[field]
    assert Case.objects.count() == 0


@pytest.mark.parametrize(
    ("applicant", "field", "says"),
    [
        ({"id_number": "330599199003070022", "name": "李四"}, "applicant.id_number", "校验位"),
        ({"id_number": "330599198501010113"}, "applicant.name", "必填"),
        ({"kind": "robot", "id_number": "x", "name": "x"}, "applicant.kind", ""),
        (
            {"id_number": resident_id("19850101", "011"), "name": "李四", "phone": "12345"},
            "applicant.phone",
            "手机号",
        ),
        (None, "applicant", "首次申请"),
    ],
)
def test_it_names_what_is_wrong_with_a_new_applicant(
    county: County,
    licence_item: ServiceItem,
    applicant: dict[str, Any] | None,
    field: str,
    says: str,
) -> None:
    lisi = User.objects.create_user("lisi", role=Role.CITIZEN)
    data = body(county, licence_item, 1, applicant=applicant)
    if applicant is None:
        del data["applicant"]
    response = submit(client_for(lisi), data)
    assert response.status_code == 400, response.json()
    assert says in response.json()["errors"][field]
    assert not Applicant.objects.filter(user=lisi).exists()


def test_it_refuses_a_promise_for_a_material_that_may_not_be_deferred(
    county: County, licence_item: ServiceItem, wangfang_api: ValidatingClient, file_id: int
) -> None:
    later = (timezone.localdate() + timedelta(days=5)).isoformat()
    data = body(
        county,
        licence_item,
        file_id,
        materials={"M1": {"promise_by": later}, "M2": {"file_id": file_id}},
    )
    response = submit(wangfang_api, data)
    assert response.status_code == 400
    assert "容缺" in response.json()["errors"]["materials.M1"]


def test_it_accepts_a_promise_for_a_deferrable_material(
    county: County, licence_item: ServiceItem, wangfang_api: ValidatingClient, file_id: int
) -> None:
    later = (timezone.localdate() + timedelta(days=5)).isoformat()
    data = body(county, licence_item, file_id, answers={"S1": "A", "S2": "B"})
    data["materials"]["M4"] = {"promise_by": later}
    response = submit(wangfang_api, data)
    assert response.status_code == 201
    m4 = next(m for m in response.json()["materials"] if m["code"] == "M4")
    assert (m4["via"], m4["promised_by"]) == ("promised", later)
    assert response.json()["deadlines"]["held_for_materials"] is True


# ---- who may file for whom ----------------------------------------------------


def test_it_never_shows_identity_numbers_or_phones_in_full(
    county: County, licence_item: ServiceItem, wangfang_api: ValidatingClient, file_id: int
) -> None:
    created = submit(wangfang_api, body(county, licence_item, file_id))
    ref = created.json()["ref"]
    texts = [
        created.content,
        wangfang_api.get(CASES).content,
        wangfang_api.get(f"{CASES}{ref}/").content,
        wangfang_api.get(f"{CASES}{ref}/timeline").content,
        wangfang_api.get(MATERIALS).content,
    ]
    for text in texts:
        decoded = text.decode()
        assert county.wangfang_id not in decoded
        assert "13805720001" not in decoded
    applicant = created.json()["applicant"]
    assert applicant["id_masked"] == county.wangfang_id[:3] + "*" * 11 + county.wangfang_id[-4:]
    assert applicant["phone_masked"] == "138****0001"


def test_it_does_not_let_a_citizen_file_as_someone_else(
    county: County, licence_item: ServiceItem, wangfang: Applicant, file_id: int
) -> None:
    lisi = User.objects.create_user("lisi", display_name="李四", role=Role.CITIZEN)
    client = client_for(lisi)
    response = submit(client, body(county, licence_item, file_id, applicant={
        "kind": "person", "id_number": county.wangfang_id, "name": "王芳",
    }))  # fmt: skip
    assert response.status_code == 403
    assert "本人" in response.json()["detail"]
    wangfang.refresh_from_db()
    assert wangfang.user == county.wangfang and wangfang.phone_masked == "138****0001"


def test_it_does_not_let_a_citizen_claim_a_record_an_agent_made(
    county: County, licence_item: ServiceItem
) -> None:
    applicant_get_or_create(
        kind="person", id_number=county.zhaoliu_id, name="赵六", division=county.other_village
    )
    someone = User.objects.create_user("someone", role=Role.CITIZEN)
    response = upload(client_for(someone), applicant=county.zhaoliu_id, applicant_name="赵六")
    assert response.status_code == 403
    assert not Applicant.objects.filter(user=someone).exists()


def test_it_registers_a_new_citizen_at_the_first_upload_and_files_for_her(
    county: County, licence_item: ServiceItem
) -> None:
    lisi = User.objects.create_user("lisi", display_name="李四", role=Role.CITIZEN)
    client = client_for(lisi)
    without = upload(client)
    assert without.status_code == 400 and "applicant" in without.json()["errors"]
    lisi_id = resident_id("19850101", "011")
    uploaded = upload(client, applicant=lisi_id, applicant_name="李四")
    assert uploaded.status_code == 201
    assert uploaded.json()["applicant"]["name"] == "李四"
    fid = uploaded.json()["id"]
    data = body(county, licence_item, fid)
    del data["applicant"]  # her own, from now on
    response = submit(client, data)
    assert response.status_code == 201, response.json()
    assert response.json()["applicant"]["id_masked"].endswith(lisi_id[-4:])
    # a second identity on the same account is refused
    other = body(
        county, licence_item, fid, applicant={"id_number": county.zhaoliu_id, "name": "赵六"}
    )
    assert submit(client, other, key="k-2").status_code == 403


def test_it_lets_lina_file_for_a_villager_of_her_village_only(
    county: County, licence_item: ServiceItem
) -> None:
    lina = client_for(county.lina)
    villager_id = resident_id("19600505", "031")
    uploaded = upload(lina, applicant=villager_id, applicant_name="钱七")
    assert uploaded.status_code == 201
    data = body(
        county, licence_item, uploaded.json()["id"],
        applicant={"id_number": villager_id, "name": "钱七"},
    )  # fmt: skip
    del data["channel"]  # a village agent files at the village point
    response = submit(lina, data)
    assert response.status_code == 201, response.json()
    case = Case.objects.get(ref=response.json()["ref"])
    assert (case.channel, case.division, case.filed_by) == (
        "village_point",
        county.village,
        county.lina,
    )
    assert lina.get(f"{CASES}{case.ref}/").status_code == 200
    # 赵六 lives in 西坞村
    applicant_get_or_create(
        kind="person", id_number=county.zhaoliu_id, name="赵六", division=county.other_village
    )
    data["applicant"] = {"id_number": county.zhaoliu_id, "name": "赵六"}
    refused = submit(lina, data, key="k-2")
    assert refused.status_code == 403
    assert "本村" in refused.json()["detail"]
    assert Applicant.objects.get(name="赵六").division == county.other_village


# ---- authentication -----------------------------------------------------------


def test_it_accepts_a_token_and_refuses_a_session_post_without_csrf(
    county: County, licence_item: ServiceItem, wangfang: Applicant, file_id: int
) -> None:
    session = ValidatingClient(enforce_csrf_checks=True)
    assert session.login(username="wangfang", password="pw-wangfang")
    assert session.get(CASES).status_code == 200  # reading with the session is fine
    refused = submit(session, body(county, licence_item, file_id))
    assert refused.status_code == 403
    assert "CSRF" in refused.json()["detail"]
    assert upload(session, PNG_BYTES, "p.png").status_code == 403
    assert Case.objects.count() == 0

    tokened = client_for(county.wangfang, enforce_csrf_checks=True)
    assert submit(tokened, body(county, licence_item, file_id)).status_code == 201


def test_it_refuses_anonymous_and_bad_tokens(county: County) -> None:
    anonymous = ValidatingClient()
    assert anonymous.get(CASES).status_code == 401
    assert anonymous.get(MATERIALS).status_code == 401
    assert anonymous.get("/api/v1/elicences/").status_code == 401
    assert anonymous.post(CASES, {}, format="json", HTTP_IDEMPOTENCY_KEY="k").status_code == 401
    forged = ValidatingClient()
    forged.credentials(HTTP_AUTHORIZATION="Token " + "0" * 40)
    assert forged.get(CASES).status_code == 401


def test_it_issues_shows_and_resets_tokens_from_the_command(county: County) -> None:
    out = io.StringIO()
    call_command("api_token", "wangfang", stdout=out, stderr=io.StringIO())
    key = out.getvalue().strip()
    assert Token.objects.get(user=county.wangfang).key == key
    assert AuditEntry.objects.filter(action="api_token.create", object_id="wangfang").exists()
    again = io.StringIO()
    call_command("api_token", "wangfang", stdout=again)
    assert again.getvalue().strip() == key
    reset = io.StringIO()
    call_command("api_token", "wangfang", "--reset", stdout=reset, stderr=io.StringIO())
    assert reset.getvalue().strip() not in {"", key}
    client = ValidatingClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {reset.getvalue().strip()}")
    assert client.get(CASES).status_code == 200
    call_command("api_token", "wangfang", "--delete", stdout=io.StringIO(), stderr=io.StringIO())
    assert not Token.objects.filter(user=county.wangfang).exists()
    with pytest.raises(CommandError):
        call_command("api_token", "nobody")


# ---- reading: the jurisdiction matrix -------------------------------------------

SCOPE = [
    ("wangfang", 200),
    ("lisi", 404),  # another citizen
    ("zhangwei", 200),  # 市场监管局 clerk
    ("chenjing", 200),  # 市场监管局 reviewer
    ("zhoulei", 404),  # 自然资源局 reviewer
    ("lina", 200),  # 东山村's agent; 王芳 lives in 东山村
    ("sunli", 200),  # county leader
    ("zhaomin", 404),  # catalogue officer
    (None, 401),
]


@pytest.mark.parametrize(("who", "expected"), SCOPE)
@pytest.mark.parametrize("endpoint", ["", "timeline"])
def test_it_shows_a_case_only_within_jurisdiction(
    county: County,
    licence_item: ServiceItem,
    wangfang: Applicant,
    who: str | None,
    expected: int,
    endpoint: str,
) -> None:
    User.objects.create_user("lisi", display_name="李四", role=Role.CITIZEN)
    case = apply_online(county, licence_item, wangfang)
    user = User.objects.get(username=who) if who else None
    client = client_for(user)
    assert client.get(f"{CASES}{case.ref}/{endpoint}").status_code == expected
    listed = client.get(CASES)
    if expected == 401:
        assert listed.status_code == 401
    else:
        refs = [c["ref"] for c in listed.json()["results"]]
        assert (str(case.ref) in refs) == (expected == 200)


ACCEPTING = [
    ("zhangwei", 200),  # 市场监管局 clerk: his queue
    ("chenjing", 200),  # 市场监管局 reviewer may take a clerk's step
    ("zhoulei", 404),  # 自然资源局: cannot even see the case
    ("wangfang", 403),  # the applicant sees it, but 受理 is not hers
    ("lina", 403),  # the agent sees it, but does not accept
    ("sunli", 403),  # the leader supervises, she does not act
    (None, 401),
]


@pytest.mark.parametrize(("who", "expected"), ACCEPTING)
def test_it_lets_only_the_owning_department_accept(
    county: County, licence_item: ServiceItem, wangfang: Applicant, who: str | None, expected: int
) -> None:
    case = apply_online(county, licence_item, wangfang)
    url = f"{CASES}{case.ref}/tasks/{open_task(case).spiff_id}/complete"
    user = User.objects.get(username=who) if who else None
    assert post_json(user, url, {"action": "accept"}).status_code == expected
    case.refresh_from_db()
    assert (case.status == CaseStatus.IN_PROGRESS) == (expected == 200)


FILING = [
    ("wangfang", 201),
    ("zhangwei", 403),  # window cases are registered on the workbench
    ("zhoulei", 403),
    ("sunli", 403),
    ("zhaomin", 403),
    (None, 401),
]


@pytest.mark.parametrize(("who", "expected"), FILING)
def test_it_lets_only_applicants_and_agents_file(
    county: County,
    licence_item: ServiceItem,
    wangfang: Applicant,
    file_id: int,
    who: str | None,
    expected: int,
) -> None:
    user = User.objects.get(username=who) if who else None
    response = submit(client_for(user), body(county, licence_item, file_id))
    assert response.status_code == expected
    assert Case.objects.count() == (1 if expected == 201 else 0)


def test_it_answers_404_for_a_ref_that_is_not_a_case(
    county: County, wangfang_api: ValidatingClient
) -> None:
    assert wangfang_api.get(f"{CASES}{uuid.uuid4()}/").status_code == 404


def test_it_filters_the_list_by_status(
    county: County, licence_item: ServiceItem, wangfang: Applicant, wangfang_api: ValidatingClient
) -> None:
    accepted = act(apply_online(county, licence_item, wangfang), county.zhangwei, "accept")
    apply_online(county, licence_item, wangfang)
    response = wangfang_api.get(CASES, {"status": "in_progress"})
    assert [c["ref"] for c in response.json()["results"]] == [str(accepted.ref)]
    assert response.json()["count"] == 1
    assert wangfang_api.get(CASES, {"status": "lost"}).json()["errors"]["status"]


# ---- following and acting -------------------------------------------------------


def test_it_follows_a_case_through_correction_on_the_timeline(
    county: County, licence_item: ServiceItem, wangfang: Applicant, wangfang_api: ValidatingClient
) -> None:
    case = apply_online(county, licence_item, wangfang)
    case = act(case, county.zhangwei, "accept")
    case = act(case, county.chenjing, "correct", "租赁合同未签字")
    timeline = wangfang_api.get(f"{CASES}{case.ref}/timeline").json()
    assert timeline["status"] == "correcting"
    assert [(e["step"], e["action_label"]) for e in timeline["events"]] == [
        ("提交申请", "经网上办提交"),
        ("受理", "受理"),
        ("审查", "退回补正"),
    ]
    assert timeline["events"][2]["comment"] == "租赁合同未签字"
    assert timeline["deadlines"]["clock_stopped"] is True
    assert timeline["deadlines"]["due_promised"] is not None
    [pending] = timeline["pending"]
    assert pending["role"] == "applicant" and pending["can_act"] is True
    assert pending["actions"] == [{"action": "resubmit", "label": "提交补正材料"}]
    complete = f"{CASES}{case.ref}/tasks/{pending['id']}/complete"

    assert post_json(county.zhangwei, complete, {"action": "resubmit"}).status_code == 403
    assert post_json(county.zhoulei, complete, {"action": "resubmit"}).status_code == 404
    wrong = wangfang_api.post(complete, {"action": "approve"}, format="json")
    assert wrong.status_code == 400 and "action" in wrong.json()["errors"]


def test_it_takes_the_applicants_correction_once(
    county: County, licence_item: ServiceItem, wangfang: Applicant, wangfang_api: ValidatingClient
) -> None:
    case = act(
        apply_online(county, licence_item, wangfang), county.zhangwei, "correct", "申请书未签字"
    )
    [pending] = wangfang_api.get(f"{CASES}{case.ref}/").json()["pending"]
    assert (pending["name"], pending["can_act"]) == ("补正材料", True)
    complete = f"{CASES}{case.ref}/tasks/{pending['id']}/complete"
    bare = wangfang_api.post(complete, {"action": "resubmit"}, format="json")
    assert bare.status_code == 400 and "补正材料" in bare.json()["errors"]["materials"]

    def corrected(content: bytes) -> dict[str, Any]:
        f = io.BytesIO(content)
        f.name = "申请书（已签字）.pdf"
        return {"action": "resubmit", "comment": "已签字", "materials.M1": f}

    fake = wangfang_api.post(complete, corrected(b"MZ\x90\x00 exe"), format="multipart")
    assert fake.status_code == 400 and "文件内容不是" in fake.json()["errors"]["materials.M1"]
    done = wangfang_api.post(complete, corrected(PDF_BYTES + b"signed"), format="multipart")
    assert done.status_code == 200
    assert done.json()["status"] == "submitted"
    m1 = next(m for m in done.json()["materials"] if m["code"] == "M1")
    assert (m1["via"], m1["file"]["name"]) == ("upload", "申请书（已签字）.pdf")
    assert [t["activity"] for t in done.json()["pending"]] == ["accept"]
    retried = wangfang_api.post(complete, {"action": "resubmit"}, format="json")
    assert retried.status_code == 200 and retried.headers["Idempotent-Replayed"] == "true"
    assert Task.objects.filter(case=case, activity="correct", state=Task.DONE).count() == 1
    events = wangfang_api.get(f"{CASES}{case.ref}/timeline").json()["events"]
    assert [(e["step"], e["action"]) for e in events][-1] == ("补正材料", "resubmit")


def test_it_lets_staff_act_with_their_own_actions(
    county: County, licence_item: ServiceItem, wangfang: Applicant
) -> None:
    case = apply_online(county, licence_item, wangfang)
    task = open_task(case)
    complete = f"{CASES}{case.ref}/tasks/{task.spiff_id}/complete"
    assert (
        client_for(county.wangfang).post(complete, {"action": "accept"}, format="json").status_code
        == 403
    )
    refused = client_for(county.zhangwei).post(complete, {"action": "refuse"}, format="json")
    assert refused.status_code == 400 and "理由" in refused.json()["errors"]["comment"]
    accepted = client_for(county.zhangwei).post(complete, {"action": "accept"}, format="json")
    assert accepted.status_code == 200
    assert accepted.json()["status"] == "in_progress"
    # someone else already did it: a second clerk is told so
    other = User.objects.create_user("clerk2", display_name="钱多", role=Role.CLERK)
    other.departments.set([county.scjg])
    assert client_for(other).post(complete, {"action": "accept"}, format="json").status_code == 409
    assert (
        client_for(county.zhangwei).get(f"{CASES}{case.ref}/").json()["deadlines"]["days_left"]
        is not None
    )


def test_it_answers_404_for_an_unknown_task(
    county: County, licence_item: ServiceItem, wangfang: Applicant, wangfang_api: ValidatingClient
) -> None:
    case = apply_online(county, licence_item, wangfang)
    url = f"{CASES}{case.ref}/tasks/{uuid.uuid4()}/complete"
    assert wangfang_api.post(url, {"action": "resubmit"}, format="json").status_code == 404


# ---- materials -------------------------------------------------------------------


def test_it_stores_an_upload_once_and_lists_it(
    county: County, wangfang: Applicant, wangfang_api: ValidatingClient
) -> None:
    first = upload(wangfang_api, PNG_BYTES, "照片.png", material_name="经营者身份证")
    assert first.status_code == 201
    assert (first.json()["mime"], first.json()["name"]) == ("image/png", "照片.png")
    again = upload(wangfang_api, PNG_BYTES, "另一个名字.png")
    assert again.status_code == 200 and again.json()["id"] == first.json()["id"]
    listed = wangfang_api.get(MATERIALS).json()
    assert [f["id"] for f in listed["results"]] == [first.json()["id"]]
    assert client_for(county.zhangwei).get(MATERIALS).json()["count"] == 0
    assert client_for(county.lina).get(MATERIALS).json()["count"] == 1  # 王芳 lives in 东山村


@pytest.mark.parametrize(
    "content",
    [
        b"MZ\x90\x00 this is an executable",
        b"<html><script>alert(1)</script></html>",
        b"PK\x03\x04zip",
    ],
)
def test_it_rejects_an_upload_by_its_content(
    county: County, wangfang: Applicant, wangfang_api: ValidatingClient, content: bytes
) -> None:
    response = upload(wangfang_api, content, "申请书.pdf")
    assert response.status_code == 400
    assert "文件内容不是" in response.json()["errors"]["file"]
    assert StoredFile.objects.count() == 0


def test_it_says_when_the_file_is_missing(
    county: County, wangfang: Applicant, wangfang_api: ValidatingClient
) -> None:
    response = wangfang_api.post(MATERIALS, {"material_name": "x"}, format="multipart")
    assert response.status_code == 400 and "file" in response.json()["errors"]


def test_it_does_not_reuse_another_applicants_file(
    county: County, licence_item: ServiceItem, wangfang: Applicant
) -> None:
    lisi = User.objects.create_user("lisi", role=Role.CITIZEN)
    theirs = upload(
        client_for(lisi), applicant=resident_id("19850101", "011"), applicant_name="李四"
    )
    data = body(county, licence_item, theirs.json()["id"])
    response = submit(client_for(county.wangfang), data)
    assert response.status_code == 400
    assert "不属于申请人" in response.json()["errors"]["materials.M1"]


# ---- e-licences ------------------------------------------------------------------


def test_it_offers_and_uses_an_elicence_instead_of_an_upload(
    county: County,
    licence_item: ServiceItem,
    food_item: ServiceItem,
    wangfang: Applicant,
    wangfang_api: ValidatingClient,
    file_id: int,
) -> None:
    licence = licensed(county, licence_item, wangfang)
    mine = wangfang_api.get("/api/v1/elicences/").json()["results"]
    assert [(e["kind"], e["trust"], e["id"]) for e in mine] == [("营业执照", "A", licence.pk)]
    assert mine[0]["holder"]["id_masked"] == wangfang.id_masked
    checklist = wangfang_api.get(f"/api/v1/items/{food_item.impl_code}/checklist").json()
    f1 = next(m for m in checklist["materials"] if m["code"] == "F1")
    assert [o["elicence_id"] for o in f1["offers"]] == [licence.pk]
    anonymous = ValidatingClient().get(f"/api/v1/items/{food_item.impl_code}/checklist").json()
    assert all(m["offers"] == [] for m in anonymous["materials"])
    data = {
        "item": food_item.impl_code,
        "answers": {},
        "materials": {"F1": {"elicence_id": licence.pk}, "F2": {"file_id": file_id}},
    }
    response = submit(wangfang_api, data, key="food-1")
    assert response.status_code == 201, response.json()
    assert response.json()["materials_saved"] == 1
    assert response.json()["channel"] == "mobile"  # the default
    assert client_for(county.lina).get("/api/v1/elicences/").json()["count"] == 0


def test_it_verifies_a_licence_for_anyone_with_the_holder_masked(
    county: County, licence_item: ServiceItem, wangfang: Applicant
) -> None:
    licence = licensed(county, licence_item, wangfang)
    anyone = ValidatingClient()
    found = anyone.get("/api/v1/elicences/verify", {"code": licence.verify_code.lower()}).json()
    assert found["genuine"] is True and found["validity"] == "valid"
    assert (found["kind"], found["number"], found["holder"]) == ("营业执照", licence.number, "王*")
    assert found["issuer"] == county.scjg.name
    licence.revoked_at = timezone.now()
    licence.save(update_fields=["revoked_at"])
    assert (
        anyone.get("/api/v1/elicences/verify", {"code": licence.verify_code}).json()["validity"]
        == "revoked"
    )
    unknown = anyone.get("/api/v1/elicences/verify", {"code": "FFFFFFFFFFFF"}).json()
    assert unknown["genuine"] is False and unknown["number"] is None
    missing = anyone.get("/api/v1/elicences/verify")
    assert missing.status_code == 400 and "code" in missing.json()["errors"]


# ---- items -----------------------------------------------------------------------


def test_it_lists_searches_and_shows_items_to_anyone(
    county: County, licence_item: ServiceItem
) -> None:
    anyone = ValidatingClient()
    listed = anyone.get("/api/v1/items/").json()
    assert [i["impl_code"] for i in listed["results"]] == [licence_item.impl_code]
    assert "网上办" in listed["results"][0]["channels"]
    found = anyone.get("/api/v1/items/", {"q": "个体户执照"}).json()
    assert found["count"] == 1 and found["results"][0]["name"] == "个体工商户设立登记"
    assert anyone.get("/api/v1/items/", {"q": "不存在的事情啊"}).json()["count"] == 0
    assert anyone.get("/api/v1/items/", {"department": "SCJG", "limit": 1}).json()["count"] == 1
    detail = anyone.get(f"/api/v1/items/{licence_item.impl_code}/").json()
    assert [s["code"] for s in detail["situations"]] == ["S1", "S2"]
    assert detail["situations"][0]["options"][1] == {"code": "B", "label": "委托他人代办"}
    assert [m["code"] for m in detail["materials"]] == ["M1", "M2", "M3", "M4"]
    assert detail["materials"][2]["when"] == ["S1=B"]
    assert anyone.get("/api/v1/items/NOPE/").status_code == 404


def test_it_gives_the_checklist_for_the_answers(county: County, licence_item: ServiceItem) -> None:
    anyone = ValidatingClient()
    url = f"/api/v1/items/{licence_item.impl_code}/checklist"
    some = anyone.get(url, {"S1": "B"}).json()
    assert [m["code"] for m in some["materials"]] == ["M1", "M2", "M3"]
    assert [s["code"] for s in some["unanswered"]] == ["S2"]
    deferred = anyone.get(url, {"S1": "A", "S2": "B"}).json()
    assert [m["code"] for m in deferred["materials"] if m["deferrable"]] == ["M4"]
    wrong = anyone.get(url, {"S1": "Z"})
    assert wrong.status_code == 400 and "S1" in wrong.json()["errors"]
    assert anyone.get("/api/v1/items/NOPE/checklist").status_code == 404


# ---- the schema itself -------------------------------------------------------------


def test_it_publishes_a_schema_without_warnings(tmp_path: Any) -> None:
    target = tmp_path / "schema.yaml"
    call_command("spectacular", "--validate", "--fail-on-warn", "--file", str(target))
    assert "/api/v1/cases/" in target.read_text(encoding="utf-8")


def test_it_documents_the_idempotency_key_and_serves_the_schema(county: County) -> None:
    post = openapi()["paths"]["/api/v1/cases/"]["post"]
    header = next(p for p in post["parameters"] if p["name"] == "Idempotency-Key")
    assert (header["in"], header["required"]) == ("header", True)
    assert "Idempotent-Replayed" in post["responses"]["200"]["headers"]
    assert {"200", "201", "400", "401", "403", "422"} <= set(post["responses"])
    served = APIClient().get(reverse("api:schema"), HTTP_ACCEPT="application/vnd.oai.openapi+json")
    assert served.status_code == 200
    assert "/api/v1/cases/{ref}/timeline" in json.loads(served.content)["paths"]


def test_it_leaves_drafts_to_the_apply_page(
    county: County, licence_item: ServiceItem, wangfang: Applicant, wangfang_api: ValidatingClient
) -> None:
    from zhili.cases.drafts import case_draft_save

    draft = case_draft_save(
        item=licence_item,
        actor=county.wangfang,
        channel="online",
        applicant=wangfang,
        answers={"S1": "A"},
    )
    assert wangfang_api.get(CASES).json()["count"] == 0
    assert wangfang_api.get(f"{CASES}{draft.ref}/").status_code == 404
    assert client_for(county.zhangwei).get(CASES).json()["count"] == 0


def test_it_refuses_an_agent_a_name_that_does_not_match_the_number(
    county: County, licence_item: ServiceItem, wangfang: Applicant
) -> None:
    lina = client_for(county.lina)
    uploaded = upload(lina, applicant=county.wangfang_id, applicant_name="王小芳")
    assert uploaded.status_code == 400
    assert uploaded.json()["errors"] == {"applicant_name": "姓名与证件号码不符"}
    data = body(
        county, licence_item, 1, applicant={"id_number": county.wangfang_id, "name": "王小芳"}
    )
    del data["channel"]
    response = submit(lina, data)
    assert response.status_code == 400
    assert response.json()["errors"] == {"applicant.name": "姓名与证件号码不符"}
    assert not Case.objects.exists()
