"""Shared fixtures for the portal's page tests."""

from __future__ import annotations

from typing import Any

import pytest

from tests.factories import item_doc


def publish(county: Any, **overrides: Any) -> Any:
    """Save and publish an item document as 赵敏 (市场监管局) or 刘强 (自然资源局)."""
    from zhili.catalogue.services import item_draft_save, item_publish

    actor = county.liuqiang if overrides.get("department") == "ZRZY" else county.zhaomin
    version = item_draft_save(document=item_doc(**overrides), actor=actor)
    return item_publish(item=version.item, actor=actor).item


BDC_BASIC = "000112233002"


def premises_doc() -> dict[str, Any]:
    """不动产登记（经营场所）of 自然资源局: shares 经营者身份证 with 个体工商户设立登记."""
    return {
        "impl_code": f"11330599MB0000002X{BDC_BASIC}001",
        "basic_code": BDC_BASIC,
        "name": "不动产登记（经营场所）",
        "department": "ZRZY",
        "service_objects": ["自然人", "法人"],
        "keywords": [],
        "themes": ["L_ZCBG"],
        "online_depth": "三级（网上预审）",
        "visits": 1,
        "visits_reason": "需现场核验不动产权属原件",
        "supports": ["网上预约"],
        "situations": [],
        "materials": [
            {
                "code": "M1", "name": "经营者身份证", "form": ["原件"], "copies": 0,
                "necessity": "必要", "source": "电子证照库调取", "elicence": "居民身份证",
                "uploadable": True, "blank_form": "", "sample": "", "standard": "", "when": [],
            },
            {
                "code": "M2", "name": "不动产权属证明", "form": ["原件"], "copies": 1,
                "necessity": "必要", "source": "政府部门核发", "elicence": "", "uploadable": True,
                "blank_form": "", "sample": "", "standard": "", "when": [],
            },
        ],
    }  # fmt: skip


class Catalogue:
    """Two published items, two themes and a bundle: enough to search and browse."""

    def __init__(self, county: Any, shop: Any) -> None:
        from zhili.catalogue.models import Bundle, BundleItem, Theme

        self.jycy = Theme.objects.create(code="P_JYCY", name="就业创业", audience="自然人")
        self.zcbg = Theme.objects.create(code="L_ZCBG", name="准营变更", audience="法人")
        self.shop = shop
        self.premises = publish(county, **premises_doc())
        type(shop).objects.filter(pk=shop.pk).update(popularity=50)
        type(shop).objects.filter(pk=self.premises.pk).update(popularity=80)
        self.bundle = Bundle.objects.create(
            code="B_KD", name="我要开小店", audience="自然人", description="营业执照和场所一次办"
        )
        BundleItem.objects.create(bundle=self.bundle, item=shop, order=1)
        BundleItem.objects.create(bundle=self.bundle, item=self.premises, order=2)


@pytest.fixture
def catalogue(county: Any, published_item: Any) -> Catalogue:
    return Catalogue(county, published_item)
