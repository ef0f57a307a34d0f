"""The service-item document, declared once as data.

An item version is stored as one JSON document whose shape is declared here.
Forms, the Excel template, the JSON import, the version diff and the docs all
read these declarations, so a new element is added in one place.

Enumerated values are the Chinese terms of the national implementation list
(国家政务服务事项实施清单), stored as they are written on the forms.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

ITEM_TYPES = [
    "行政许可", "行政处罚", "行政强制", "行政征收", "行政给付", "行政检查",
    "行政确认", "行政奖励", "行政裁决", "其他行政权力", "公共服务",
]  # fmt: skip
EXERCISE_LEVELS = ["国家级", "省级", "市级", "县级", "乡级", "村级"]
NODE_KINDS = ["主项", "子项", "业务办理项"]
BUSINESS_KINDS = ["设立", "变更", "延续", "注销", "其他"]
SERVICE_OBJECTS = ["自然人", "法人"]
PROCESSING_KINDS = ["即办件", "承诺件"]
ONLINE_DEPTHS = ["一级（信息公开）", "二级（表格下载）", "三级（网上预审）", "四级（全程网办）"]
RESULT_TYPES = ["证照", "批文", "证明", "其他"]
MATERIAL_FORMS = ["原件", "复印件", "电子件"]
NECESSITIES = ["必要", "非必要", "容缺后补"]
SOURCES = ["申请人自备", "政府部门核发", "电子证照库调取", "在线填报"]
SUPPORTS = {
    "booking": "网上预约",
    "online_payment": "网上支付",
    "courier": "物流快递",
    "kiosk": "自助终端",
    "village_point": "村级代办",
    "mobile": "掌上办",
}
# 网办深度 四级 is 全程网办: no visit in person is needed.
FULLY_ONLINE = ONLINE_DEPTHS[3]
ONLINE_DEPTHS_APPLY_ONLINE = ONLINE_DEPTHS[2:]


@dataclass(frozen=True)
class Field:
    key: str
    label: str
    kind: str = "str"  # str | text | int | bool | choice | choices | list
    required: bool = False
    choices: list[str] = field(default_factory=list)
    help: str = ""


@dataclass(frozen=True)
class Part:
    """A repeated part of the item (materials, situations …): one Excel sheet each."""

    key: str
    label: str
    sheet: str
    fields: list[Field]
    identity: str  # the field that names a row within its item, for diffs and errors


ITEM_FIELDS: list[Field] = [
    Field("impl_code", "实施编码", required=True),
    Field("basic_code", "基本编码", required=True),
    Field("name", "事项名称", required=True),
    Field("node_kind", "事项层级", "choice", True, NODE_KINDS),
    Field("parent_impl_code", "上级事项实施编码", help="子项、业务办理项所属的主项或子项"),
    Field("business_kind", "业务办理项类型", "choice", False, BUSINESS_KINDS),
    Field("item_type", "事项类型", "choice", True, ITEM_TYPES),
    Field("exercise_level", "行使层级", "choice", True, EXERCISE_LEVELS),
    Field("department", "实施主体编码", required=True, help="部门编码"),
    Field("entrusted_department", "受委托部门编码"),
    Field("service_objects", "服务对象", "choices", True, SERVICE_OBJECTS),
    Field("conditions", "受理条件", "text"),
    Field("processing_kind", "办件类型", "choice", True, PROCESSING_KINDS),
    Field("statutory_days", "法定办结时限（工作日）", "int", True),
    Field("promised_days", "承诺办结时限（工作日）", "int", True),
    Field("is_free", "是否免费", "bool", True),
    Field("result_type", "审批结果类型", "choice", False, RESULT_TYPES),
    Field("result_name", "审批结果名称"),
    Field("result_sample", "审批结果样本"),
    Field("visits", "到办事现场次数", "int", True),
    Field("visits_reason", "必须现场办理原因说明", "text"),
    Field("online_depth", "网办深度", "choice", True, ONLINE_DEPTHS),
    Field("supports", "支持的办理方式", "choices", False, list(SUPPORTS.values())),
    Field("themes", "主题分类", "list"),
    Field("keywords", "俗称与关键词", "list"),
    Field("consult_phone", "咨询电话"),
    Field("complaint_phone", "监督投诉电话"),
]

PARTS: list[Part] = [
    Part(
        "situations",
        "情形",
        "情形",
        [
            Field("code", "情形编号", required=True),
            Field("question", "情形问题", required=True),
            Field("options", "选项", "list", True, help="每项写作“编号:文字”，如 A:本人办理"),
        ],
        "code",
    ),
    Part(
        "materials",
        "申请材料",
        "材料",
        [
            Field("code", "材料编号", required=True),
            Field("name", "材料名称", required=True),
            Field("form", "材料形式", "choices", True, MATERIAL_FORMS),
            Field("copies", "纸质份数", "int"),
            Field("necessity", "必要性", "choice", True, NECESSITIES),
            Field("source", "来源渠道", "choice", False, SOURCES),
            Field("elicence", "可替代的电子证照"),
            Field("uploadable", "可网上提交", "bool"),
            Field("blank_form", "空白表格"),
            Field("sample", "示例样表"),
            Field("standard", "受理标准", "text"),
            Field(
                "when", "适用情形", "list", help="如 S1=B，多个条件同时满足时适用；留空表示都需要"
            ),
        ],
        "code",
    ),
    Part(
        "legal_basis",
        "设定依据",
        "依据",
        [
            Field("law", "法律法规名称", required=True),
            Field("article", "条款号"),
            Field("text", "条款内容", "text"),
        ],
        "law",
    ),
    Part(
        "steps",
        "办理流程",
        "环节",
        [
            Field("name", "环节名称", required=True),
            Field("description", "办理要求", "text"),
            Field("days", "时限（工作日）", "int"),
        ],
        "name",
    ),
    Part(
        "fees",
        "收费项目",
        "收费",
        [
            Field("name", "收费项目名称", required=True),
            Field("standard", "收费标准", required=True),
            Field("basis", "收费依据"),
            Field("waiver", "减免政策"),
        ],
        "name",
    ),
    Part(
        "places",
        "办理地点",
        "地点",
        [
            Field("name", "地点名称", required=True),
            Field("address", "地址", required=True),
            Field("hours", "办理时间", required=True),
        ],
        "name",
    ),
]

PART_BY_KEY = {p.key: p for p in PARTS}
FIELD_BY_KEY = {f.key: f for f in ITEM_FIELDS}


def empty_document() -> dict[str, Any]:
    doc: dict[str, Any] = {}
    for f in ITEM_FIELDS:
        doc[f.key] = _empty(f)
    for p in PARTS:
        doc[p.key] = []
    return doc


def _empty(f: Field) -> Any:
    if f.kind in {"choices", "list"}:
        return []
    if f.kind == "int":
        return 0
    if f.kind == "bool":
        return False
    return ""


def normalize(doc: dict[str, Any]) -> dict[str, Any]:
    """A document with every declared key, in declared order, and nothing else."""
    out: dict[str, Any] = {}
    for f in ITEM_FIELDS:
        out[f.key] = doc.get(f.key, _empty(f))
    for p in PARTS:
        rows = doc.get(p.key) or []
        out[p.key] = [{f.key: row.get(f.key, _empty(f)) for f in p.fields} for row in rows]
    return out


@dataclass(frozen=True)
class Problem:
    """What is wrong, and where: ``part`` is '' for item fields, else a Part key."""

    field: str
    message: str
    part: str = ""
    index: int = -1  # row index within the part

    def where(self) -> str:
        if self.part:
            p = PART_BY_KEY[self.part]
            label = next((f.label for f in p.fields if f.key == self.field), self.field)
            return f"{p.label}第{self.index + 1}条“{label}”"
        return f"“{FIELD_BY_KEY[self.field].label if self.field in FIELD_BY_KEY else self.field}”"


def _check_value(f: Field, value: Any) -> str | None:
    """None when the value fits the field, else the Chinese message."""
    if f.kind in {"str", "text"}:
        if not isinstance(value, str):
            return "应为文字"
        if f.required and not value.strip():
            return "必填"
    elif f.kind == "int":
        if isinstance(value, bool) or not isinstance(value, int):
            return "应为整数"
        if value < 0:
            return "不能为负数"
    elif f.kind == "bool":
        if not isinstance(value, bool):
            return "应为“是”或“否”"
    elif f.kind == "choice":
        if value in ("", None):
            return "必填" if f.required else None
        if value not in f.choices:
            return f"“{value}”不是可选值（可选：{'、'.join(f.choices)}）"
    elif f.kind in {"choices", "list"}:
        if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
            return "应为文字列表"
        if f.required and not value:
            return "必填"
        if f.kind == "choices":
            bad = [v for v in value if v not in f.choices]
            if bad:
                return f"“{'、'.join(bad)}”不是可选值（可选：{'、'.join(f.choices)}）"
    return None


def validate_document(doc: dict[str, Any]) -> list[Problem]:
    """Structural validation: types, required fields, allowed values, references."""
    problems: list[Problem] = []
    for f in ITEM_FIELDS:
        msg = _check_value(f, doc.get(f.key, _empty(f)))
        if msg:
            problems.append(Problem(f.key, msg))
    for p in PARTS:
        rows = doc.get(p.key, [])
        if not isinstance(rows, list):
            problems.append(Problem(p.key, "应为列表"))
            continue
        seen: set[str] = set()
        for i, row in enumerate(rows):
            if not isinstance(row, dict):
                problems.append(Problem(p.identity, "应为一条记录", p.key, i))
                continue
            for f in p.fields:
                msg = _check_value(f, row.get(f.key, _empty(f)))
                if msg:
                    problems.append(Problem(f.key, msg, p.key, i))
            ident = row.get(p.identity)
            if p.key in {"materials", "situations"} and isinstance(ident, str) and ident:
                if ident in seen:
                    problems.append(Problem(p.identity, f"编号“{ident}”重复", p.key, i))
                seen.add(ident)
    if not problems:
        problems += _validate_situations(doc)
    return problems


def parse_option(text: str) -> tuple[str, str]:
    code, _, label = text.replace("：", ":").partition(":")
    return code.strip(), label.strip()


def _validate_situations(doc: dict[str, Any]) -> list[Problem]:
    problems = []
    options: dict[str, set[str]] = {}
    for i, s in enumerate(doc.get("situations", [])):
        codes = set()
        for opt in s.get("options", []):
            code, label = parse_option(opt)
            if not code or not label:
                problems.append(
                    Problem("options", f"选项“{opt}”应写作“编号:文字”", "situations", i)
                )
            codes.add(code)
        options[s.get("code", "")] = codes
    for i, m in enumerate(doc.get("materials", [])):
        for cond in m.get("when", []):
            sit, _, opt = cond.partition("=")
            if sit not in options:
                problems.append(
                    Problem("when", f"适用情形“{cond}”引用了不存在的情形", "materials", i)
                )
            elif opt not in options[sit]:
                problems.append(
                    Problem("when", f"适用情形“{cond}”引用了不存在的选项", "materials", i)
                )
    return problems


def materials_for(doc: dict[str, Any], answers: dict[str, str]) -> list[dict[str, Any]]:
    """The materials to bring for the situation answers given.

    A material applies when every condition of its ``when`` list holds; an
    unanswered question keeps every material that depends on it out, so the
    list only grows as the applicant answers.
    """
    out = []
    for m in doc.get("materials", []):
        ok = True
        for cond in m.get("when", []):
            sit, _, opt = cond.partition("=")
            if answers.get(sit) != opt:
                ok = False
                break
        if ok:
            out.append(m)
    return out
