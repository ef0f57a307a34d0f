"""The DCAT catalogue: a harvester reads /catalog.jsonld and finds what it may read, and where to get it."""

from __future__ import annotations

from typing import Any

import pytest
from django.test import Client

from tests.datahub.sharing_fixtures import READS, Sharing
from zhili.accounts.models import User

EU = "http://publications.europa.eu/resource/authority"
# DCAT-AP: mandatory and recommended properties of a dataset and of a distribution.
DATASET_KEYS = {
    "@id", "@type", "dct:title", "dct:description", "dct:publisher", "dct:issued",
    "dct:modified", "dct:accrualPeriodicity", "dcat:distribution", "dct:spatial",
    "dct:temporal", "dcat:keyword", "dcat:theme", "dcat:contactPoint", "dct:identifier",
    "dct:accessRights",
}  # fmt: skip
DISTRIBUTION_KEYS = {
    "@id", "@type", "dcat:accessURL", "dcat:downloadURL", "dcat:mediaType", "dct:format",
    "dct:license", "dct:title", "dct:modified",
}  # fmt: skip


@pytest.fixture
def data(county: Any) -> Sharing:
    return Sharing(county)


def client_for(user: User | None) -> Client:
    client = Client()
    if user is not None:
        client.force_login(user)
    return client


def catalog(client: Client, **headers: str) -> dict[str, Any]:
    response = client.get("/catalog.jsonld", headers=headers)
    assert response.status_code == 200
    assert response["Content-Type"] == "application/ld+json; charset=utf-8"
    body: dict[str, Any] = response.json()
    return body


def prefixes(node: Any) -> set[str]:
    """Every prefix used in a key or a type of the document."""
    found: set[str] = set()
    if isinstance(node, dict):
        for key, value in node.items():
            if ":" in key and not key.startswith("@"):
                found.add(key.split(":")[0])
            if key == "@type" and isinstance(value, str) and ":" in value:
                found.add(value.split(":")[0])
            found |= prefixes(value)
    elif isinstance(node, list):
        for item in node:
            found |= prefixes(item)
    return found


def test_it_describes_the_catalogue_as_dcat(data: Sharing) -> None:
    doc = catalog(Client())
    assert doc["@type"] == "dcat:Catalog"
    assert doc["@id"] == "http://testserver/catalog.jsonld"
    assert prefixes(doc) <= set(doc["@context"])  # every prefix is declared
    assert doc["@context"]["dcat"] == "http://www.w3.org/ns/dcat#"
    assert doc["@context"]["dct"] == "http://purl.org/dc/terms/"
    assert doc["dct:title"] == {"@value": "清溪县数据中台数据目录", "@language": "zh-Hans"}
    assert doc["dct:spatial"]["dct:identifier"] == "330599000000"
    assert doc["dcat:service"]["dcat:endpointURL"] == {"@id": "http://testserver/api/3/action/"}


def test_it_describes_a_dataset_the_dcat_ap_way(data: Sharing) -> None:
    [ds] = catalog(Client())["dcat:dataset"]
    assert DATASET_KEYS <= set(ds)
    assert ds["@type"] == "dcat:Dataset"
    assert ds["@id"] == "http://testserver/catalog/RKJC.jsonld"
    assert ds["dct:title"]["@value"] == "人口基础信息"
    assert ds["dct:publisher"]["foaf:name"]["@value"] == "清溪县自然资源和规划局"
    assert ds["dct:accrualPeriodicity"] == {"@id": f"{EU}/frequency/MONTHLY"}
    assert ds["dct:accessRights"] == {"@id": f"{EU}/access-right/PUBLIC"}
    assert ds["dct:issued"]["@type"] == ds["dct:modified"]["@type"] == "xsd:dateTime"
    assert ds["dct:spatial"]["skos:prefLabel"]["@value"] == "清溪县"
    assert (
        ds["dct:spatial"]["dcat:bbox"]["@value"]
        == "POLYGON((0.0 0.0,1.0 0.0,1.0 1.0,0.0 1.0,0.0 0.0))"
    )
    assert ds["dct:temporal"]["dcat:startDate"]["@value"] == "2025-01-01"
    assert ds["dct:temporal"]["dcat:endDate"]["@value"] == "2025-06-30"
    assert [k["@value"] for k in ds["dcat:keyword"]] == ["人口", "户籍"]
    assert ds["dcat:version"] == "1"
    csv_dist, parquet_dist = ds["dcat:distribution"]
    for dist in (csv_dist, parquet_dist):
        assert DISTRIBUTION_KEYS <= set(dist)
        assert dist["dct:license"] == {"@id": "https://creativecommons.org/licenses/by/4.0/"}
    assert csv_dist["dcat:downloadURL"] == {
        "@id": "http://testserver/api/3/download/RKJC.csv?version=1"
    }
    assert csv_dist["dcat:mediaType"] == {
        "@id": "https://www.iana.org/assignments/media-types/text/csv"
    }
    assert csv_dist["dct:format"] == {"@id": f"{EU}/file-type/CSV"}
    assert parquet_dist["dcat:mediaType"]["@id"].endswith("/application/vnd.apache.parquet")
    assert parquet_dist["dcat:byteSize"]["@value"] > 0


def test_its_download_urls_answer(data: Sharing) -> None:
    [ds] = catalog(Client())["dcat:dataset"]
    for dist in ds["dcat:distribution"]:
        url = dist["dcat:downloadURL"]["@id"].removeprefix("http://testserver")
        assert Client().get(url).status_code == 200


@pytest.mark.parametrize("reader", list(READS))
def test_it_lists_only_what_the_reader_may_read(data: Sharing, reader: str) -> None:
    doc = catalog(client_for(data.readers()[reader]))
    assert {d["dct:identifier"] for d in doc["dcat:dataset"]} == READS[reader]


@pytest.mark.parametrize("reader", list(READS))
@pytest.mark.parametrize("code", ["RKJC", "JTJJ", "DBJZ"])
def test_it_describes_one_dataset_to_its_readers(data: Sharing, reader: str, code: str) -> None:
    response = client_for(data.readers()[reader]).get(f"/catalog/{code}.jsonld")
    assert response.status_code == (200 if code in READS[reader] else 404)
    if response.status_code == 200:
        assert response.json()["dct:identifier"] == code
        assert "dcat" in response.json()["@context"]


def test_it_tells_the_access_rights_of_shared_and_restricted_data(data: Sharing) -> None:
    doc = catalog(client_for(data.county.sunli))
    rights = {d["dct:identifier"]: d["dct:accessRights"]["@id"] for d in doc["dcat:dataset"]}
    assert rights == {
        "DBJZ": f"{EU}/access-right/NON_PUBLIC",
        "JTJJ": f"{EU}/access-right/RESTRICTED",
        "RKJC": f"{EU}/access-right/PUBLIC",
    }


def test_it_reads_a_token_like_the_ckan_api(data: Sharing) -> None:
    doc = catalog(Client(), Authorization=f"Token {data.token(data.wujing)}")
    assert {d["dct:identifier"] for d in doc["dcat:dataset"]} == READS["steward"]
    assert (
        Client().get("/catalog.jsonld", headers={"Authorization": "Token nope"}).status_code == 403
    )
