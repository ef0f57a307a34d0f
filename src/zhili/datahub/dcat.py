"""The catalogue as DCAT (DCAT-AP style JSON-LD): /catalog.jsonld and /catalog/<code>.jsonld.

A ``dcat:Catalog`` holding one ``dcat:Dataset`` per dataset the caller may read
(``access.datasets_visible_to``; the session's user or a DRF token, as for the CKAN API),
each with its publisher (the department), EU vocabularies for frequency, access rights and
file types, the county as ``dct:spatial``, the periods covered as ``dct:temporal``, and a
CSV and a Parquet ``dcat:distribution`` of the current version.
"""

from __future__ import annotations

import calendar
from datetime import date, datetime
from typing import Any

from django.http import HttpRequest, JsonResponse
from django.urls import reverse
from django.views.decorators.http import require_GET

from zhili.datahub import ckan_call, ckan_packages, quality, storage
from zhili.datahub.access import datasets_visible_to
from zhili.datahub.models import Dataset, DatasetVersion
from zhili.divisions.models import Division

EU = "http://publications.europa.eu/resource/authority"
IANA = "https://www.iana.org/assignments/media-types"
CONTEXT = {
    "dcat": "http://www.w3.org/ns/dcat#",
    "dct": "http://purl.org/dc/terms/",
    "foaf": "http://xmlns.com/foaf/0.1/",
    "vcard": "http://www.w3.org/2006/vcard/ns#",
    "skos": "http://www.w3.org/2004/02/skos/core#",
    "xsd": "http://www.w3.org/2001/XMLSchema#",
    "gsp": "http://www.opengis.net/ont/geosparql#",
}
LANG = "zh-Hans"
FREQUENCIES = {"monthly": "MONTHLY", "quarterly": "QUARTERLY", "yearly": "ANNUAL"}
RESOLUTIONS = {"monthly": "P1M", "quarterly": "P3M", "yearly": "P1Y"}
ACCESS_RIGHTS = {"open": "PUBLIC", "shared": "RESTRICTED", "restricted": "NON_PUBLIC"}
MEDIA_TYPE = "application/ld+json; charset=utf-8"


def _text(value: str) -> dict[str, str]:
    return {"@value": value, "@language": LANG}


def _typed(value: Any, kind: str) -> dict[str, Any]:
    return {"@value": value, "@type": f"xsd:{kind}"}


def _moment(value: datetime) -> dict[str, Any]:
    return _typed(value.isoformat(timespec="seconds"), "dateTime")


