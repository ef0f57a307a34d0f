"""Reads from the catalogue for the citizen portal (and anyone else who needs them).

What the portal shows of an item is its published document; everything here
turns that document into what a citizen needs to read: the materials for
their answers, the channels and what they mean, the nearest place to go.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urlencode

from zhili.catalogue import schema
from zhili.catalogue.models import Bundle, BundleItem, ItemVersion, ServiceItem, Theme
from zhili.divisions.codes import LEVEL_TOWN, LEVEL_VILLAGE
from zhili.divisions.models import Department, Division, ServicePoint

SOURCE_ELICENCE = "电子证照库调取"
NECESSITY_DEFERRABLE = "容缺后补"

CHANNEL_MEANINGS = {
    "网上办": "在本网站在线申请、上传材料，进度和结果网上可查",
    "掌上办": "用手机登录政务服务 App 或小程序申请，随时随地办",
    "自助办": "在政务服务中心、便民服务中心或村便民服务站的自助终端上办理",
    "就近办": "到所在村（社区）便民服务站，由村代办员帮您代办，跑也不出村",
    "窗口办": "带齐材料到政务服务中心窗口办理",
}


# ---- the item page ----


@dataclass(frozen=True)
class Option:
    code: str
    label: str


@dataclass(frozen=True)
class Situation:
    code: str
    question: str
    options: list[Option]
    answer: str = ""  # the option code chosen, "" while unanswered


@dataclass(frozen=True)
class MaterialRow:
    """One material to bring, with what the badges need already worked out."""

    code: str
    name: str
    forms: str
    copies: int
    necessity: str
    source: str
    elicence: str
    uploadable: bool
    standard: str
    conditional: bool

    @property
    def from_elicence(self) -> bool:
        """免提交: the department fetches it from the e-licence library itself."""
        return self.source == SOURCE_ELICENCE

    @property
    def deferrable(self) -> bool:
        """容缺后补: the case is accepted without it; hand it in later."""
        return self.necessity == NECESSITY_DEFERRABLE


@dataclass
class ItemPage:
    item: ServiceItem
    version: ItemVersion
    department: Department
    is_current: bool
    situations: list[Situation]
    answers: dict[str, str]
    materials: list[MaterialRow]
    channels: list[tuple[str, str]]
    themes: list[Theme]
    versions: list[ItemVersion] = field(default_factory=list)

    @property
    def doc(self) -> dict[str, Any]:
        return self.version.document

    @property
    def unanswered(self) -> int:
        return sum(1 for s in self.situations if s.code not in self.answers)

    @property
    def elicence_count(self) -> int:
        return sum(1 for m in self.materials if m.from_elicence)

    @property
    def applies_online(self) -> bool:
        return self.doc.get("online_depth") in schema.ONLINE_DEPTHS_APPLY_ONLINE

    @property
    def apply_query(self) -> str:
        """The answers given on this page as the apply form reads them (``S1=A&S2=B``), so
        the application starts from the same situation and the same list of materials."""
        return urlencode(
            [(s.code, self.answers[s.code]) for s in self.situations if s.code in self.answers]
        )

    @property
    def supports_village_point(self) -> bool:
        return schema.SUPPORTS["village_point"] in self.doc.get("supports", [])


def published_version(*, impl_code: str, number: int | None = None) -> ItemVersion | None:
    """The current published version of an item, or its published version ``number``.

    None when the item does not exist, has never been published, or has no
    published version of that number: drafts are never shown to the public.
    """
    item = (
        ServiceItem.objects.select_related("department", "current")
        .filter(impl_code=impl_code, current__isnull=False)
        .first()
    )
    if item is None or item.current is None:
        return None
    version: ItemVersion | None = item.current
    if number is not None and number != item.current.number:
        version = item.versions.filter(number=number, status=ItemVersion.PUBLISHED).first()
    if version is None:
        return None
    version.item = item  # the caller reads item fields; spare the query
    return version


def situations_of(
    document: dict[str, Any], answers: dict[str, str] | None = None
) -> list[Situation]:
    out = []
    for s in document.get("situations", []):
        options = [Option(*schema.parse_option(o)) for o in s.get("options", [])]
        out.append(Situation(s["code"], s["question"], options, (answers or {}).get(s["code"], "")))
    return out


def answers_from(document: dict[str, Any], params: Any) -> dict[str, str]:
    """The situation answers in ``params`` (a QueryDict or dict), valid ones only."""
    answers = {}
    for s in situations_of(document):
        value = params.get(s.code)
        if value and any(o.code == value for o in s.options):
            answers[s.code] = value
    return answers


def material_rows(document: dict[str, Any], answers: dict[str, str]) -> list[MaterialRow]:
    return [_material_row(m) for m in schema.materials_for(document, answers)]


def _material_row(m: dict[str, Any]) -> MaterialRow:
    return MaterialRow(
        code=m.get("code", ""),
        name=m.get("name", ""),
        forms="、".join(m.get("form") or []),
        copies=m.get("copies") or 0,
        necessity=m.get("necessity", ""),
        source=m.get("source", ""),
        elicence=m.get("elicence", ""),
        uploadable=bool(m.get("uploadable")),
        standard=m.get("standard", ""),
        conditional=bool(m.get("when")),
    )


def channels_of(version: ItemVersion) -> list[tuple[str, str]]:
    """(channel, what it means for the citizen), most convenient first."""
    out = []
    for name in version.channels():
        meaning = CHANNEL_MEANINGS[name]
        if name == "网上办" and version.document.get("online_depth") == schema.FULLY_ONLINE:
            meaning += "；全程网办，无需到现场"
        elif name == "网上办":
            meaning += "；网上预审通过后到现场核验"
        out.append((name, meaning))
    return out


def item_page(*, impl_code: str, number: int | None = None, params: Any = None) -> ItemPage | None:
    """Everything the item page shows; None when there is nothing published to show."""
    version = published_version(impl_code=impl_code, number=number)
    if version is None:
        return None
    item = version.item
    doc = version.document
    answers = answers_from(doc, params or {})
    department = (
        item.department
        if item.department.code == doc.get("department")
        else Department.objects.filter(code=doc.get("department")).first() or item.department
    )
    theme_codes = doc.get("themes", [])
    themes = sorted(
        Theme.objects.filter(code__in=theme_codes), key=lambda t: theme_codes.index(t.code)
    )
    versions = list(
        item.versions.filter(status=ItemVersion.PUBLISHED)
        .order_by("-number")
        .only("id", "number", "note", "published_at", "item_id", "status")
    )
    return ItemPage(
        item=item,
        version=version,
        department=department,
        is_current=version.pk == item.current_id,
        situations=situations_of(doc, answers),
        answers=answers,
        materials=material_rows(doc, answers),
        channels=channels_of(version),
        themes=themes,
        versions=versions,
    )


# ---- where to go ----


def villages_by_town() -> list[tuple[Division, list[Division]]]:
    """Every village under its town, for the “where do you live” select."""
    towns: dict[int, tuple[Division, list[Division]]] = {}
    for town in Division.objects.filter(level=LEVEL_TOWN):
        towns[town.pk] = (town, [])
    for village in Division.objects.filter(level=LEVEL_VILLAGE):
        if village.parent_id in towns:
            towns[village.parent_id][1].append(village)
    return [group for group in towns.values() if group[1]]


def village_by_code(code: str) -> Division | None:
    if not code:
        return None
    return Division.objects.select_related("parent").filter(code=code, level=LEVEL_VILLAGE).first()


def haversine_km(lon1: float, lat1: float, lon2: float, lat2: float) -> float:
    """Great-circle distance on a sphere of the Earth's mean radius (6371.0088 km)."""
    phi1, phi2 = math.radians(lat1), math.radians(lat2)
    dphi = phi2 - phi1
    dlmb = math.radians(lon2 - lon1)
    a = math.sin(dphi / 2) ** 2 + math.cos(phi1) * math.cos(phi2) * math.sin(dlmb / 2) ** 2
    return 2 * 6371.0088 * math.asin(math.sqrt(a))


