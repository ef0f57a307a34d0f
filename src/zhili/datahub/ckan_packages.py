"""CKAN's catalogue actions over the datasets: packages, resources, organizations, groups.

A dataset is a package (id and name = its code), its department the organization, its
category a group, its keywords the tags; the current version is a CSV resource with
``datastore_active`` (``resource_id`` = the code) and a Parquet resource (``<code>.parquet``),
both downloadable as ``/api/3/download/<code>.csv|parquet?version=N``.

Where this differs from CKAN: ``package_list`` and ``package_search`` list every dataset the
caller may read (shared and restricted ones carry ``private: true``; ``include_private=false``
keeps the open ones only); ``q`` and ``fq`` take words and ``field:value`` terms (``-`` to
exclude), not the whole Solr syntax; there is no relevance score, so ``score`` sorts nothing.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any
from urllib.parse import urlencode

from django.urls import reverse

from zhili.datahub import storage
from zhili.datahub.ckan_call import ACTIONS, Call, Invalid, NotFound, ckan_action
from zhili.datahub.models import Dataset, DatasetVersion, Sharing
from zhili.divisions.models import Department

CKAN_VERSION = "2.10.0"
SEARCH_ROWS, SEARCH_ROWS_MAX = 10, 1000
LICENSES = {
    "CC-BY-4.0": ("Creative Commons Attribution 4.0", "https://creativecommons.org/licenses/by/4.0/"),
    "CC-BY-SA-4.0": (
        "Creative Commons Attribution Share-Alike 4.0",
        "https://creativecommons.org/licenses/by-sa/4.0/",
    ),
    "CC0-1.0": ("Creative Commons CCZero", "https://creativecommons.org/publicdomain/zero/1.0/"),
    "ODC-BY-1.0": ("Open Data Commons Attribution License", "https://opendatacommons.org/licenses/by/1-0/"),
    "ODbL-1.0": ("Open Data Commons Open Database License", "https://opendatacommons.org/licenses/odbl/1-0/"),
}  # fmt: skip
PARQUET_TYPE = "application/vnd.apache.parquet"
TERM_RE = re.compile(r'([+-]?)(?:([A-Za-z_]+):)?("([^"]*)"|\S+)')


def _iso(moment: datetime | None) -> str | None:
    return moment.astimezone(UTC).replace(tzinfo=None).isoformat() if moment else None


def organization_dict(dept: Department, package_count: int | None = None) -> dict[str, Any]:
    out: dict[str, Any] = {
        "id": dept.code,
        "name": dept.code,
        "title": dept.name,
        "display_name": dept.name,
        "description": dept.short_name,
        "type": "organization",
        "is_organization": True,
        "approval_status": "approved",
        "state": "active",
        "image_url": "",
        "created": None,
    }
    if package_count is not None:
        out["package_count"] = package_count
    return out


def group_dict(category: str, package_count: int | None = None) -> dict[str, Any]:
    out: dict[str, Any] = {
        "id": category,
        "name": category,
        "title": category,
        "display_name": category,
        "description": "",
        "image_display_url": "",
    }
    if package_count is not None:
        out["package_count"] = package_count
    return out


def tag_dict(keyword: str) -> dict[str, Any]:
    return {
        "id": keyword,
        "name": keyword,
        "display_name": keyword,
        "state": "active",
        "vocabulary_id": None,
    }


def download_url(call: Call, dataset: Dataset, version: DatasetVersion, fmt: str) -> str:
    path = reverse(f"ckan:download_{fmt}", args=[dataset.code])
    return call.absolute(f"{path}?{urlencode({'version': version.number})}")


def resource_dicts(call: Call, dataset: Dataset) -> list[dict[str, Any]]:
    version = dataset.current
    if version is None:
        return []
    common = {
        "package_id": dataset.code,
        "description": dataset.description,
        "created": _iso(version.published_at),
        "last_modified": _iso(version.published_at),
        "metadata_modified": _iso(version.published_at),
        "state": "active",
        "url_type": None,
        "resource_type": None,
        "mimetype_inner": None,
        "cache_url": None,
        "cache_last_updated": None,
    }
    file = storage.absolute(version.path)
    return [
        {
            **common,
            "id": dataset.code,
            "name": f"{dataset.name}（第{version.number}版）",
            "format": "CSV",
            "mimetype": "text/csv",
            "url": download_url(call, dataset, version, "csv"),
            "datastore_active": True,
            "position": 0,
            "size": None,
            "hash": "",
        },
        {
            **common,
            "id": f"{dataset.code}.parquet",
            "name": f"{dataset.name}（第{version.number}版，Parquet）",
            "format": "Parquet",
            "mimetype": PARQUET_TYPE,
            "url": download_url(call, dataset, version, "parquet"),
            "datastore_active": False,
            "position": 1,
            "size": file.stat().st_size if file.exists() else None,
            "hash": f"sha256:{version.sha256}",
        },
    ]


def package_dict(call: Call, dataset: Dataset) -> dict[str, Any]:
    version = dataset.current
    licence_title, licence_url = LICENSES.get(dataset.licence, (dataset.licence, ""))
    org = organization_dict(dataset.department)
    tags = [tag_dict(k) for k in dataset.keywords or [] if isinstance(k, str) and k]
    resources = resource_dicts(call, dataset)
    extras = {
        "frequency": dataset.frequency,
        "sharing": dataset.sharing,
        "division_level": dataset.division_level,
        "period_min": version.period_min if version else "",
        "period_max": version.period_max if version else "",
    }
    return {
        "id": dataset.code,
        "name": dataset.code,
        "title": dataset.name,
        "notes": dataset.description,
        "type": "dataset",
        "state": "active",
        "private": dataset.sharing != Sharing.OPEN,
        "license_id": dataset.licence,
        "license_title": licence_title,
        "license_url": licence_url,
        "isopen": dataset.licence in LICENSES,
        "author": dataset.department.name,
        "author_email": None,
        "maintainer": dataset.department.name,
        "maintainer_email": None,
        "url": "",
        "version": str(version.number) if version else None,
        "metadata_created": _iso(dataset.created_at),
        "metadata_modified": _iso(dataset.updated_at),
        "creator_user_id": None,
        "owner_org": org["id"],
        "organization": org,
        "groups": [group_dict(dataset.category)] if dataset.category else [],
        "tags": tags,
        "num_tags": len(tags),
        "extras": [{"key": k, "value": v} for k, v in extras.items()],
        "resources": resources,
        "num_resources": len(resources),
        "relationships_as_object": [],
        "relationships_as_subject": [],
    }


# ---- the actions ----


@ckan_action
def status_show(call: Call) -> dict[str, Any]:
    """Return the version of the API and the site's description."""
    return {
        "site_title": "智理数据中台",
        "site_description": "县级部门数据集的开放目录（CKAN 兼容只读接口）",
        "site_url": call.absolute("/"),
        "ckan_version": CKAN_VERSION,
        "error_emails_to": None,
        "locale_default": "zh_Hans_CN",
        "extensions": ["datastore", "dcat"],
    }


