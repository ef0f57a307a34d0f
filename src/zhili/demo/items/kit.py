"""Item templates, and the builder that turns a template into complete item documents.

A template (``Spec``) says what is particular to an item: its name, type,
days, laws, materials, situations. The builder fills in the rest the way a
county's catalogue officers would — the application form, the situation
"who applies" with the power of attorney it brings, steps that add up to the
promised days, the channels, places and phones — with seeded variation, so
the same seed always gives the same documents.
"""

from __future__ import annotations

import random
from dataclasses import dataclass, field, fields, replace
from typing import Any

from zhili.catalogue import schema
from zhili.demo import names
from zhili.demo.divisions import HALL_ADDRESS, HALL_HOURS, TOWN_HOURS
from zhili.demo.items.laws import FEE_BASES, LAWS
from zhili.demo.items.materials import material

PERSON = ["自然人"]
LEGAL = ["法人"]
BOTH = ["自然人", "法人"]

# Powers a department exercises on its own initiative: nobody applies for them.
ENFORCEMENT = {"行政处罚", "行政检查", "行政强制"}

DEFAULT_DAYS = {
    "行政许可": 20, "行政确认": 20, "行政给付": 20, "行政裁决": 60, "行政奖励": 30,
    "其他行政权力": 20, "公共服务": 0, "行政处罚": 90, "行政检查": 30, "行政强制": 30,
    "行政征收": 0,
}  # fmt: skip

DEFAULT_RESULTS = {
    "行政许可": ("批文", "准予行政许可决定书"),
    "行政确认": ("证明", "确认结果通知书"),
    "行政给付": ("其他", "待遇核定结果通知"),
    "行政裁决": ("批文", "行政裁决书"),
    "行政奖励": ("其他", "奖励决定"),
    "其他行政权力": ("批文", "审批决定书"),
    "公共服务": ("其他", "办理结果告知"),
    "行政处罚": ("批文", "行政处罚决定书"),
    "行政检查": ("其他", "检查结果告知书"),
    "行政强制": ("批文", "行政强制措施决定书"),
    "行政征收": ("其他", "缴款通知书"),
}

DEFAULT_CONDITIONS = {
    "行政许可": "申请人具备法定条件，申请材料齐全、符合法定形式",
    "行政确认": "申请人符合法定条件，提交的材料真实、齐全",
    "行政给付": "符合给付条件的对象，按规定提出申请",
    "行政裁决": "当事人之间发生与行政管理活动密切相关的民事纠纷，依法申请裁决",
    "行政奖励": "符合奖励条件的单位或个人",
    "其他行政权力": "申请人符合规定条件，申请材料齐全、符合法定形式",
    "公共服务": "申请人身份真实有效，材料齐全即可办理",
    "行政处罚": "当事人有违反行政管理秩序的行为，依法应当给予行政处罚",
    "行政检查": "依法对管理相对人履行法定义务的情况进行检查",
    "行政强制": "为制止违法行为、防止证据损毁、避免危害发生或控制危险扩大，依法实施",
    "行政征收": "依法负有缴纳义务的单位和个人",
}

ENFORCEMENT_VISIT = "依职权实施，当事人须到场接受调查询问并陈述申辩"

BUSINESS_WORDS = [
    ("注销", "注销"), ("变更", "变更"), ("延续", "延续"), ("换发", "延续"), ("换证", "延续"),
    ("换领", "延续"), ("设立", "设立"), ("新办", "设立"), ("首次", "设立"), ("新装", "设立"),
]  # fmt: skip


@dataclass(frozen=True)
class Sit:
    """A situation question; options are labels, coded A, B, C … in order."""

    code: str
    question: str
    options: list[str]


