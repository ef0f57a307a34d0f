"""Write the demo county into the database, all of it or nothing."""

from __future__ import annotations

import time
from contextlib import nullcontext
from typing import Any

from django.conf import settings
from django.contrib.auth.hashers import make_password
from django.db import transaction
from django.test import override_settings

from zhili.accounts.models import User
from zhili.catalogue.models import Bundle, BundleItem, ServiceItem, Theme
from zhili.catalogue.services import item_draft_save, item_publish
from zhili.demo import generate
from zhili.demo.people import DEMO_PASSWORD, DEMO_USERS
from zhili.divisions.codes import LEVEL_COUNTY, LEVEL_TOWN, LEVEL_VILLAGE
from zhili.divisions.models import Department, Division, ServicePoint


def demo_load(*, force: bool = False, seed: int = generate.DEFAULT_SEED) -> dict[str, Any]:
    """Load the demo county 清溪县 in one transaction; a no-op when it is already there.

    Returns what was done: ``created`` and ``message``, and when created the
    number of rows of each kind and the seconds it took. Without ``force`` it
    also refuses a database that already holds other divisions, so a demo is
    never mixed into a real county's data by accident.
    """
    county_code = settings.ZHILI_COUNTY_CODE
    # The demo item codes follow the demo code formats (zhili.cli.DEMO_ENV); a database
    # loaded without them configured still gets items that pass the checks.
    formats = nullcontext()
    if not settings.ZHILI_BASIC_CODE_PATTERN or not settings.ZHILI_IMPL_CODE_PATTERN:
        from zhili.cli import DEMO_ENV

        formats = override_settings(**DEMO_ENV)  # type: ignore[assignment]
    started = time.perf_counter()
    with formats, transaction.atomic():
        if Division.objects.filter(code=f"{county_code}000000").exists():
            return {"created": False, "message": f"示范县（{county_code}）已载入，未做任何改动"}
        if Division.objects.exists() and not force:
            return {
                "created": False,
                "message": "数据库中已有其他行政区划，未载入示范县；确需载入请加 --force",
            }
        counts = _load(county_code, seed)
    counts["seconds"] = round(time.perf_counter() - started, 2)
    return {"created": True, "message": f"示范县{counts['county']}已载入", **counts}


def _load(county_code: str, seed: int) -> dict[str, Any]:
    divisions = generate.county_divisions(seed=seed, county_code=county_code)
    by_code: dict[str, Division] = {}
    for level in (LEVEL_COUNTY, LEVEL_TOWN, LEVEL_VILLAGE):
        rows = [
            Division(
                code=d["code"],
                name=d["name"],
                level=d["level"],
                parent=by_code.get(d["parent_code"] or ""),
                boundary=d["boundary"],
                centroid_lon=d["centroid_lon"],
                centroid_lat=d["centroid_lat"],
            )
            for d in divisions
            if d["level"] == level
        ]
        for row in Division.objects.bulk_create(rows):
            by_code[row.code] = row

    dept_rows = generate.departments(county_code=county_code)
    departments = {
        row.code: row
        for row in Department.objects.bulk_create(
            Department(
                code=d["code"],
                name=d["name"],
                short_name=d["short_name"],
                credit_code=d["credit_code"],
                division=by_code[d["division_code"]],
                phone=d["phone"],
                order=d["order"],
            )
            for d in dept_rows
        )
    }
    points = ServicePoint.objects.bulk_create(
        ServicePoint(
            **{k: v for k, v in p.items() if k != "division_code"},
            division=by_code[p["division_code"]],
        )
        for p in generate.service_points(divisions, seed=seed)
    )
    themes = Theme.objects.bulk_create(Theme(**t) for t in generate.themes())
    users = _users(county_code, departments, by_code)

    items: dict[tuple[str, str], ServiceItem] = {}
    popular: list[ServiceItem] = []
    for doc, popularity in generate.items_with_popularity(dept_rows, seed=seed):
        draft = item_draft_save(document=doc, actor=None, departments=departments)
        item = item_publish(item=draft.item, actor=None).item
        item.popularity = popularity
        popular.append(item)
        items.setdefault((doc["department"], doc["name"]), item)
    ServiceItem.objects.bulk_update(popular, ["popularity"], batch_size=500)

    bundles = generate.bundles()
    created = Bundle.objects.bulk_create(
        Bundle(**{k: v for k, v in b.items() if k != "items"}) for b in bundles
    )
    BundleItem.objects.bulk_create(
        BundleItem(bundle=bundle, item=items[key], order=i)
        for bundle, b in zip(created, bundles, strict=True)
        for i, key in enumerate(b["items"])
    )
    from zhili.demo.cases import load_cases
    from zhili.demo.datasets_load import datasets_load

    return {
        **load_cases(seed=seed),
        **datasets_load(seed=seed),
        **_indicator_values(),
        "county": by_code[f"{county_code}000000"].name,
        "towns": sum(1 for d in divisions if d["level"] == LEVEL_TOWN),
        "villages": sum(1 for d in divisions if d["level"] == LEVEL_VILLAGE),
        "departments": len(departments),
        "service_points": len(points),
        "themes": len(themes),
        "items": len(popular),
        "bundles": len(created),
        "users": len(users),
    }


def _indicator_values() -> dict[str, Any]:
    """Compute the demo indicators now, so the map has colours on first sight."""
    from zhili.datahub.indicators import indicators_refresh_all

    started = time.perf_counter()
    indicators_refresh_all()
    return {"indicator_seconds": round(time.perf_counter() - started, 1)}


def _users(
    county_code: str, departments: dict[str, Department], divisions: dict[str, Division]
) -> list[User]:
    # One hash for all: the demo logins share a password, and hashing ten times
    # would be most of the load time.
    password = make_password(DEMO_PASSWORD)
    users = User.objects.bulk_create(
        User(
            username=username,
            display_name=name,
            role=role,
            password=password,
            is_staff=role == "admin",
            is_superuser=role == "admin",
        )
        for username, name, _label, role, *_ in DEMO_USERS
    )
    dept_links, division_links = [], []
    for user, (*_, dept_codes, division_codes) in zip(users, DEMO_USERS, strict=True):
        for code in dept_codes:
            dept_links.append(User.departments.through(user=user, department=departments[code]))
        for code in division_codes:
            division = divisions[county_code + code[6:]]
            division_links.append(User.divisions.through(user=user, division=division))
    User.departments.through.objects.bulk_create(dept_links)
    User.divisions.through.objects.bulk_create(division_links)
    return users
