from tests.factories import item_doc
from zhili.catalogue.schema import materials_for, validate_document


def names(doc, answers):
    return [m["name"] for m in materials_for(doc, answers)]


def test_it_lists_only_the_materials_every_applicant_needs_before_any_answer():
    assert names(item_doc(), {}) == ["个体工商户登记申请书", "经营者身份证"]


def test_it_adds_the_power_of_attorney_when_someone_else_applies():
    assert "委托书及受托人身份证" in names(item_doc(), {"S1": "B"})
    assert "委托书及受托人身份证" not in names(item_doc(), {"S1": "A"})


def test_it_rejects_a_condition_on_a_situation_that_does_not_exist():
    doc = item_doc()
    doc["materials"][0]["when"] = ["S9=A"]
    (problem,) = validate_document(doc)
    assert problem.part == "materials" and problem.index == 0 and "S9=A" in problem.message


def test_it_reports_badly_typed_rows_instead_of_crashing():
    doc = item_doc(materials=["身份证"], situations=[{"code": 1, "question": "?", "options": [2]}])
    where = {(p.part, p.field) for p in validate_document(doc)}
    assert ("materials", "code") in where
    assert ("situations", "options") in where


def test_it_accepts_a_full_width_colon_in_an_option():
    doc = item_doc()
    doc["situations"][0]["options"] = ["A：经营者本人", "B：委托他人代办"]
    assert validate_document(doc) == []