@dataclass
class Spec:
    """An item template. ``None`` means: a child takes its parent's, a main item the default."""

    name: str
    type: str | None = None
    days: int | tuple[int, int] | None = None  # statutory (promised derived) or both
    who: list[str] | None = None
    laws: list[str] | None = None  # "食品安全法:第三十五条" or a key of LAWS
    mats: list[str] | None = None  # see materials.material()
    sits: list[Sit] | None = None
    result: str | None = None  # "证照:食品经营许可证"
    themes: list[str] | None = None
    kw: list[str] = field(default_factory=list)
    fees: list[tuple[str, str, str]] | None = None  # (name, standard, key of FEE_BASES)
    visit: str | None = None  # why one visit in person is needed
    depth: int | None = None  # 1-4, 网办深度
    agent: bool | None = None  # add "由谁办理？" with the power of attorney
    village: bool | None = None  # 村级代办
    kiosk: bool | None = None  # self-service terminal
    cond: str | None = None
    kind: str | None = None  # business kind
    node: str | None = None
    form: bool | str | None = None  # the application form: True → "<name>申请表"
    place: tuple[str, str, str] | None = None
    level: str | None = None
    hot: int = 0  # how much people use it: drives popularity
    kids: list[Spec] = field(default_factory=list)


S = Spec
_INHERITED = [
    f.name for f in fields(Spec) if f.name not in {"name", "kw", "kind", "node", "hot", "kids"}
]


def inherit(child: Spec, parent: Spec) -> Spec:
    """The child with what it leaves open taken from its parent (templates stay untouched)."""
    given = {k: getattr(parent, k) for k in _INHERITED if getattr(child, k) is None}
    return replace(child, **given)


@dataclass(frozen=True)
class Implementer:
    """What the builder needs of the implementing department."""

    code: str
    credit_code: str
    phone: str
    themes: list[str]
    town: str = ""  # the town, for a town government
    extra_place: tuple[str, str, str] | None = None


