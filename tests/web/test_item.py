"""The item page: what 王芳 of 东山村 reads before she opens her shop."""

from __future__ import annotations

from typing import Any

import pytest
from django.urls import reverse

from tests.factories import item_doc
from tests.web.conftest import publish
from zhili.catalogue.services import item_draft_save, item_draft_start, item_publish

pytestmark = pytest.mark.django_db


def _url(item: Any, name: str = "item") -> str:
    return reverse(name, args=[item.impl_code])


def test_it_shows_the_item_and_its_materials(client: Any, published_item: Any) -> None:
    r = client.get(_url(published_item))
    assert r.status_code == 200
    html = r.content.decode()
    assert "<title>个体工商户设立登记 · 智理</title>" in html
    assert 'lang="zh-CN"' in html
    assert "清溪县市场监督管理局" in html
    assert "个体工商户登记申请书" in html
    assert "经营者身份证" in html
    # Conditional materials wait for the answer to their question.
    assert "委托书及受托人身份证" not in html
    assert "房屋租赁合同" not in html
    assert "由谁办理？" in html and "委托他人代办" in html


def test_it_shows_limits_visits_fees_and_channels(client: Any, published_item: Any) -> None:
    html = client.get(_url(published_item)).content.decode()
    assert "承诺；法定 15 个工作日" in html
    assert "零跑动" in html
    assert "免费" in html
    for channel in ["网上办", "掌上办", "自助办", "就近办", "窗口办"]:
        assert channel in html
    assert "全程网办，无需到现场" in html
    assert "《促进个体工商户发展条例》" in html
    assert "0572-8001001" in html


def test_it_shows_an_immediate_item_as_done_at_once(client: Any, county: Any) -> None:
    item = publish(
        county,
        processing_kind="即办件",
        statutory_days=0,
        promised_days=0,
        visits=1,
        visits_reason="需现场核验经营者身份",
        online_depth="三级（网上预审）",
    )
    html = client.get(_url(item)).content.decode()
    assert "即时办结" in html
    assert '最多跑 <span class="fact__big">1</span> 次' in html
    assert "需现场核验经营者身份" in html
    assert "网上预审通过后到现场核验" in html


def test_it_lists_the_power_of_attorney_only_for_a_proxy(client: Any, published_item: Any) -> None:
    url = _url(published_item, "item_materials")
    by_self = client.get(url, {"S1": "A"}, headers={"HX-Request": "true"}).content.decode()
    by_proxy = client.get(url, {"S1": "B"}, headers={"HX-Request": "true"}).content.decode()
    assert "委托书及受托人身份证" not in by_self
    assert "委托书及受托人身份证" in by_proxy
    assert "<html" not in by_proxy  # a partial, not the page
    assert "个体工商户登记申请书" in by_self and "个体工商户登记申请书" in by_proxy


def test_it_marks_deferrable_and_elicence_materials(client: Any, published_item: Any) -> None:
    html = client.get(_url(published_item, "item_materials"), {"S2": "B"}).content.decode()
    assert "房屋租赁合同" in html
    assert "容缺后补" in html
    assert "免提交" in html  # 经营者身份证 comes from the e-licence library


def test_it_lists_materials_for_answers_without_javascript(
    client: Any, published_item: Any
) -> None:
    html = client.get(_url(published_item), {"S1": "B", "S2": "A"}).content.decode()
    assert "委托书及受托人身份证" in html
    assert 'value="B" checked' in html


def test_it_carries_the_answers_into_the_apply_links(client: Any, published_item: Any) -> None:
    apply = reverse("cases:apply", args=[published_item.impl_code])
    html = client.get(_url(published_item)).content.decode()
    # One near the top for a phone, one under 怎么办; no answers yet, none carried.
    assert html.count(f'href="{apply}"') == 2
    html = client.get(_url(published_item), {"S1": "B", "S2": "A", "S9": "X"}).content.decode()
    assert html.count(f'href="{apply}?S1=B&amp;S2=A"') == 2
    assert f'data-apply-link="{apply}"' in html  # the script keeps them in step with new answers


def test_it_ignores_answers_that_are_not_options(client: Any, published_item: Any) -> None:
    html = client.get(_url(published_item, "item_materials"), {"S1": "Z"}).content.decode()
    assert "委托书及受托人身份证" not in html
    assert "还有 2 个问题没回答" in html


def test_it_404s_for_an_unknown_item(client: Any, county: Any) -> None:
    r = client.get(reverse("item", args=["NOPE"]))
    assert r.status_code == 404
    assert "没有找到这个页面" in r.content.decode()


def test_it_404s_for_an_unpublished_item(client: Any, county: Any) -> None:
    draft = item_draft_save(document=item_doc(), actor=county.zhaomin)
    assert client.get(_url(draft.item)).status_code == 404
    assert client.get(_url(draft.item, "item_materials")).status_code == 404


def test_it_never_shows_the_open_draft(client: Any, county: Any, published_item: Any) -> None:
    draft = item_draft_start(item=published_item, actor=county.zhaomin)
    item_draft_save(
        document={**draft.document, "name": "个体工商户设立登记（草稿）"},
        actor=county.zhaomin,
        item=published_item,
    )
    html = client.get(_url(published_item)).content.decode()
    assert "（草稿）" not in html
    assert client.get(_url(published_item), {"version": 2}).status_code == 404


def test_it_shows_an_older_version_with_a_notice(
    client: Any, county: Any, published_item: Any
) -> None:
    draft = item_draft_start(item=published_item, actor=county.zhaomin)
    item_draft_save(
        document={**draft.document, "promised_days": 1}, actor=county.zhaomin, item=published_item
    )
    item_publish(item=published_item, actor=county.zhaomin, note="承诺时限压缩到1天")

    current = client.get(_url(published_item)).content.decode()
    assert "已被新版本取代" not in current
    assert '<span class="fact__big">1</span> 个工作日' in current
    assert "承诺时限压缩到1天" in current

    old = client.get(_url(published_item), {"version": 1}).content.decode()
    assert "第1版" in old and "已被新版本取代" in old
    assert '<span class="fact__big">3</span> 个工作日' in old
    # The situation form keeps asking about the version being read.
    assert '<input type="hidden" name="version" value="1">' in old


def test_it_404s_for_a_version_that_does_not_exist(client: Any, published_item: Any) -> None:
    assert client.get(_url(published_item), {"version": 9}).status_code == 404
    assert client.get(_url(published_item), {"version": "x"}).status_code == 404