def _centroid(division: Division) -> tuple[float, float] | None:
    node: Division | None = division
    while node is not None:
        if node.centroid_lon is not None and node.centroid_lat is not None:
            return node.centroid_lon, node.centroid_lat
        node = node.parent
    return None


def service_points_for(
    *, version: ItemVersion, village: Division
) -> list[tuple[ServicePoint, float | None]]:
    """Where someone of ``village`` can handle the item, in the order to try them.

    Village service points first when the item supports 村级代办 (跑也不出村),
    then the town's centre, then the county hall: each with its distance in km
    from the village's centroid (the nearest division up the tree that has
    one; None when none has).
    """
    tiers: list[list[ServicePoint]] = []
    if schema.SUPPORTS["village_point"] in version.document.get("supports", []):
        tiers.append(
            list(ServicePoint.objects.filter(kind=ServicePoint.VILLAGE_POINT, division=village))
        )
    if village.parent_id is not None:
        tiers.append(
            list(
                ServicePoint.objects.filter(
                    kind=ServicePoint.TOWN_CENTRE, division_id=village.parent_id
                )
            )
        )
    tiers.append(list(ServicePoint.objects.filter(kind=ServicePoint.HALL)))
    origin = _centroid(village)
    out: list[tuple[ServicePoint, float | None]] = []
    for tier in tiers:
        if origin is None:
            out.extend((p, None) for p in tier)
            continue
        ranked = [(p, haversine_km(origin[0], origin[1], p.lon, p.lat)) for p in tier]
        ranked.sort(key=lambda pd: (pd[1], pd[0].code))
        out.extend(ranked)
    return out


