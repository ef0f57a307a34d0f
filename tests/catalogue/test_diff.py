from tests.factories import item_doc
from zhili.catalogue.diff import diff_documents


def test_it_finds_no_change_between_equal_documents():
    assert diff_documents(item_doc(), item_doc()) == []


def test_it_names_changed_fields_and_material_rows_in_chinese():
    new = item_doc(promised_days=1)
    new["materials"][1]["form"] = ["电子件"]
    del new["materials"][3]
    new["materials"].append(dict(new["materials"][0], code="M9", name="承诺书"))
    changes = {(c.kind, c.where, c.before, c.after) for c in diff_documents(item_doc(), new)}
    assert ("changed", "承诺办结时限（工作日）", "3", "1") in changes
    assert ("changed", "申请材料“经营者身份证”·材料形式", "原件", "电子件") in changes
    assert ("removed", "申请材料“房屋租赁合同”", "房屋租赁合同", "") in changes
    assert ("added", "申请材料“承诺书”", "", "承诺书") in changes
