"""Where to go: 王芳 of 东山村 wants the nearest place that can handle her item."""

from __future__ import annotations

from typing import Any

import pytest
from django.urls import reverse

from tests.web.conftest import publish
from zhili.catalogue.selectors import haversine_km, service_points_for
from zhili.divisions.models import ServicePoint

pytestmark = pytest.mark.django_db


@pytest.fixture
def town_centre(county: Any) -> ServicePoint:
    return ServicePoint.objects.create(
        code="TC-DS", name="东山镇便民服务中心", kind="town_centre", division=county.town,
        address="东山镇政府一楼", hours="工作日 8:30-17:00", lon=119.97, lat=30.56,
    )  # fmt: skip


def test_it_puts_the_village_point_first_when_it_can_proxy(
    county: Any, published_item: Any, town_centre: ServicePoint
) -> None:
    points = service_points_for(version=published_item.current, village=county.village)
    assert [p.code for p, _ in points] == ["VP-DS", "TC-DS", "HALL"]
    assert points[0][1] == pytest.approx(0.0)
    assert points[1][1] == pytest.approx(haversine_km(119.95, 30.55, 119.97, 30.56))
    assert points[2][1] == pytest.approx(haversine_km(119.95, 30.55, 120.0, 30.6))


def test_it_skips_village_points_when_the_item_cannot_be_proxied(
    county: Any, town_centre: ServicePoint
) -> None:
    item = publish(county, supports=["网上预约", "物流快递"])
    points = service_points_for(version=item.current, village=county.village)
    assert [p.code for p, _ in points] == ["TC-DS", "HALL"]


def test_it_does_not_offer_another_villages_point(county: Any, published_item: Any) -> None:
    points = service_points_for(version=published_item.current, village=county.other_village)
    assert [p.code for p, _ in points] == ["HALL"]


def test_it_measures_distance_in_km() -> None:
    # 1 degree of latitude is about 111.2 km everywhere.
    assert haversine_km(120.0, 30.0, 120.0, 31.0) == pytest.approx(111.19, abs=0.01)


def test_it_shows_the_points_for_a_chosen_village(
    client: Any, county: Any, published_item: Any, town_centre: ServicePoint
) -> None:
    url = reverse("item_points", args=[published_item.impl_code])
    html = client.get(url, {"village": county.village.code}).content.decode()
    assert html.index("东山村便民服务站") < html.index("东山镇便民服务中心")
    assert html.index("东山镇便民服务中心") < html.index("清溪县政务服务中心")
    assert "0.0 公里" in html


def test_it_offers_villages_grouped_by_town(client: Any, county: Any, published_item: Any) -> None:
    url = reverse("item", args=[published_item.impl_code])
    html = client.get(url).content.decode()
    assert '<optgroup label="东山镇">' in html
    assert f'<option value="{county.village.code}">东山村</option>' in html
    chosen = client.get(url, {"village": county.village.code}).content.decode()
    assert "东山村便民服务站" in chosen
    assert f'<option value="{county.village.code}" selected>东山村</option>' in chosen
