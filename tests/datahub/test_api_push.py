"""吴昊's system pushes 村人口 rows through the API; every answer is checked against the OpenAPI schema."""

from __future__ import annotations

import copy
from typing import Any

from drf_spectacular.generators import SchemaGenerator
from jsonschema import Draft202012Validator
from rest_framework.authtoken.models import Token
from rest_framework.test import APIClient

from tests.cases.test_api import _as_json_schema
from tests.conftest import County
from tests.datahub.conftest import DONGSHAN, XIWU
from zhili.accounts.models import Role, User
from zhili.datahub.models import Dataset, Upload

URL = "/api/v1/datasets/CUNRENKOU/rows"


def _operation(schema: dict[str, Any]) -> dict[str, Any]:
    for path, ops in schema["paths"].items():
        if path.endswith("/datasets/{code}/rows"):
            return ops["post"]
    raise AssertionError("the push is not in the OpenAPI schema")


def check(response: Any) -> Any:
    """The answer's status is documented and its body matches the documented schema."""
    schema = copy.deepcopy(SchemaGenerator().get_schema(request=None, public=True))
    documented = _operation(schema)["responses"]
    status = str(response.status_code)
    assert status in documented, f"answered {status}, documented {list(documented)}"
    body = _as_json_schema(documented[status]["content"]["application/json"]["schema"])
    body["components"] = _as_json_schema(schema["components"])
    errors = [e.message for e in Draft202012Validator(body).iter_errors(response.json())]
    assert not errors, errors
    return response


def push(user: User | None, body: Any, key: str | None = "push-1", **headers: str) -> Any:
    client = APIClient()
    if user is not None:
        token, _ = Token.objects.get_or_create(user=user)
        client.credentials(HTTP_AUTHORIZATION=f"Token {token.key}")
    if key is not None:
        headers["HTTP_IDEMPOTENCY_KEY"] = key
    return check(client.post(URL, body, format="json", **headers))


def rows(*values: int) -> list[dict[str, Any]]:
    return [
        {"division_code": code, "period": "2025-01", "常住人口": v}
        for code, v in zip([DONGSHAN, XIWU], values, strict=False)
    ]


def test_it_publishes_clean_rows_at_once(wuhao: User, population: Dataset) -> None:
    answer = push(wuhao, {"rows": rows(1200, 800)})
    assert answer.status_code == 201
    body = answer.json()
    assert (body["status"], body["valid_rows"], body["error_count"], body["version"]) == (
        "published", 2, 0, 1,
    )  # fmt: skip
    assert body["source"] == "api" and len(body["sha256"]) == 64


def test_it_answers_the_errors_in_the_same_shape_and_publishes_nothing(
    wuhao: User, population: Dataset
) -> None:
    answer = push(wuhao, {"rows": rows(1200, -3)})
    assert answer.status_code == 422
    body = answer.json()
    assert body["status"] == "validated" and body["version"] is None
    assert body["errors"] == [
        {"row": 2, "sheet": "", "column": "", "header": "常住人口", "field": "population",
         "rule": "minimum", "rule_label": "最小值", "value": "-3",
         "message": "第2条记录 字段“常住人口”：值“-3”小于最小值0"},
    ]  # fmt: skip
    population.refresh_from_db()
    assert population.current is None
    partial = push(wuhao, {"rows": rows(1200, -3), "accept_partial": True}, key="push-2")
    assert partial.status_code == 201 and partial.json()["valid_rows"] == 1


def test_it_answers_a_retry_with_the_first_upload(wuhao: User, population: Dataset) -> None:
    first = push(wuhao, {"rows": rows(1200)})
    again = push(wuhao, {"rows": rows(1200)})
    assert again.status_code == 200 and again["Idempotent-Replayed"] == "true"
    assert again.json()["id"] == first.json()["id"]
    assert Upload.objects.count() == 1
    other = push(wuhao, {"rows": rows(1300)})
    assert other.status_code == 422 and "幂等键已用于另一批内容不同的数据" in other.json()["detail"]


def test_it_requires_an_idempotency_key_and_rows(wuhao: User, population: Dataset) -> None:
    missing = push(wuhao, {"rows": rows(1)}, key=None)
    assert missing.status_code == 400
    assert missing.json()["errors"] == {"Idempotency-Key": "请提供幂等键请求头 Idempotency-Key"}
    empty = push(wuhao, {"rows": []})
    assert empty.status_code == 400 and "rows" in empty.json()["errors"]
    assert not Upload.objects.exists()


def test_it_lets_only_the_owning_department_s_steward_push(
    county: County, wuhao: User, population: Dataset
) -> None:
    other = User.objects.create_user("zheng", display_name="郑华", role=Role.DATA_STEWARD)
    other.departments.set([county.zrzy])
    refused = push(other, {"rows": rows(1)})
    assert refused.status_code == 403
    assert refused.json()["detail"] == "您不是清溪县统计局的数据管理员，无权推送数据"
    assert push(county.admin, {"rows": rows(1)}).status_code == 201


def test_it_hides_a_dataset_the_caller_may_not_see(county: County, population: Dataset) -> None:
    population.sharing = "restricted"
    population.save()
    assert push(county.zhangwei, {"rows": rows(1)}).status_code == 404


def test_it_refuses_callers_without_a_token(wuhao: User, population: Dataset) -> None:
    assert push(None, {"rows": rows(1)}).status_code == 401
    session = APIClient()
    session.force_login(wuhao)
    answer = session.post(URL, {"rows": rows(1)}, format="json", HTTP_IDEMPOTENCY_KEY="s")
    assert answer.status_code == 401
