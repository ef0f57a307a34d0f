from __future__ import annotations

import pytest

from tests.factories import item_doc
from zhili.catalogue.models import ItemVersion, VersionImmutableError
from zhili.catalogue.services import (
    DocumentInvalid,
    PermissionDenied,
    PublishBlocked,
    item_draft_discard,
    item_draft_save,
    item_draft_start,
    item_publish,
)


def test_it_publishes_a_draft_as_version_one(county):
    draft = item_draft_save(document=item_doc(), actor=county.zhaomin)
    version = item_publish(item=draft.item, actor=county.zhaomin, note="首次发布")
    item = version.item
    item.refresh_from_db()
    assert item.current == version and item.draft is None
    assert version.number == 1 and version.status == "published"
    assert version.published_by == county.zhaomin
    assert item.department == county.scjg


def test_it_keeps_a_published_version_unchanged_while_the_next_is_drafted(published_item, county):
    draft = item_draft_start(item=published_item, actor=county.zhaomin)
    doc = dict(draft.document, promised_days=1)
    item_draft_save(document=doc, actor=county.zhaomin, item=published_item)
    published_item.refresh_from_db()
    assert published_item.current.document["promised_days"] == 3
    assert published_item.draft.document["promised_days"] == 1
    assert published_item.draft.number == 2


def test_it_refuses_to_change_or_delete_a_published_version(published_item):
    version = published_item.current
    version.document = dict(version.document, name="改名")
    with pytest.raises(VersionImmutableError):
        version.save()
    with pytest.raises(VersionImmutableError):
        version.delete()
    assert ItemVersion.objects.get(pk=version.pk).document["name"] == "个体工商户设立登记"


def test_it_blocks_publishing_when_a_check_fails(county):
    draft = item_draft_save(document=item_doc(promised_days=20), actor=county.zhaomin)
    with pytest.raises(PublishBlocked) as exc:
        item_publish(item=draft.item, actor=county.zhaomin)
    assert [f.code for f in exc.value.findings] == ["GF001"]
    draft.item.refresh_from_db()
    assert draft.item.current is None


def test_it_says_which_field_is_wrong(county):
    with pytest.raises(DocumentInvalid) as exc:
        item_draft_save(
            document=item_doc(item_type="行政许可证", department="NOPE"), actor=county.zhaomin
        )
    where = {p.field for p in exc.value.problems}
    assert where == {"item_type", "department"}
    assert "“事项类型”" in str(exc.value) and "部门编码“NOPE”不存在" in str(exc.value)


def test_it_points_at_the_material_row_that_is_wrong(county):
    doc = item_doc()
    doc["materials"][1]["necessity"] = "可选"
    with pytest.raises(DocumentInvalid) as exc:
        item_draft_save(document=doc, actor=county.zhaomin)
    (problem,) = exc.value.problems
    assert problem.where() == "申请材料第2条“必要性”"


def test_it_lets_an_officer_edit_only_their_own_departments_items(published_item, county):
    with pytest.raises(PermissionDenied):
        item_draft_start(item=published_item, actor=county.liuqiang)
    with pytest.raises(PermissionDenied):
        item_draft_save(document=item_doc(impl_code="x" * 33), actor=county.zhangwei)


def test_it_discards_a_draft_without_touching_the_published_version(published_item, county):
    item_draft_start(item=published_item, actor=county.zhaomin)
    item_draft_discard(item=published_item, actor=county.zhaomin)
    published_item.refresh_from_db()
    assert published_item.draft is None
    assert published_item.versions.count() == 1


def test_it_links_a_business_item_to_its_parent(published_item, county):
    child = item_doc(
        impl_code=published_item.impl_code[:-3] + "002",
        name="个体工商户变更登记",
        node_kind="业务办理项",
        business_kind="变更",
        parent_impl_code=published_item.impl_code,
    )
    draft = item_draft_save(document=child, actor=county.zhaomin)
    version = item_publish(item=draft.item, actor=county.zhaomin)
    assert version.item.parent == published_item


def test_it_refreshes_the_callers_item_after_publishing(county):
    draft = item_draft_save(document=item_doc(), actor=county.zhaomin)
    item = draft.item
    item_publish(item=item, actor=county.zhaomin)
    assert item.draft is None and item.current_id == draft.pk
    again = item_draft_start(item=item, actor=county.zhaomin)
    assert again.number == 2
