"""The demo county as plain data: pure functions, no database.

The same arguments always give equal results: every random choice comes from
a ``random.Random`` seeded from the arguments, never from the global one.
``zhili.demo.load`` writes what these return; the benchmarks call
``bulk_item_documents`` for large catalogues.
"""

from __future__ import annotations

import random
from typing import Any

from zhili.demo import names
from zhili.demo.departments import departments as _departments
from zhili.demo.divisions import county_divisions, service_points
from zhili.demo.items import PLACES, SPECS, THEMES, towns
from zhili.demo.items.kit import Implementer, build
from zhili.demo.themes import BUNDLES
from zhili.demo.themes import THEMES as THEME_ROWS

DEFAULT_SEED = 2026
TOWN_GROUP = 900  # the department group in the basic codes of town-government items

__all__ = [
    "DEFAULT_SEED",
    "bulk_item_documents",
    "bundles",
    "county_divisions",
    "departments",
    "item_documents",
    "items_with_popularity",
    "service_points",
    "themes",
]

Doc = dict[str, Any]


def departments(*, county_code: str = "330599") -> list[dict[str, Any]]:
    """The 58 departments: code, name, short name, credit code, division code, phone, order."""
    return _departments(county_code=county_code)


def themes() -> list[dict[str, Any]]:
    return [
        {"code": code, "name": name, "audience": audience, "order": i}
        for i, (code, name, audience) in enumerate(THEME_ROWS)
    ]


def bundles() -> list[dict[str, Any]]:
    """一件事: code, name, audience, description, popularity, items as (department, item name)."""
    out = []
    for code, name, audience, description, items in BUNDLES:
        out.append(
            {
                "code": code,
                "name": name,
                "audience": audience,
                "description": description,
                "popularity": random.Random(f"bundle:{code}").randint(300, 3000),
                "items": list(items),
            }
        )
    return out


def item_documents(
    departments: list[dict[str, Any]], *, seed: int = DEFAULT_SEED, count: int | None = None
) -> list[Doc]:
    """Every item of the departments, each main item followed by its children.

    ``count`` keeps the first ``count``; a child never comes before its parent,
    so any prefix can be published in order.
    """
    docs = [doc for doc, _ in items_with_popularity(departments, seed=seed)]
    return docs if count is None else docs[:count]


def items_with_popularity(
    departments: list[dict[str, Any]], *, seed: int | str = DEFAULT_SEED
) -> list[tuple[Doc, int]]:
    """Item documents with their popularity (办件热度): a few items are used far more than most."""
    out = []
    for doc, hot in _items(departments, seed):
        rng = random.Random(f"popularity:{seed}:{doc['impl_code']}")
        out.append((doc, int(3 * (2 + hot) ** 1.8 * rng.lognormvariate(0, 0.45))))
    return out


def _items(departments: list[dict[str, Any]], seed: int | str) -> list[tuple[Doc, int]]:
    town_names = dict(names.TOWNS)
    out: list[tuple[Doc, int]] = []
    for d in departments:
        town_no = d["division_code"][6:9]
        if town_no != "000":
            town = Implementer(
                d["code"], d["credit_code"], d["phone"], towns.THEMES, town=town_names[town_no]
            )
            for seq, (spec, streets_too) in enumerate(towns.SPECS, start=1):
                if streets_too or not names.is_subdistrict(town_no):
                    out += build(spec, town, group=TOWN_GROUP, seq=seq, seed=seed)
            continue
        dept = Implementer(
            d["code"], d["credit_code"], d["phone"], THEMES.get(d["code"], []),
            extra_place=PLACES.get(d["code"]),
        )  # fmt: skip
        for seq, spec in enumerate(SPECS.get(d["code"], []), start=1):
            out += build(spec, dept, group=d["order"] + 1, seq=seq, seed=seed)
    return out


def bulk_item_documents(n: int, seed: int) -> list[Doc]:
    """``n`` distinct, valid item documents for benchmarks, none the same as a demo item.

    Variant ``v`` of the county departments' catalogue is built with its own
    seed, named after a town or village (“梅溪镇个体工商户设立登记”) and given
    implementation sequence ``v + 1`` (the demo items have 001), so names and
    codes are unique. Parents come before their children.
    """
    county_departments = [d for d in departments() if d["division_code"].endswith("000000")]
    out: list[Doc] = []
    for v, place in enumerate(_bulk_places(), start=1):
        for doc, _ in _items(county_departments, f"{seed}/{v}"):
            if len(out) == n:
                return out
            suffix = f"{v + 1:03d}"
            doc["name"] = f"{place}{doc['name']}"
            doc["impl_code"] = doc["impl_code"][:-3] + suffix
            if doc["parent_impl_code"]:
                doc["parent_impl_code"] = doc["parent_impl_code"][:-3] + suffix
            out.append(doc)
    if len(out) < n:
        raise ValueError(f"bulk_item_documents can make at most {len(out)} distinct documents")
    return out


def _bulk_places() -> list[str]:
    fixed = [v for vs in names.FIXED_VILLAGES.values() for v in vs]
    places = [t for _, t in names.TOWNS] + fixed + names.VILLAGE_NAMES + names.COMMUNITY_NAMES
    return list(dict.fromkeys(places))[:998]
