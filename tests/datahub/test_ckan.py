"""The CKAN-compatible API: open-data clients read 清溪县's catalogue as they read any CKAN portal.

Shapes are checked against the keys CKAN 2.10 documents for its action API. ckanapi is not
installed, so ``RemoteCKAN`` below does on the wire what ckanapi's does (POST JSON to
/api/action/<name>, the key in X-CKAN-API-Key and Authorization, errors turned back into
exceptions from ``error.__type``).
"""

from __future__ import annotations

import csv
import io
import json
from datetime import datetime
from typing import Any

import pyarrow as pa
import pytest
from django.test import Client

from tests.datahub.sharing_fixtures import DONGSHAN, MONTHS, READS, XIWU, Sharing, people
from zhili.accounts.models import User
from zhili.datahub import storage
from zhili.datahub.ckan_call import ACTIONS
from zhili.datahub.versions import version_publish

# The keys of CKAN 2.10's dictionaries (ckan/logic/action/get.py, docs.ckan.org/en/2.10/api/).
ENVELOPE_KEYS = {"help", "success", "result"}
ERROR_ENVELOPE_KEYS = {"help", "success", "error"}
PACKAGE_KEYS = {
    "author", "author_email", "creator_user_id", "extras", "groups", "id", "isopen",
    "license_id", "license_title", "maintainer", "maintainer_email", "metadata_created",
    "metadata_modified", "name", "notes", "num_resources", "num_tags", "organization",
    "owner_org", "private", "relationships_as_object", "relationships_as_subject",
    "resources", "state", "tags", "title", "type", "url", "version",
}  # fmt: skip
RESOURCE_KEYS = {
    "cache_last_updated", "cache_url", "created", "datastore_active", "description",
    "format", "hash", "id", "last_modified", "metadata_modified", "mimetype",
    "mimetype_inner", "name", "package_id", "position", "resource_type", "size", "state",
    "url", "url_type",
}  # fmt: skip
ORGANIZATION_KEYS = {
    "approval_status", "created", "description", "id", "image_url", "is_organization",
    "name", "state", "title", "type",
}  # fmt: skip
TAG_KEYS = {"display_name", "id", "name", "state", "vocabulary_id"}
GROUP_KEYS = {"description", "display_name", "id", "image_display_url", "name", "title"}
SEARCH_KEYS = {"count", "facets", "results", "search_facets", "sort"}
DATASTORE_KEYS = {
    "_links", "fields", "include_total", "limit", "records", "records_format",
    "resource_id", "total", "total_was_estimated",
}  # fmt: skip
STATUS_KEYS = {
    "ckan_version", "error_emails_to", "extensions", "locale_default", "site_description",
    "site_title", "site_url",
}  # fmt: skip


@pytest.fixture
def data(county: Any) -> Sharing:
    return Sharing(county)


def client_for(user: User | None, **kw: Any) -> Client:
    client = Client(**kw)
    if user is not None:
        client.force_login(user)
    return client


def get(client: Client, action: str, status: int = 200, **params: Any) -> dict[str, Any]:
    encoded = {k: json.dumps(v) if isinstance(v, dict | list) else v for k, v in params.items()}
    response = client.get(f"/api/3/action/{action}", encoded)
    assert response.status_code == status, response.content
    assert response["Content-Type"].startswith("application/json")
    body: dict[str, Any] = response.json()
    assert set(body) == (ENVELOPE_KEYS if status == 200 else ERROR_ENVELOPE_KEYS)
    assert body["success"] is (status == 200)
    assert body["help"] == f"http://testserver/api/3/action/help_show?name={action}"
    return body


def result(client: Client, action: str, **params: Any) -> Any:
    return get(client, action, **params)["result"]


class CKANAPIError(Exception):
    pass


class NotFound(CKANAPIError):
    pass


class NotAuthorized(CKANAPIError):
    pass


class ValidationError(CKANAPIError):
    pass