def _period_bounds(first: str, last: str) -> tuple[date, date] | None:
    """The first day of the first period and the last day of the last (2025Q1 → 2025-01-01 …)."""
    a, b = quality.last_month(first), quality.last_month(last)
    kind = quality.period_frequency(first)
    if a is None or b is None or kind is None:
        return None
    start = a - quality.MONTHS_PER_PERIOD[kind] + 1
    y, m = divmod(b, 12)
    return date(start // 12, start % 12 + 1, 1), date(y, m + 1, calendar.monthrange(y, m + 1)[1])


def _bbox(boundary: Any) -> str | None:
    """The WKT rectangle around a GeoJSON Polygon or MultiPolygon."""
    points: list[tuple[float, float]] = []

    def walk(node: Any) -> None:
        if (
            isinstance(node, list)
            and len(node) >= 2
            and all(isinstance(n, int | float) for n in node[:2])
        ):
            points.append((float(node[0]), float(node[1])))
        elif isinstance(node, list):
            for child in node:
                walk(child)

    walk((boundary or {}).get("coordinates"))
    if not points:
        return None
    (x0, x1), (y0, y1) = (
        (min(p[0] for p in points), max(p[0] for p in points)),
        (min(p[1] for p in points), max(p[1] for p in points)),
    )
    return f"POLYGON(({x0} {y0},{x1} {y0},{x1} {y1},{x0} {y1},{x0} {y0}))"


def spatial(county: Division | None) -> dict[str, Any] | None:
    if county is None:
        return None
    out: dict[str, Any] = {
        "@type": "dct:Location",
        "skos:prefLabel": _text(county.name),
        "dct:identifier": county.code,
    }
    if (box := _bbox(county.boundary)) is not None:
        out["dcat:bbox"] = _typed(box, "string") | {"@type": "gsp:wktLiteral"}
    return out


def publisher(dataset: Dataset, catalog_id: str) -> dict[str, Any]:
    dept = dataset.department
    return {
        "@id": f"{catalog_id}#department-{dept.code}",
        "@type": "foaf:Organization",
        "foaf:name": _text(dept.name),
        "dct:identifier": dept.credit_code or dept.code,
    }


def _distribution(
    request: HttpRequest, dataset: Dataset, version: DatasetVersion, uri: str, fmt: str
) -> dict[str, Any]:
    path = reverse(f"ckan:download_{fmt}", args=[dataset.code])
    url = request.build_absolute_uri(f"{path}?version={version.number}")
    media = "text/csv" if fmt == "csv" else ckan_packages.PARQUET_TYPE
    out: dict[str, Any] = {
        "@id": f"{uri}#{fmt}",
        "@type": "dcat:Distribution",
        "dct:title": _text(f"{dataset.name}（第{version.number}版，{fmt.upper()}）"),
        "dcat:downloadURL": {"@id": url},
        "dcat:accessURL": {"@id": url},
        "dcat:mediaType": {"@id": f"{IANA}/{media}"},
        "dct:format": {"@id": f"{EU}/file-type/{fmt.upper()}"},
        "dct:issued": _moment(version.published_at),
        "dct:modified": _moment(version.published_at),
    }
    if dataset.licence in ckan_packages.LICENSES:
        out["dct:license"] = {"@id": ckan_packages.LICENSES[dataset.licence][1]}
    if fmt == "csv":
        search = reverse("ckan:action", args=["datastore_search"])
        out["dcat:accessURL"] = {
            "@id": request.build_absolute_uri(f"{search}?resource_id={dataset.code}")
        }
    else:
        file = storage.absolute(version.path)
        if file.exists():
            out["dcat:byteSize"] = _typed(file.stat().st_size, "nonNegativeInteger")
    return out


def dataset_node(
    request: HttpRequest, dataset: Dataset, *, catalog_id: str, place: dict[str, Any] | None
) -> dict[str, Any]:
    uri = request.build_absolute_uri(reverse("dcat:dataset", args=[dataset.code]))
    version = dataset.current
    node: dict[str, Any] = {
        "@id": uri,
        "@type": "dcat:Dataset",
        "dct:identifier": dataset.code,
        "dct:title": _text(dataset.name),
        "dct:description": _text(dataset.description or dataset.name),
        "dct:publisher": publisher(dataset, catalog_id),
        "dcat:contactPoint": {
            "@type": "vcard:Organization",
            "vcard:fn": _text(dataset.department.name),
            **(
                {"vcard:hasTelephone": {"@id": f"tel:{dataset.department.phone}"}}
                if dataset.department.phone
                else {}
            ),
        },
        "dct:issued": _moment(dataset.created_at),
        "dct:modified": _moment(dataset.updated_at),
        "dct:accrualPeriodicity": {"@id": f"{EU}/frequency/{FREQUENCIES[dataset.frequency]}"},
        "dcat:temporalResolution": _typed(RESOLUTIONS[dataset.frequency], "duration"),
        "dct:accessRights": {"@id": f"{EU}/access-right/{ACCESS_RIGHTS[dataset.sharing]}"},
        "dcat:keyword": [_text(str(k)) for k in dataset.keywords or []],
        "dcat:theme": {"@type": "skos:Concept", "skos:prefLabel": _text(dataset.category)},
        "dct:language": {"@id": f"{EU}/language/ZHO"},
        "dcat:distribution": [],
    }
    if place is not None:
        node["dct:spatial"] = place
    if version is not None:
        node["dcat:version"] = str(version.number)
        node["dcat:distribution"] = [
            _distribution(request, dataset, version, uri, fmt) for fmt in ("csv", "parquet")
        ]
        bounds = (
            _period_bounds(version.period_min, version.period_max) if version.period_min else None
        )
        if bounds is not None:
            node["dct:temporal"] = {
                "@type": "dct:PeriodOfTime",
                "dcat:startDate": _typed(bounds[0].isoformat(), "date"),
                "dcat:endDate": _typed(bounds[1].isoformat(), "date"),
            }
    return node


def catalog_jsonld(request: HttpRequest, user: Any) -> dict[str, Any]:
    """The catalogue of the datasets ``user`` may read, as a JSON-LD document."""
    catalog_id = request.build_absolute_uri(reverse("dcat:catalog"))
    county = Division.objects.filter(level="county").order_by("code").first()
    place = spatial(county)
    datasets = list(
        datasets_visible_to(user).select_related("department", "current").order_by("code")
    )
    name = county.name if county else ""
    out: dict[str, Any] = {
        "@context": CONTEXT,
        "@id": catalog_id,
        "@type": "dcat:Catalog",
        "dct:title": _text(f"{name}数据中台数据目录"),
        "dct:description": _text(f"{name}各部门按行政区划和期别发布的数据集。"),
        "dct:publisher": {"@type": "foaf:Organization", "foaf:name": _text(f"{name}人民政府")},
        "dct:language": {"@id": f"{EU}/language/ZHO"},
        "foaf:homepage": {"@id": request.build_absolute_uri("/")},
        "dcat:service": {
            "@type": "dcat:DataService",
            "dct:title": _text("CKAN 兼容只读接口"),
            "dcat:endpointURL": {
                "@id": request.build_absolute_uri(reverse("ckan:root") + "action/")
            },
            "dct:conformsTo": {"@id": "https://docs.ckan.org/en/2.10/api/"},
        },
        "dcat:dataset": [
            dataset_node(request, d, catalog_id=catalog_id, place=place) for d in datasets
        ],
    }
    if place is not None:
        out["dct:spatial"] = place
    if datasets:
        out["dct:modified"] = _moment(max(d.updated_at for d in datasets))
    return out


def _jsonld(body: dict[str, Any], status: int = 200) -> JsonResponse:
    return JsonResponse(
        body, status=status, json_dumps_params={"ensure_ascii": False}, content_type=MEDIA_TYPE
    )


@require_GET
def catalog(request: HttpRequest) -> JsonResponse:
    """/catalog.jsonld"""
    try:
        user = ckan_call.caller(request)
    except ckan_call.ActionError as exc:
        return _jsonld({"error": exc.error()}, exc.status)
    return _jsonld(catalog_jsonld(request, user))


@require_GET
def dataset(request: HttpRequest, code: str) -> JsonResponse:
    """/catalog/<code>.jsonld: one dataset, 404 if the caller may not read it."""
    try:
        user = ckan_call.caller(request)
    except ckan_call.ActionError as exc:
        return _jsonld({"error": exc.error()}, exc.status)
    found = datasets_visible_to(user).filter(code=code).first()
    if found is None:
        return _jsonld(
            {"error": ckan_call.NotFound(f"数据集“{code}”不存在或您无权查看").error()}, 404
        )
    county = Division.objects.filter(level="county").order_by("code").first()
    catalog_id = request.build_absolute_uri(reverse("dcat:catalog"))
    node = dataset_node(request, found, catalog_id=catalog_id, place=spatial(county))
    return _jsonld({"@context": CONTEXT, **node})