@ckan_action
def help_show(call: Call) -> str:
    """Return the help string of an action (name: the action's name)."""
    name = call.text("name")
    fn = ACTIONS.get(name)
    if fn is None:
        raise NotFound(f"没有名为“{name}”的接口")
    return (fn.__doc__ or "").strip()


@ckan_action
def package_list(call: Call) -> list[str]:
    """Return the names of the datasets the caller may read (limit, offset)."""
    codes = list(call.visible().order_by("code").values_list("code", flat=True))
    offset, limit = call.integer("offset", 0), call.integer("limit", 0)
    return codes[offset : offset + limit if limit else None]


@ckan_action
def package_show(call: Call) -> dict[str, Any]:
    """Return a dataset (id: its code or name) with its resources."""
    key = "id" if call.text("id") else "name_or_id"
    return package_dict(call, call.dataset(key))


@ckan_action
def resource_show(call: Call) -> dict[str, Any]:
    """Return a resource (id: the dataset code for CSV, <code>.parquet for Parquet)."""
    rid = call.text("id")
    if not rid:
        raise Invalid("id", "Missing value")
    code = rid.removesuffix(".parquet")
    dataset = call.visible().filter(code=code).first()
    found = (
        next((r for r in resource_dicts(call, dataset) if r["id"] == rid), None)
        if dataset
        else None
    )
    if found is None:
        raise NotFound(f"资源“{rid}”不存在或您无权查看")
    return found


def _haystack(d: Dataset) -> str:
    dept = d.department
    parts = [d.code, d.name, d.description, d.category, *map(str, d.keywords or [])]
    return " ".join([*parts, dept.code, dept.name, dept.short_name]).lower()


def _keywords(d: Dataset) -> list[str]:
    return [str(k).lower() for k in d.keywords or []]


# What a ``field:value`` term of ``q`` or ``fq`` tests; the value comes lower-cased.
MATCHERS: dict[str, Callable[[Dataset, str], bool]] = {
    "": lambda d, v: v in _haystack(d),
    "text": lambda d, v: v in _haystack(d),
    "id": lambda d, v: d.code.lower() == v,
    "name": lambda d, v: d.code.lower() == v,
    "title": lambda d, v: v in d.name.lower(),
    "notes": lambda d, v: v in d.description.lower(),
    "tags": lambda d, v: v in _keywords(d),
    "groups": lambda d, v: d.category.lower() == v,
    "organization": lambda d, v: d.department.code.lower() == v,
    "license_id": lambda d, v: d.licence.lower() == v,
    "res_format": lambda d, v: d.current_id is not None and v in ("csv", "parquet"),
    "frequency": lambda d, v: d.frequency == v,
    "sharing": lambda d, v: d.sharing == v,
    "division_level": lambda d, v: d.division_level == v,
}