class RemoteCKAN:
    """ckanapi.RemoteCKAN's requests and error handling, through the Django test client."""

    def __init__(self, client: Client, apikey: str | None = None) -> None:
        self.client, self.apikey = client, apikey

    def call_action(self, action: str, data_dict: dict[str, Any] | None = None) -> Any:
        headers = {"X-CKAN-API-Key": self.apikey, "Authorization": self.apikey}
        response = self.client.post(
            "/api/action/" + action,
            data=json.dumps(data_dict or {}).encode("ascii"),
            content_type="application/json",
            headers=headers if self.apikey else {},
        )
        parsed = json.loads(response.content)
        if parsed.get("success"):
            return parsed["result"]
        err = parsed.get("error", {})
        kind, message = err.get("__type"), err.get("message", "").split(": ", 1)[-1]
        if kind == "Validation Error":
            raise ValidationError(err)
        if kind == "Not Found Error":
            raise NotFound(message)
        if kind == "Authorization Error":
            raise NotAuthorized(err)
        raise CKANAPIError(repr([action, response.status_code, response.content]))


# ---- shapes ----


def test_it_answers_status_show_like_ckan(data: Sharing) -> None:
    status = result(Client(), "status_show")
    assert set(status) == STATUS_KEYS
    assert status["ckan_version"].startswith("2.10")
    assert "datastore" in status["extensions"]


def test_it_shows_a_package_in_ckans_shape(data: Sharing) -> None:
    pkg = result(Client(), "package_show", id="RKJC")
    assert PACKAGE_KEYS <= set(pkg)
    assert (pkg["id"], pkg["name"], pkg["title"]) == ("RKJC", "RKJC", "人口基础信息")
    assert pkg["notes"] == "各行政村按月的常住人口与户数。"
    assert (pkg["license_id"], pkg["isopen"], pkg["private"]) == ("CC-BY-4.0", True, False)
    assert (pkg["state"], pkg["type"], pkg["version"]) == ("active", "dataset", "1")
    datetime.fromisoformat(pkg["metadata_created"])
    datetime.fromisoformat(pkg["metadata_modified"])
    org = pkg["organization"]
    assert ORGANIZATION_KEYS <= set(org)
    assert (org["name"], org["title"], pkg["owner_org"]) == (
        "ZRZY",
        "清溪县自然资源和规划局",
        "ZRZY",
    )
    assert [set(t) for t in pkg["tags"]] == [TAG_KEYS, TAG_KEYS]
    assert [t["name"] for t in pkg["tags"]] == ["人口", "户籍"] and pkg["num_tags"] == 2
    assert [g["name"] for g in pkg["groups"]] == ["人口"] and GROUP_KEYS <= set(pkg["groups"][0])
    assert {e["key"]: e["value"] for e in pkg["extras"]} == {
        "frequency": "monthly",
        "sharing": "open",
        "division_level": "village",
        "period_min": "2025-01",
        "period_max": "2025-06",
    }
    assert pkg["num_resources"] == len(pkg["resources"]) == 2
    csv_res, parquet_res = pkg["resources"]
    for res in pkg["resources"]:
        assert RESOURCE_KEYS <= set(res)
        assert res["package_id"] == "RKJC"
    assert (csv_res["id"], csv_res["format"], csv_res["datastore_active"]) == ("RKJC", "CSV", True)
    assert csv_res["url"] == "http://testserver/api/3/download/RKJC.csv?version=1"
    assert (parquet_res["id"], parquet_res["format"]) == ("RKJC.parquet", "Parquet")
    assert parquet_res["datastore_active"] is False
    assert parquet_res["url"] == "http://testserver/api/3/download/RKJC.parquet?version=1"
    assert parquet_res["hash"] == f"sha256:{data.open.current.sha256}"  # type: ignore[union-attr]
    assert parquet_res["size"] > 0


def test_it_accepts_name_or_id(data: Sharing) -> None:
    assert result(Client(), "package_show", name_or_id="RKJC")["name"] == "RKJC"


def test_it_marks_shared_datasets_private(data: Sharing) -> None:
    pkg = result(client_for(data.county.zhangwei), "package_show", id="JTJJ")
    assert pkg["private"] is True
    assert pkg["organization"]["name"] == "SCJG"


def test_it_shows_a_resource(data: Sharing) -> None:
    res = result(Client(), "resource_show", id="RKJC.parquet")
    assert RESOURCE_KEYS <= set(res) and res["format"] == "Parquet"


