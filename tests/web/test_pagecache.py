from __future__ import annotations

from django.test import override_settings

from zhili.catalogue.services import item_draft_save, item_draft_start, item_publish


def test_it_serves_a_visitor_the_same_item_page_from_the_cache(client, published_item):
    url = f"/items/{published_item.impl_code}/"
    first = client.get(url)
    second = client.get(url)
    assert "X-Zhili-Cache" not in first
    assert second["X-Zhili-Cache"] == "hit"
    assert second.content == first.content


def test_it_shows_the_new_version_as_soon_as_it_is_published(client, published_item, county):
    url = f"/items/{published_item.impl_code}/"
    assert "个体工商户设立登记" in client.get(url).content.decode()
    draft = item_draft_start(item=published_item, actor=county.zhaomin)
    item_draft_save(
        document=dict(draft.document, name="个体工商户设立登记（新版）"),
        actor=county.zhaomin,
        item=published_item,
    )
    item_publish(item=published_item, actor=county.zhaomin)
    page = client.get(url)
    assert "X-Zhili-Cache" not in page
    assert "个体工商户设立登记（新版）" in page.content.decode()


def test_it_never_caches_for_a_signed_in_user(client, published_item, county):
    client.force_login(county.zhaomin)
    url = f"/items/{published_item.impl_code}/"
    client.get(url)
    page = client.get(url)
    assert "X-Zhili-Cache" not in page
    assert "赵敏" in page.content.decode()


def test_it_keeps_the_partial_and_the_whole_page_apart(client, published_item):
    url = "/search?q=gtgsh"
    whole = client.get(url)
    partial = client.get(url, headers={"HX-Request": "true"})
    again = client.get(url)
    assert b"<html" in whole.content and b"<html" in again.content
    assert b"<html" not in partial.content and "个体工商户设立登记" in partial.content.decode()


def test_it_gives_a_visitors_page_no_csrf_token(client, published_item):
    page = client.get(f"/items/{published_item.impl_code}/")
    assert b"csrfmiddlewaretoken" not in page.content and b"X-CSRFToken" not in page.content
    assert not page.cookies


def test_it_can_be_turned_off(client, published_item):
    url = f"/items/{published_item.impl_code}/"
    with override_settings(ZHILI_PAGE_CACHE_SIZE=0):
        client.get(url)
        assert "X-Zhili-Cache" not in client.get(url)
