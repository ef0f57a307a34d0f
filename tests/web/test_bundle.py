"""一件事一次办: 王芳 opens a shop and registers its premises in one go."""

from __future__ import annotations

from typing import Any

import pytest
from django.urls import reverse

from tests.factories import SCJG_CREDIT, item_doc
from tests.web.conftest import Catalogue
from zhili.catalogue.models import Bundle, BundleItem
from zhili.catalogue.selectors import bundle_materials
from zhili.catalogue.services import item_draft_save

pytestmark = pytest.mark.django_db


@pytest.fixture
def bundle(catalogue: Catalogue) -> Bundle:
    return catalogue.bundle


def test_it_merges_materials_with_the_same_name(bundle: Bundle, published_item: Any) -> None:
    materials = bundle_materials(bundle)
    names = [m.name for m in materials]
    assert names.count("经营者身份证") == 1
    assert names == [
        "个体工商户登记申请书", "经营者身份证", "委托书及受托人身份证", "房屋租赁合同",
        "不动产权属证明",
    ]  # fmt: skip
    shared = materials[1]
    assert [i.name for i in shared.items] == ["个体工商户设立登记", "不动产登记（经营场所）"]
    assert not shared.conditional
    assert materials[2].conditional  # 委托书 only when someone else handles it


def test_it_shows_the_bundle_page(client: Any, bundle: Bundle) -> None:
    r = client.get(reverse("bundle", args=[bundle.code]))
    assert r.status_code == 200
    html = r.content.decode()
    assert "<title>我要开小店 · 一件事一次办 · 智理</title>" in html
    assert html.index("个体工商户设立登记") < html.index("不动产登记（经营场所）")
    assert html.count('<div class="material__name">经营者身份证</div>') == 1
    assert "2 个事项共用" in html
    assert "视情形提交" in html


def test_it_leaves_unpublished_items_out(client: Any, county: Any, bundle: Bundle) -> None:
    draft = item_draft_save(
        document=item_doc(impl_code=f"{SCJG_CREDIT}000112233003001", basic_code="000112233003",
                          name="尚未发布的事项"),
        actor=county.zhaomin,
    )  # fmt: skip
    BundleItem.objects.create(bundle=bundle, item=draft.item, order=3)
    html = client.get(reverse("bundle", args=[bundle.code])).content.decode()
    assert "尚未发布的事项" not in html


def test_it_404s_for_an_unknown_bundle(client: Any, county: Any) -> None:
    assert client.get(reverse("bundle", args=["NOPE"])).status_code == 404