def test_it_lists_organizations_and_groups_of_readable_datasets(data: Sharing) -> None:
    anonymous, leader = Client(), client_for(data.county.sunli)
    assert result(anonymous, "organization_list") == ["ZRZY"]
    assert result(leader, "organization_list") == ["SCJG", "ZRZY"]
    orgs = result(leader, "organization_list", all_fields="true")
    assert [(o["name"], o["package_count"]) for o in orgs] == [("SCJG", 1), ("ZRZY", 2)]
    assert ORGANIZATION_KEYS <= set(orgs[0])
    assert result(anonymous, "group_list") == ["人口"]
    assert result(leader, "group_list") == sorted(["人口", "民生", "经济"])


def test_it_explains_an_action(data: Sharing) -> None:
    assert "resource_id" in result(Client(), "help_show", name="datastore_search")


# ---- errors ----


def test_it_answers_an_unknown_action_as_ckan_does(data: Sharing) -> None:
    response = Client().get("/api/3/action/package_create")
    assert response.status_code == 400
    assert response.json() == "Bad request - Action name not known: package_create"


def test_it_hides_a_restricted_dataset_like_one_that_does_not_exist(data: Sharing) -> None:
    clerk = client_for(data.county.zhangwei)
    hidden = get(clerk, "package_show", 404, id="DBJZ")["error"]
    missing = get(clerk, "package_show", 404, id="NOPE")["error"]
    assert hidden["__type"] == missing["__type"] == "Not Found Error"
    assert hidden["message"].replace("DBJZ", "X") == missing["message"].replace("NOPE", "X")
    assert hidden["message"].startswith("Not found: ")


def test_it_reports_a_missing_id_as_a_validation_error(data: Sharing) -> None:
    error = get(Client(), "package_show", 409)["error"]
    assert error["__type"] == "Validation Error"
    assert error["name_or_id"] == ["Missing value"]


def test_it_refuses_a_bad_token(data: Sharing) -> None:
    response = Client().get(
        "/api/3/action/package_list", headers={"Authorization": "Token not-a-token"}
    )
    assert response.status_code == 403
    assert response.json()["error"]["__type"] == "Authorization Error"
    assert response.json()["error"]["message"].startswith("Access denied: ")


def test_it_checks_csrf_on_a_cookie_signed_post(data: Sharing) -> None:
    browser = client_for(data.wujing, enforce_csrf_checks=True)
    response = browser.post(
        "/api/3/action/package_list", data="{}", content_type="application/json"
    )
    assert response.status_code == 403
    assert response.json()["error"]["__type"] == "Authorization Error"
    with_token = Client(enforce_csrf_checks=True).post(
        "/api/3/action/package_list",
        data="{}",
        content_type="application/json",
        headers={"Authorization": f"Token {data.token(data.wujing)}"},
    )
    assert with_token.status_code == 200
    browser.cookies["csrftoken"] = "k" * 32
    with_csrf = browser.post(
        "/api/3/action/package_list",
        data="{}",
        content_type="application/json",
        headers={"X-CSRFToken": "k" * 32},
    )
    assert with_csrf.json()["result"] == sorted(READS["steward"])


def test_it_answers_a_failure_in_ckans_envelope(data: Sharing, monkeypatch: Any) -> None:
    def broken(call: Any) -> None:
        raise RuntimeError("disk on fire")

    monkeypatch.setitem(ACTIONS, "status_show", broken)
    error = get(Client(), "status_show", 500)["error"]
    assert error == {"__type": "Internal Server Error", "message": "Internal Server Error"}


def test_it_rejects_a_body_that_is_not_a_json_object(data: Sharing) -> None:
    response = Client().post(
        "/api/3/action/package_list", data="[1]", content_type="application/json"
    )
    assert response.status_code == 400
    assert response.json().startswith("Bad request - JSON Error")


# ---- who sees what ----


@pytest.mark.parametrize("reader", list(READS))
def test_it_lists_only_the_packages_a_reader_may_read(data: Sharing, reader: str) -> None:
    names = result(client_for(data.readers()[reader]), "package_list")
    assert names == sorted(READS[reader])