# ---- bundles and themes ----


@dataclass
class BundleMaterial:
    """A material of a bundle, listed once for all the items that need it."""

    name: str
    row: MaterialRow
    items: list[ServiceItem]
    conditional: bool  # needed only in some situations of every item that lists it


def bundle_items(bundle: Bundle) -> list[ServiceItem]:
    """The published items of a bundle, in the bundle's order."""
    links = (
        BundleItem.objects.filter(bundle=bundle, item__current__isnull=False)
        .select_related("item__current", "item__department")
        .order_by("order", "pk")
    )
    return [link.item for link in links]


def bundle_materials(
    bundle: Bundle, items: list[ServiceItem] | None = None
) -> list[BundleMaterial]:
    """The bundle's materials, the same material name across items merged into one entry.

    One application, one set of papers (一件事一次办): a 身份证 that three items
    ask for is brought once. A material is conditional only when every item
    that lists it asks for it in some situations only.
    """
    merged: dict[str, BundleMaterial] = {}
    for item in items if items is not None else bundle_items(bundle):
        assert item.current is not None
        for m in item.current.document.get("materials", []):
            key = _material_key(m.get("name", ""))
            if not key:
                continue
            row = _material_row(m)
            entry = merged.get(key)
            if entry is None:
                merged[key] = BundleMaterial(row.name, row, [item], row.conditional)
                continue
            if item not in entry.items:
                entry.items.append(item)
            entry.conditional = entry.conditional and row.conditional
    return list(merged.values())


def _material_key(name: str) -> str:
    # “居民身份证” and “居民 身份证 ” are one material to the citizen.
    return "".join(name.split())


def bundles_for_home(*, limit: int = 8) -> list[Bundle]:
    return list(Bundle.objects.order_by("-popularity", "code")[:limit])


def themes_by_audience() -> dict[str, list[Theme]]:
    """{'自然人': [...], '法人': [...]} in the themes' own order."""
    out: dict[str, list[Theme]] = {o: [] for o in schema.SERVICE_OBJECTS}
    for theme in Theme.objects.all():
        out.setdefault(theme.audience, []).append(theme)
    return out


def departments_with_items() -> list[Department]:
    """Departments that have at least one published item: the search filter's choices."""
    return list(
        Department.objects.filter(items__current__isnull=False).distinct().order_by("order", "code")
    )