def build(
    spec: Spec, dept: Implementer, *, group: int, seq: int, seed: int | str
) -> list[tuple[dict[str, Any], int]]:
    """The documents of a main item and its children, parents first, with each one's hotness.

    The basic code is type (2) + department group (3) + template number (4) +
    child number (3): 000 for the main item, 100, 200 … for its children and
    101, 102 … for the children of a 子项.
    """
    out: list[tuple[dict[str, Any], int]] = []

    def walk(s: Spec, node: str, sub: int, parent_code: str, hot: int) -> None:
        type_ = s.type or "公共服务"
        basic = f"{schema.ITEM_TYPES.index(type_) + 1:02d}{group:03d}{seq:04d}{sub:03d}"
        rng = random.Random(f"{seed}:{dept.code}:{basic}")
        doc = _document(s, dept, rng, basic=basic, node=node, parent=parent_code)
        out.append((doc, hot))
        for i, kid in enumerate(s.kids, start=1):
            kid_node = (
                "业务办理项"
                if node == "子项"
                else kid.node or ("子项" if kid.kids else "业务办理项")
            )
            step = 1 if node == "子项" else 100
            walk(inherit(kid, s), kid_node, sub + i * step, doc["impl_code"], kid.hot or hot // 2)

    walk(spec, "主项", 0, "", spec.hot)
    return out


def _document(
    s: Spec, dept: Implementer, rng: random.Random, *, basic: str, node: str, parent: str
) -> dict[str, Any]:
    type_ = s.type or "公共服务"
    who = s.who or PERSON
    statutory, promised = _days(s.days, type_, rng)
    enforcement = type_ in ENFORCEMENT
    if enforcement and s.visit == "":  # e.g. a traffic fine settled on the phone
        visits, reason, depth = 0, "", s.depth or 1
    elif enforcement:
        visits, reason, depth = 1, s.visit or ENFORCEMENT_VISIT, s.depth or 1
    elif s.visit:
        visits, reason, depth = 1, s.visit, s.depth or 3
    else:
        visits, reason, depth = 0, "", s.depth or 4
    if depth == 4 and visits:
        raise ValueError(f"{s.name}: 全程网办 cannot need a visit")
    online = depth >= 3
    result_type, result_name = s.result.split(":", 1) if s.result else DEFAULT_RESULTS[type_]
    fees = [
        {"name": n, "standard": std, "basis": FEE_BASES.get(basis, basis), "waiver": ""}
        for n, std, basis in s.fees or []
    ]
    supports = _supports(
        s,
        rng,
        who=who,
        visits=visits,
        online=online,
        result_type=result_type,
        paid=bool(fees),
        enforcement=enforcement,
    )
    situations, mats = _situations_and_materials(s, who, enforcement, uploadable=online)
    doc = {
        "impl_code": f"{dept.credit_code}{basic}001",
        "basic_code": basic,
        "name": s.name,
        "node_kind": node,
        "parent_impl_code": parent,
        "business_kind": _business_kind(s, node),
        "item_type": type_,
        "exercise_level": s.level or ("乡级" if dept.town else "县级"),
        "department": dept.code,
        "entrusted_department": "",
        "service_objects": list(who),
        "conditions": s.cond or DEFAULT_CONDITIONS[type_],
        "processing_kind": "即办件" if promised == 0 else "承诺件",
        "statutory_days": statutory,
        "promised_days": promised,
        "is_free": not fees,
        "result_type": result_type,
        "result_name": result_name,
        "result_sample": "",
        "visits": visits,
        "visits_reason": reason,
        "online_depth": schema.ONLINE_DEPTHS[depth - 1],
        "supports": supports,
        "themes": _themes(s, dept, who),
        "keywords": list(s.kw),
        "consult_phone": dept.phone,
        "complaint_phone": "12345",
        "situations": situations,
        "materials": mats,
        "legal_basis": _legal_basis(s.laws or []),
        "steps": _steps(type_, promised, result_type, result_name, enforcement),
        "fees": fees,
        "places": _places(s, dept, supports),
    }
    return doc


def _days(days: int | tuple[int, int] | None, type_: str, rng: random.Random) -> tuple[int, int]:
    if isinstance(days, tuple):
        return days
    statutory = DEFAULT_DAYS[type_] if days is None else days
    if statutory == 0:
        return 0, 0
    if type_ in ENFORCEMENT:
        factor = rng.choice([0.5, 0.6, 0.7])
    else:  # counties promise far less than the law allows (承诺时限压缩)
        factor = rng.choice([0.1, 0.15, 0.2, 0.25, 0.3, 0.5])
    return statutory, min(statutory, max(1, round(statutory * factor)))


def _supports(
    s: Spec,
    rng: random.Random,
    *,
    who: list[str],
    visits: int,
    online: bool,
    result_type: str,
    paid: bool,
    enforcement: bool,
) -> list[str]:
    if enforcement:  # served by post when nobody comes in
        return [schema.SUPPORTS["courier"]] if not visits and not online else []
    chosen = set()
    if visits or rng.random() < 0.35:
        chosen.add("booking")
    if paid and online:
        chosen.add("online_payment")
    if (result_type in ("证照", "证明") and rng.random() < 0.6) or (not visits and not online):
        chosen.add("courier")
    if s.kiosk or (s.kiosk is None and online and rng.random() < 0.2):
        chosen.add("kiosk")
    village = s.village
    if village is None:
        village = "自然人" in who and rng.random() < 0.35
    if village and visits <= 1:
        chosen.add("village_point")
    if online and (s.kiosk or rng.random() < 0.8):
        chosen.add("mobile")
    return [label for key, label in schema.SUPPORTS.items() if key in chosen]


def _situations_and_materials(
    s: Spec, who: list[str], enforcement: bool, *, uploadable: bool
) -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
    texts: list[str] = []
    if s.form is not False and not enforcement:
        texts.append(s.form if isinstance(s.form, str) else f"{s.name}申请表")
    texts += s.mats or []
    situations = []
    agent = s.agent if s.agent is not None else not enforcement
    if agent:
        if who == LEGAL:
            options = ["A:法定代表人（负责人）办理", "B:委托经办人办理"]
            texts += ["单位委托书@S1=B", "经办人身份证@S1=B"]
        else:
            options = ["A:本人办理", "B:委托他人代办"]
            texts += ["委托书@S1=B", "受托人身份证@S1=B"]
        situations.append({"code": "S1", "question": "由谁办理？", "options": options})
    for sit in s.sits or []:
        situations.append(
            {
                "code": sit.code,
                "question": sit.question,
                "options": [f"{chr(65 + i)}:{label}" for i, label in enumerate(sit.options)],
            }
        )
    mats = [material(t, f"M{i}", uploadable=uploadable) for i, t in enumerate(texts, start=1)]
    return situations, mats


def _business_kind(s: Spec, node: str) -> str:
    if s.kind:
        return s.kind
    for word, kind in BUSINESS_WORDS:
        if word in s.name:
            return kind
    return "其他" if node == "业务办理项" else ""


def _themes(s: Spec, dept: Implementer, who: list[str]) -> list[str]:
    if s.themes is not None:
        return list(s.themes)
    prefixes = tuple({"自然人": "P_", "法人": "E_"}[w] for w in who)
    chosen = [t for t in dept.themes if t.startswith(prefixes)]
    return chosen or list(dept.themes)


def _legal_basis(texts: list[str]) -> list[dict[str, str]]:
    """One row per law (the row's identity), its articles joined: 第三条、第十四条."""
    articles: dict[str, list[str]] = {}
    for text in texts:
        key, _, article = text.partition(":")
        found = articles.setdefault(LAWS.get(key, key), [])
        if article:
            found.append(article)
    return [{"law": law, "article": "、".join(arts), "text": ""} for law, arts in articles.items()]


def _steps(
    type_: str, promised: int, result_type: str, result_name: str, enforcement: bool
) -> list[dict[str, Any]]:
    if enforcement:
        return [
            {"name": "立案", "description": "发现违法线索，经审查符合立案条件的予以立案", "days": 0},
            {"name": "调查取证", "description": "两名以上执法人员调查取证，制作笔录", "days": max(0, promised - 15)},
            {"name": "告知", "description": "告知拟作出的决定及事实、理由、依据和陈述申辩、听证权利", "days": 10},
            {"name": "决定", "description": "经负责人审查或集体讨论后作出决定", "days": 5},
            {"name": "送达", "description": "依法送达决定书", "days": 0},
        ]  # fmt: skip
    if promised == 0:
        return [
            {"name": "受理", "description": "窗口或网上受理，材料齐全、符合法定形式的当场受理", "days": 0},
            {"name": "办结", "description": f"当场办结，出具{result_name}", "days": 0},
        ]  # fmt: skip
    accept = 1 if promised >= 3 else 0
    decide = 1 if promised >= 2 else 0
    steps = [
        {"name": "受理", "description": "材料齐全、符合法定形式的予以受理；不齐全的一次性告知需要补正的全部内容", "days": accept},
        {"name": "审查", "description": "对申请材料进行审查，需要现场核查的组织核查", "days": promised - accept - decide},
        {"name": "决定", "description": f"作出准予或不予{type_ if type_ != '公共服务' else '办理'}的决定", "days": decide},
    ]  # fmt: skip
    if result_type in ("证照", "证明", "批文"):
        steps.append({"name": "送达", "description": f"窗口领取或邮寄送达{result_name}", "days": 0})
    return steps


def _places(s: Spec, dept: Implementer, supports: list[str]) -> list[dict[str, str]]:
    if dept.town:
        first = {
            "name": names.town_centre_name(dept.town),
            "address": names.town_centre_address(dept.town),
            "hours": TOWN_HOURS,
        }
    else:
        first = {
            "name": f"{names.COUNTY_NAME}政务服务中心",
            "address": HALL_ADDRESS,
            "hours": HALL_HOURS,
        }
    out = [first]
    extra = s.place or dept.extra_place
    if extra:
        out.append({"name": extra[0], "address": extra[1], "hours": extra[2]})
    if schema.SUPPORTS["village_point"] in supports:
        out.append(
            {
                "name": "所在村（社区）便民服务站",
                "address": "申请人所在村（社区）村（居）民委员会",
                "hours": "工作日 8:30-11:30，13:30-17:00",
            }
        )
    return out