@pytest.mark.parametrize("reader", list(READS))
@pytest.mark.parametrize("code", ["RKJC", "JTJJ", "DBJZ"])
def test_it_shows_a_package_only_to_its_readers(data: Sharing, reader: str, code: str) -> None:
    client = client_for(data.readers()[reader])
    get(client, "package_show", 200 if code in READS[reader] else 404, id=code)


@pytest.mark.parametrize("reader", list(READS))
@pytest.mark.parametrize("code", ["RKJC", "JTJJ", "DBJZ"])
def test_it_serves_rows_only_to_their_readers(data: Sharing, reader: str, code: str) -> None:
    client = client_for(data.readers()[reader])
    readable = code in READS[reader]
    get(client, "datastore_search", 200 if readable else 404, resource_id=code)
    download = client.get(f"/api/3/download/{code}.csv")
    assert download.status_code == (200 if readable else 404)


@pytest.mark.parametrize("reader", ["citizen", "clerk", "steward", "leader"])
def test_it_reads_the_same_with_a_token(data: Sharing, reader: str) -> None:
    user = data.readers()[reader]
    assert user is not None
    key = data.token(user)
    for header in (
        {"Authorization": f"Token {key}"},
        {"Authorization": key},
        {"X-CKAN-API-Key": key},
    ):
        response = Client().get("/api/3/action/package_list", headers=header)
        assert response.json()["result"] == sorted(READS[reader])


# ---- package_search ----


def test_it_searches_packages_in_ckans_shape(data: Sharing) -> None:
    leader = client_for(data.county.sunli)
    found = result(leader, "package_search", q="人口")
    assert set(found) == SEARCH_KEYS
    # RKJC by its title and tags, JTJJ by its description; 低保救助 does not say 人口.
    assert sorted(p["name"] for p in found["results"]) == ["JTJJ", "RKJC"]
    assert found["count"] == 2
    assert all(PACKAGE_KEYS <= set(p) for p in found["results"])
    assert (found["facets"], found["search_facets"]) == ({}, {})


@pytest.mark.parametrize(
    ("params", "codes"),
    [
        ({}, ["DBJZ", "JTJJ", "RKJC"]),
        ({"q": "集体经济"}, ["JTJJ"]),
        ({"q": "低保 受限"}, ["DBJZ"]),
        ({"q": "tags:户籍"}, ["RKJC"]),
        ({"fq": "organization:ZRZY"}, ["DBJZ", "RKJC"]),
        ({"fq": 'organization:"zrzy" tags:低保'}, ["DBJZ"]),
        ({"fq": "-organization:ZRZY"}, ["JTJJ"]),
        ({"fq": "groups:经济"}, ["JTJJ"]),
        ({"q": "*:*", "fq": "res_format:CSV"}, ["DBJZ", "JTJJ", "RKJC"]),
        ({"include_private": "false"}, ["RKJC"]),
    ],
)
def test_it_filters_packages(data: Sharing, params: dict[str, Any], codes: list[str]) -> None:
    found = result(client_for(data.county.sunli), "package_search", sort="name asc", **params)
    assert [p["name"] for p in found["results"]] == codes
    assert found["count"] == len(codes)


def test_it_pages_and_sorts_packages(data: Sharing) -> None:
    leader = client_for(data.county.sunli)
    page = result(leader, "package_search", rows=2, start=1, sort="name desc")
    assert page["count"] == 3
    assert [p["name"] for p in page["results"]] == ["JTJJ", "DBJZ"]
    assert get(leader, "package_search", 409, sort="popularity desc")["error"]["sort"]
    assert get(leader, "package_search", 409, rows="ten")["error"]["rows"]


def test_it_counts_facets_of_what_the_reader_may_read(data: Sharing) -> None:
    clerk = client_for(data.county.zhangwei)
    found = result(clerk, "package_search", **{"facet.field": ["organization", "tags"]})
    assert found["facets"]["organization"] == {"ZRZY": 1, "SCJG": 1}
    items = found["search_facets"]["organization"]["items"]
    assert {i["name"]: i["display_name"] for i in items} == {
        "ZRZY": "清溪县自然资源和规划局",
        "SCJG": "清溪县市场监督管理局",
    }
    assert "低保" not in found["facets"]["tags"]


def test_it_refuses_an_unknown_filter_field(data: Sharing) -> None:
    error = get(Client(), "package_search", 409, fq="capacity:public")["error"]
    assert error["fq"] == ["不支持按“capacity”筛选"]


