"""规范化检查: standardisation rules with stable codes and Chinese messages.

Each rule takes an item document and yields findings. Rule codes never
change meaning once released; retire a code rather than reuse it. An
``error`` blocks publishing; a ``warning`` is reported and allowed.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Any

from django.conf import settings

from zhili.catalogue import schema

ERROR = "error"
WARNING = "warning"

Doc = dict[str, Any]


@dataclass(frozen=True)
class Finding:
    code: str
    severity: str
    message: str
    field: str = ""

    @property
    def is_error(self) -> bool:
        return self.severity == ERROR


@dataclass(frozen=True)
class Rule:
    code: str
    severity: str
    title: str
    func: Callable[[Doc], Iterator[str]]


RULES: list[Rule] = []


def rule(code: str, severity: str, title: str) -> Callable[[Callable[[Doc], Iterator[str]]], Any]:
    def register(func: Callable[[Doc], Iterator[str]]) -> Callable[[Doc], Iterator[str]]:
        RULES.append(Rule(code, severity, title, func))
        return func

    return register


@rule("GF001", ERROR, "承诺时限超过法定时限")
def _promised_above_statutory(d: Doc) -> Iterator[str]:
    if d["statutory_days"] and d["promised_days"] > d["statutory_days"]:
        yield f"承诺办结时限{d['promised_days']}个工作日超过法定时限{d['statutory_days']}个工作日"


@rule("GF002", ERROR, "即办件承诺时限不为即时")
def _immediate_not_immediate(d: Doc) -> Iterator[str]:
    if d["processing_kind"] == "即办件" and d["promised_days"] != 0:
        yield f"即办件的承诺时限应为0（即时办结），现为{d['promised_days']}个工作日"


@rule("GF003", ERROR, "到现场次数大于0但未说明原因")
def _visits_without_reason(d: Doc) -> Iterator[str]:
    if d["visits"] > 0 and not d["visits_reason"].strip():
        yield f"到办事现场{d['visits']}次，须说明必须现场办理的原因"


@rule("GF004", ERROR, "全程网办但仍需到现场")
def _fully_online_with_visits(d: Doc) -> Iterator[str]:
    if d["online_depth"] == schema.FULLY_ONLINE and d["visits"] > 0:
        yield f"网办深度为全程网办，到办事现场次数应为0，现为{d['visits']}"


@rule("GF005", ERROR, "零跑动但既不能网办也不能邮寄")
def _zero_visits_no_channel(d: Doc) -> Iterator[str]:
    online = d["online_depth"] in schema.ONLINE_DEPTHS_APPLY_ONLINE
    if d["visits"] == 0 and not online and "物流快递" not in d["supports"]:
        yield "到办事现场0次，但既不支持网上申请也不支持物流快递，申请人无法不跑腿办成"


@rule("GF006", ERROR, "收费项目缺少收费依据")
def _fee_without_basis(d: Doc) -> Iterator[str]:
    for fee in d["fees"]:
        if not fee["basis"].strip():
            yield f"收费项目“{fee['name']}”缺少收费依据"
    if not d["is_free"] and not d["fees"]:
        yield "事项标为收费，但未列出收费项目"


@rule("GF007", WARNING, "咨询电话与投诉电话相同")
def _same_phones(d: Doc) -> Iterator[str]:
    if d["consult_phone"] and d["consult_phone"] == d["complaint_phone"]:
        yield f"咨询电话与监督投诉电话均为{d['consult_phone']}，投诉应有独立渠道"


@rule("GF008", ERROR, "申请材料未写来源渠道")
def _material_without_source(d: Doc) -> Iterator[str]:
    for m in d["materials"]:
        if not m["source"]:
            yield f"材料“{m['name']}”未写来源渠道"


@rule("GF009", ERROR, "可网上申请但材料不能网上提交")
def _online_but_not_uploadable(d: Doc) -> Iterator[str]:
    if d["online_depth"] not in schema.ONLINE_DEPTHS_APPLY_ONLINE:
        return
    for m in d["materials"]:
        if m["necessity"] == "必要" and not m["uploadable"] and "原件" in m["form"]:
            if m["source"] in {"电子证照库调取", "在线填报"}:
                continue
            yield f"事项可网上申请，但必要材料“{m['name']}”不能网上提交"


@rule("GF010", ERROR, "编码不符合本省格式")
def _code_format(d: Doc) -> Iterator[str]:
    basic = settings.ZHILI_BASIC_CODE_PATTERN
    impl = settings.ZHILI_IMPL_CODE_PATTERN
    if not basic or not impl:
        yield "未配置本省事项编码格式（ZHILI_BASIC_CODE_PATTERN、ZHILI_IMPL_CODE_PATTERN），无法核验编码"
        return
    if not re.fullmatch(basic, d["basic_code"]):
        yield f"基本编码“{d['basic_code']}”不符合本省格式"
    impl_re = impl.replace("<basic>", re.escape(d["basic_code"]))
    if not re.fullmatch(impl_re, d["impl_code"]):
        yield f"实施编码“{d['impl_code']}”不符合本省格式"


@rule("GF011", ERROR, "缺少设定依据")
def _missing_legal_basis(d: Doc) -> Iterator[str]:
    if not d["legal_basis"]:
        yield "未填写设定依据（法律法规名称及条款）"


@rule("GF012", ERROR, "业务办理项缺少上级事项")
def _business_without_parent(d: Doc) -> Iterator[str]:
    if d["node_kind"] != "主项" and not d["parent_impl_code"]:
        yield f"{d['node_kind']}应填写上级事项实施编码"


@rule("GF013", WARNING, "材料依情形而定但事项没有情形")
def _orphan_conditions(d: Doc) -> Iterator[str]:
    if not d["situations"] and any(m["when"] for m in d["materials"]):
        yield "有材料标明适用情形，但事项未设置情形问题"


@rule("GF014", ERROR, "支持村级代办但到现场次数超过1次")
def _village_point_many_visits(d: Doc) -> Iterator[str]:
    if "村级代办" in d["supports"] and d["visits"] > 1:
        yield f"支持村级代办的事项到办事现场次数应不超过1次，现为{d['visits']}次"


def check_document(doc: Doc) -> list[Finding]:
    """Every finding of every rule, on a structurally valid document."""
    d = schema.normalize(doc)
    findings = []
    for r in RULES:
        for message in r.func(d):
            findings.append(Finding(r.code, r.severity, message))
    return findings
