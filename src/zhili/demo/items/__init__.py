"""Item templates of the demo county, one module per group of departments.

Each module holds ``SPECS`` (department code → its templates, in catalogue
order), ``THEMES`` (department code → the themes its items default to) and
may hold ``PLACES`` (department code → a place besides the county hall where
its items are handled). ``towns`` holds what every town government implements.
"""

from __future__ import annotations

from types import ModuleType

from zhili.demo.items import (
    city,
    civil,
    culture,
    economy,
    health,
    insurance,
    labour,
    land,
    market,
    police,
    rural,
    utilities,
)
from zhili.demo.items.kit import Spec

MODULES: list[ModuleType] = [
    market, economy, police, civil, labour, insurance, land, rural, city, health, culture,
    utilities,
]  # fmt: skip

SPECS: dict[str, list[Spec]] = {code: specs for m in MODULES for code, specs in m.SPECS.items()}
THEMES: dict[str, list[str]] = {code: t for m in MODULES for code, t in m.THEMES.items()}
PLACES: dict[str, tuple[str, str, str]] = {
    code: p for m in MODULES for code, p in getattr(m, "PLACES", {}).items()
}