# ---- datastore_search ----


def test_it_searches_rows_in_ckans_shape(data: Sharing) -> None:
    found = result(Client(), "datastore_search", resource_id="RKJC")
    assert DATASTORE_KEYS <= set(found)
    assert (found["resource_id"], found["total"], found["limit"], found["offset"]) == (
        "RKJC", 12, 100, 0,
    )  # fmt: skip
    assert found["total_was_estimated"] is False and found["records_format"] == "objects"
    assert found["fields"] == [
        {"id": "_id", "type": "int"},
        {"id": "division_code", "type": "text", "info": {"label": "区划代码", "notes": ""}},
        {"id": "period", "type": "text", "info": {"label": "期别", "notes": ""}},
        {"id": "population", "type": "int8", "info": {"label": "常住人口", "notes": "人"}},
        {"id": "households", "type": "int8", "info": {"label": "户数", "notes": "人"}},
    ]
    first = found["records"][0]
    assert first == {
        "_id": 1,
        "division_code": DONGSHAN,
        "period": "2025-01",
        "population": people(DONGSHAN, 0),
        "households": people(DONGSHAN, 0) // 3,
    }
    assert found["_links"] == {
        "start": "/api/3/action/datastore_search?resource_id=RKJC",
        "next": "/api/3/action/datastore_search?resource_id=RKJC&offset=100",
    }


