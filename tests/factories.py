"""Plain builders for test data: a valid item document and its variations."""

from __future__ import annotations

import copy
from typing import Any

from stdnum.cn import ric

BASIC = "000112233001"
SCJG_CREDIT = "11330599MB0000001U"


def item_doc(**overrides: Any) -> dict[str, Any]:
    """个体工商户设立登记 of 清溪县市场监督管理局: valid, and passes every check."""
    doc: dict[str, Any] = {
        "impl_code": f"{SCJG_CREDIT}{BASIC}001",
        "basic_code": BASIC,
        "name": "个体工商户设立登记",
        "node_kind": "主项",
        "parent_impl_code": "",
        "business_kind": "设立",
        "item_type": "行政许可",
        "exercise_level": "县级",
        "department": "SCJG",
        "entrusted_department": "",
        "service_objects": ["自然人"],
        "conditions": "有经营能力的公民，依法申请登记",
        "processing_kind": "承诺件",
        "statutory_days": 15,
        "promised_days": 3,
        "is_free": True,
        "result_type": "证照",
        "result_name": "营业执照",
        "result_sample": "",
        "visits": 0,
        "visits_reason": "",
        "online_depth": "四级（全程网办）",
        "supports": ["网上预约", "物流快递", "自助终端", "村级代办", "掌上办"],
        "themes": ["P_JYCY"],
        "keywords": ["开个小店", "个体户执照"],
        "consult_phone": "0572-8001001",
        "complaint_phone": "12345",
        "situations": [
            {"code": "S1", "question": "由谁办理？", "options": ["A:经营者本人", "B:委托他人代办"]},
            {"code": "S2", "question": "经营场所是否为自有房产？", "options": ["A:自有", "B:租赁"]},
        ],
        "materials": [
            {
                "code": "M1", "name": "个体工商户登记申请书", "form": ["原件"], "copies": 1,
                "necessity": "必要", "source": "在线填报", "elicence": "", "uploadable": True,
                "blank_form": "", "sample": "", "standard": "经营者签字", "when": [],
            },
            {
                "code": "M2", "name": "经营者身份证", "form": ["原件"], "copies": 0,
                "necessity": "必要", "source": "电子证照库调取", "elicence": "居民身份证",
                "uploadable": True, "blank_form": "", "sample": "", "standard": "", "when": [],
            },
            {
                "code": "M3", "name": "委托书及受托人身份证", "form": ["原件"], "copies": 1,
                "necessity": "必要", "source": "申请人自备", "elicence": "", "uploadable": True,
                "blank_form": "", "sample": "", "standard": "", "when": ["S1=B"],
            },
            {
                "code": "M4", "name": "房屋租赁合同", "form": ["复印件"], "copies": 1,
                "necessity": "容缺后补", "source": "申请人自备", "elicence": "",
                "uploadable": True, "blank_form": "", "sample": "", "standard": "", "when": ["S2=B"],
            },
        ],
        "legal_basis": [
            {"law": "《促进个体工商户发展条例》", "article": "第八条", "text": ""},
            {"law": "《中华人民共和国市场主体登记管理条例》", "article": "第三条", "text": ""},
        ],
        "steps": [
            {"name": "受理", "description": "材料齐全即受理", "days": 1},
            {"name": "审查", "description": "", "days": 1},
            {"name": "决定", "description": "", "days": 1},
        ],
        "fees": [],
        "places": [{"name": "清溪县政务服务中心", "address": "清溪县人民路1号", "hours": "工作日 9:00-17:00"}],
    }  # fmt: skip
    doc.update(copy.deepcopy(overrides))
    return doc


def resident_id(birth: str, seq: str, region: str = "330599") -> str:
    """A valid 18-digit resident identity number (GB 11643 check digit)."""
    body = f"{region}{birth}{seq}"
    return body + ric.calc_check_digit(body + "0")  # stdnum drops the last character


# The smallest files whose bytes say what they are (materials are sniffed, not named).
PDF_BYTES = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"
PNG_BYTES = bytes.fromhex(
    "89504e470d0a1a0a0000000d4948445200000001000000010806000000"
    "1f15c4890000000a49444154789c63000100000500010d0a2db40000000049454e44ae426082"
)


def food_doc(**overrides: Any) -> dict[str, Any]:
    """食品经营许可: its business-licence material may be replaced by the 营业执照 e-licence."""
    doc = item_doc(
        impl_code=f"{SCJG_CREDIT}000112233002001",
        basic_code="000112233002",
        name="食品经营许可",
        keywords=["开饭店"],
        result_name="食品经营许可证",
        promised_days=10,
        statutory_days=20,
        situations=[],
        materials=[
            {
                "code": "F1", "name": "营业执照", "form": ["原件"], "copies": 0,
                "necessity": "必要", "source": "电子证照库调取", "elicence": "营业执照",
                "uploadable": True, "blank_form": "", "sample": "", "standard": "", "when": [],
            },
            {
                "code": "F2", "name": "食品安全管理制度", "form": ["原件"], "copies": 1,
                "necessity": "必要", "source": "申请人自备", "elicence": "",
                "uploadable": True, "blank_form": "", "sample": "", "standard": "", "when": [],
            },
        ],
    )  # fmt: skip
    doc.update(copy.deepcopy(overrides))
    return doc
