from __future__ import annotations

import pytest
from django.test import override_settings

from tests.factories import item_doc
from zhili.catalogue.checks import RULES, check_document


def codes(doc):
    return [f.code for f in check_document(doc)]


def test_it_finds_nothing_wrong_with_a_standard_item():
    assert codes(item_doc()) == []


def test_rule_codes_are_unique_and_stable():
    assert [r.code for r in RULES] == [f"GF{n:03d}" for n in range(1, 15)]


@pytest.mark.parametrize(
    ("overrides", "code"),
    [
        ({"promised_days": 20}, "GF001"),
        ({"processing_kind": "即办件", "promised_days": 2}, "GF002"),
        ({"visits": 1, "online_depth": "三级（网上预审）"}, "GF003"),
        ({"visits": 1, "visits_reason": "需核验原件"}, "GF004"),
        ({"online_depth": "二级（表格下载）", "supports": []}, "GF005"),
        (
            {
                "is_free": False,
                "fees": [{"name": "工本费", "standard": "10元", "basis": "", "waiver": ""}],
            },
            "GF006",
        ),
        ({"consult_phone": "12345"}, "GF007"),
        ({"legal_basis": []}, "GF011"),
        ({"node_kind": "子项"}, "GF012"),
        ({"situations": []}, "GF013"),
    ],
)
def test_it_reports_each_defect_with_its_rule_code(overrides, code):
    assert code in codes(item_doc(**overrides))


def test_it_reports_a_material_without_source():
    doc = item_doc()
    doc["materials"][0]["source"] = ""
    (finding,) = [f for f in check_document(doc) if f.code == "GF008"]
    assert "个体工商户登记申请书" in finding.message


def test_it_reports_an_online_item_whose_originals_cannot_be_uploaded():
    doc = item_doc()
    doc["materials"][2]["uploadable"] = False
    assert "GF009" in codes(doc)


def test_it_reports_a_code_that_breaks_the_configured_format():
    assert "GF010" in codes(item_doc(basic_code="ABC"))


def test_it_says_the_code_format_is_not_configured_instead_of_guessing():
    with override_settings(ZHILI_BASIC_CODE_PATTERN="", ZHILI_IMPL_CODE_PATTERN=""):
        (finding,) = [f for f in check_document(item_doc()) if f.code == "GF010"]
    assert "未配置" in finding.message


def test_it_limits_village_point_items_to_one_visit():
    doc = item_doc(visits=2, visits_reason="现场勘验", online_depth="三级（网上预审）")
    assert "GF014" in codes(doc)