def test_it_filters_rows(data: Sharing) -> None:
    found = result(
        Client(), "datastore_search", resource_id="RKJC",
        filters={"division_code": XIWU, "period": ["2025-02", "2025-03"]},
    )  # fmt: skip
    assert [(r["period"], r["households"]) for r in found["records"]] == [
        ("2025-02", None),
        ("2025-03", people(XIWU, 2) // 3),
    ]
    assert found["total"] == 2
    assert found["filters"] == {"division_code": XIWU, "period": ["2025-02", "2025-03"]}
    typed = result(Client(), "datastore_search", resource_id="RKJC", filters={"population": "805"})
    assert [(r["division_code"], r["period"]) for r in typed["records"]] == [(XIWU, "2025-02")]


def test_it_searches_text_pages_and_sorts_rows(data: Sharing) -> None:
    client = Client()
    found = result(
        client, "datastore_search", resource_id="RKJC", q="2025-0",
        sort="population desc, period", fields="division_code,period,population",
        limit=5, offset=2,
    )  # fmt: skip
    assert found["total"] == 12
    assert [f["id"] for f in found["fields"]] == ["division_code", "period", "population"]
    populations = sorted((people(v, i) for v in (DONGSHAN, XIWU) for i in range(6)), reverse=True)
    assert [r["population"] for r in found["records"]] == populations[2:7]
    nxt = client.get(found["_links"]["next"]).json()["result"]
    assert [r["population"] for r in nxt["records"]] == populations[7:12]
    assert nxt["offset"] == 7
    assert result(client, "datastore_search", resource_id="RKJC", q="西坞")["total"] == 0
    assert result(client, "datastore_search", resource_id="RKJC", q=XIWU)["total"] == 6


def test_it_answers_lists_and_distinct_values(data: Sharing) -> None:
    found = result(
        Client(), "datastore_search", resource_id="RKJC", fields=["period"], distinct="true",
        sort="period", records_format="lists",
    )  # fmt: skip
    assert found["records"] == [[p] for p in MONTHS]


def test_it_caps_the_limit_like_ckan(data: Sharing) -> None:
    found = result(Client(), "datastore_search", resource_id="RKJC", limit=50000)
    assert found["limit"] == 32000


@pytest.mark.parametrize(
    ("params", "key", "message"),
    [
        ({"filters": {"人口": 1}}, "filters", "字段“人口”不存在"),
        ({"filters": {"population": "many"}}, "filters", "字段“population”应为整数，收到“many”"),
        ({"fields": 'period" FROM x; --'}, "fields", '字段“period" FROM x; --”不存在'),
        (
            {"sort": "population sideways"},
            "sort",
            "排序“population sideways”应为“字段名 asc”或“字段名 desc”",
        ),
        ({"limit": -1}, "limit", "“limit”应为非负整数，收到“-1”"),
        ({"filters": "[1]"}, "filters", 'filters 应为 JSON 对象，如 {"period": "2025-03"}'),
        ({"records_format": "csv"}, "records_format", "records_format 只支持 objects 或 lists"),
    ],
)
def test_it_names_the_parameter_it_cannot_use(
    data: Sharing, params: dict[str, Any], key: str, message: str
) -> None:
    error = get(Client(), "datastore_search", 409, resource_id="RKJC", **params)["error"]
    assert error["__type"] == "Validation Error"
    assert error[key] == [message]


def test_it_binds_filter_values_instead_of_running_them(data: Sharing) -> None:
    found = result(
        Client(), "datastore_search", resource_id="RKJC",
        filters={"division_code": "x' OR '1'='1"},
    )  # fmt: skip
    assert (found["total"], found["records"]) == (0, [])


def test_it_reads_an_earlier_version(data: Sharing) -> None:
    version_publish(
        dataset=data.open,
        table=pa.table(
            {
                "division_code": [DONGSHAN],
                "period": ["2025-07"],
                "population": [1],
                "households": [1],
            }
        ),
    )
    client = Client()
    assert result(client, "datastore_search", resource_id="RKJC")["total"] == 1
    old = result(client, "datastore_search", resource_id="RKJC", version=1)
    assert old["total"] == 12
    assert get(client, "datastore_search", 404, resource_id="RKJC", version=9)["error"]
    assert result(client, "package_show", id="RKJC")["version"] == "2"


# ---- downloads ----


def test_it_downloads_a_version_as_csv(data: Sharing) -> None:
    response = Client().get("/api/3/download/RKJC.csv?version=1")
    assert response.status_code == 200
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    rows = list(csv.reader(io.StringIO(b"".join(response.streaming_content).decode())))  # type: ignore[attr-defined]
    assert rows[0] == ["division_code", "period", "population", "households"]
    assert len(rows) == 13
    assert rows[1] == [DONGSHAN, "2025-01", str(people(DONGSHAN, 0)), str(people(DONGSHAN, 0) // 3)]
    assert next(r for r in rows if r[:2] == [XIWU, "2025-02"])[3] == ""


def test_it_downloads_the_parquet_file_itself(data: Sharing) -> None:
    response = client_for(data.wujing).get("/api/3/download/DBJZ.parquet")
    assert response.status_code == 200
    body = b"".join(response.streaming_content)  # type: ignore[attr-defined]
    assert data.restricted.current is not None
    assert body == storage.absolute(data.restricted.current.path).read_bytes()


# ---- a client that reads any CKAN portal ----


@pytest.mark.parametrize("reader", ["anonymous", "steward"])
def test_it_can_be_harvested_like_any_ckan_portal(data: Sharing, reader: str) -> None:
    """What ``ckanapi dump datasets`` and a DataStore harvester do: list, show, page through rows."""
    user = data.readers()[reader]
    ckan = RemoteCKAN(Client(), apikey=data.token(user) if user else None)
    harvested: dict[str, list[dict[str, Any]]] = {}
    for name in ckan.call_action("package_list"):
        pkg = ckan.call_action("package_show", {"id": name})
        for res in pkg["resources"]:
            if not res["datastore_active"]:
                continue
            rows: list[dict[str, Any]] = []
            while True:
                page = ckan.call_action(
                    "datastore_search", {"resource_id": res["id"], "limit": 5, "offset": len(rows)}
                )
                rows += page["records"]
                if not page["records"] or len(rows) >= page["total"]:
                    break
            harvested[name] = rows
    assert set(harvested) == READS[reader]
    assert len(harvested["RKJC"]) == 12
    with pytest.raises(NotFound):
        ckan.call_action("package_show", {"id": "NOPE"})
    with pytest.raises(ValidationError):
        ckan.call_action("datastore_search", {"resource_id": "RKJC", "filters": {"nope": 1}})
    if reader == "anonymous":
        with pytest.raises(NotFound):
            ckan.call_action("datastore_search", {"resource_id": "DBJZ"})
    with pytest.raises(NotAuthorized):
        RemoteCKAN(Client(), apikey="stale-key").call_action("package_list")