def _terms(text: str, key: str, *, strict: bool) -> list[tuple[bool, str, str]]:
    """(negated, field, value) for each term of ``q`` or ``fq``; ``*:*`` matches everything."""
    out = []
    for sign, field, raw, quoted in TERM_RE.findall(text):
        value = quoted if raw.startswith('"') else raw
        if value in ("*", "*:*") or (not field and value == "AND"):
            continue
        if field not in MATCHERS:
            if strict:
                raise Invalid(key, f"不支持按“{field}”筛选")
            field, value = "", f"{field}:{value}"  # in q, an unknown field is just words
        out.append((sign == "-", field, value.lower()))
    return out


SORTS: dict[str, Callable[[Dataset], Any]] = {
    "name": lambda d: d.code,
    "title_string": lambda d: d.name,
    "title": lambda d: d.name,
    "metadata_modified": lambda d: d.updated_at,
    "metadata_created": lambda d: d.created_at,
}


def _sorted(datasets: list[Dataset], sort: str) -> list[Dataset]:
    clauses = []
    for clause in filter(None, (c.strip() for c in sort.split(","))):
        field, _, direction = clause.partition(" ")
        direction = direction.strip().lower() or "asc"
        if (field != "score" and field not in SORTS) or direction not in ("asc", "desc"):
            raise Invalid("sort", f"不支持的排序“{clause}”")
        clauses.append((field, direction == "desc"))
    for field, desc in reversed(clauses):
        if field != "score":  # no relevance ranking: the catalogue order stands for it
            datasets.sort(key=SORTS[field], reverse=desc)
    return datasets


FACETS: dict[str, Callable[[Dataset], list[tuple[str, str]]]] = {
    "organization": lambda d: [(d.department.code, d.department.name)],
    "groups": lambda d: [(d.category, d.category)] if d.category else [],
    "tags": lambda d: [(str(k), str(k)) for k in d.keywords or []],
    "res_format": lambda d: [("CSV", "CSV"), ("Parquet", "Parquet")] if d.current_id else [],
    "license_id": lambda d: [(d.licence, d.licence)],
}


@ckan_action
def package_search(call: Call) -> dict[str, Any]:
    """Search datasets: q (words or field:value), fq (organization:X tags:Y …), rows, start, sort, facet.field."""
    rows = call.integer("rows", SEARCH_ROWS, maximum=SEARCH_ROWS_MAX)
    start = call.integer("start", 0)
    sort = call.text("sort") or "score desc, metadata_modified desc"
    terms = _terms(call.text("q"), "q", strict=False) + _terms(call.text("fq"), "fq", strict=True)
    datasets = list(call.visible().order_by("code"))
    if not call.boolean("include_private", True):
        datasets = [d for d in datasets if d.sharing == Sharing.OPEN]
    matched = [d for d in datasets if all(MATCHERS[f](d, v) != neg for neg, f, v in terms)]
    matched = _sorted(matched, sort)
    facet_fields = call.json("facet.field") or []
    if not isinstance(facet_fields, list) or any(f not in FACETS for f in facet_fields):
        raise Invalid("facet.field", f"facet.field 应为以下字段的 JSON 列表：{', '.join(FACETS)}")
    facet_limit = call.integer("facet.limit", 50)
    facets: dict[str, dict[str, int]] = {}
    search_facets: dict[str, Any] = {}
    for f in facet_fields:
        counts: Counter[tuple[str, str]] = Counter(p for d in matched for p in FACETS[f](d))
        top = counts.most_common(facet_limit)
        facets[f] = {name: n for (name, _), n in top}
        search_facets[f] = {
            "title": f,
            "items": [
                {"name": name, "display_name": label, "count": n} for (name, label), n in top
            ],
        }
    return {
        "count": len(matched),
        "sort": sort,
        "facets": facets,
        "search_facets": search_facets,
        "results": [package_dict(call, d) for d in matched[start : start + rows]],
    }


def _counts(call: Call, attr: str) -> Counter[Any]:
    return Counter(call.visible().values_list(attr, flat=True))


@ckan_action
def organization_list(call: Call) -> list[Any]:
    """Return the departments that own a dataset the caller may read (all_fields for dicts)."""
    counts = _counts(call, "department_id")
    depts = Department.objects.filter(pk__in=counts).order_by("code")
    if call.boolean("all_fields", False):
        return [organization_dict(d, counts[d.pk]) for d in depts]
    return [d.code for d in depts]


@ckan_action
def group_list(call: Call) -> list[Any]:
    """Return the categories of the datasets the caller may read (all_fields for dicts)."""
    counts = _counts(call, "category")
    names = sorted(c for c in counts if c)
    if call.boolean("all_fields", False):
        return [group_dict(c, counts[c]) for c in names]
    return names
