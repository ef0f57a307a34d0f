"""The demo county as data: land that tiles, departments, and items that pass every check."""

from __future__ import annotations

import re
from collections import Counter

import pytest
import shapely
from django.test import override_settings
from shapely.geometry import Point, shape
from shapely.ops import unary_union
from stdnum.cn import uscc

from zhili.accounts.models import Role
from zhili.catalogue.checks import check_document
from zhili.catalogue.schema import validate_document
from zhili.cli import DEMO_ENV
from zhili.demo import generate
from zhili.demo.people import DEMO_USERS
from zhili.divisions.codes import parent_code, validate_division_code


@pytest.fixture(scope="module")
def divisions():
    return generate.county_divisions()


@pytest.fixture(scope="module")
def departments():
    return generate.departments()


@pytest.fixture(scope="module")
def documents(departments):
    return generate.item_documents(departments)


def by_level(divisions, level):
    return [d for d in divisions if d["level"] == level]


def test_it_makes_137_villages_with_valid_codes_under_their_towns(divisions):
    assert Counter(d["level"] for d in divisions) == {"county": 1, "town": 10, "village": 137}
    codes = {d["code"] for d in divisions}
    assert len(codes) == len(divisions)
    assert len({d["name"] for d in by_level(divisions, "village")}) == 137
    for d in divisions:
        assert validate_division_code(d["code"], county="330599") == d["level"]
        assert d["parent_code"] == parent_code(d["code"])
        assert d["parent_code"] is None or d["parent_code"] in codes
    for town in by_level(divisions, "town"):
        assert town["name"].endswith("街道" if town["code"][6] == "0" else "镇")
    for village in by_level(divisions, "village"):
        assert village["name"].endswith("社区" if village["code"][9] == "0" else "村")
        assert village["code"][9] in "02"


def test_it_keeps_the_villages_the_tests_know(divisions):
    names = {d["code"]: d["name"] for d in divisions}
    assert names["330599000000"] == "清溪县"
    assert names["330599101000"] == "东山镇"
    assert names["330599101201"] == "东山村"
    assert names["330599101202"] == "西坞村"


def test_it_tiles_the_county_with_valid_polygons(divisions):
    county = shape(divisions[0]["boundary"])
    villages = [shape(d["boundary"]) for d in by_level(divisions, "village")]
    for d in divisions:
        geom = shape(d["boundary"])
        assert d["boundary"]["type"] == "Polygon" and geom.is_valid, d["name"]
        assert geom.contains(Point(d["centroid_lon"], d["centroid_lat"])), d["name"]
        for lon, lat in d["boundary"]["coordinates"][0]:
            assert (lon, lat) == (round(lon, 5), round(lat, 5))
            assert 119.8 <= lon <= 120.2 and 30.4 <= lat <= 30.7
    union = unary_union(villages)
    assert union.area == pytest.approx(county.area, rel=1e-9)
    assert sum(v.area for v in villages) == pytest.approx(county.area, rel=1e-9)
    assert county.symmetric_difference(union).area < 1e-9 * county.area
    tree = shapely.STRtree(villages)
    for i, village in enumerate(villages):
        for j in tree.query(village):
            if j != i:
                assert village.intersection(villages[j]).area < 1e-12


def test_it_makes_each_town_the_union_of_its_villages(divisions):
    for town in by_level(divisions, "town"):
        mine = [shape(v["boundary"]) for v in divisions if v["parent_code"] == town["code"]]
        assert len(mine) >= 5
        geom = shape(town["boundary"])
        assert geom.symmetric_difference(unary_union(mine)).area < 1e-9 * geom.area


def test_it_puts_every_service_point_inside_its_division(divisions):
    points = generate.service_points(divisions)
    assert Counter(p["kind"] for p in points) == {
        "hall": 1, "town_centre": 10, "village_point": 137,
    }  # fmt: skip
    boundaries = {d["code"]: shape(d["boundary"]) for d in divisions}
    for p in points:
        assert boundaries[p["division_code"]].contains(Point(p["lon"], p["lat"])), p["name"]
        assert re.fullmatch(r"0572-\d{7}", p["phone"])
    assert len({p["code"] for p in points}) == len(points)


def test_it_names_58_departments_with_valid_credit_codes(departments, divisions):
    assert len(departments) == 58
    assert len({d["code"] for d in departments}) == 58
    assert len({d["credit_code"] for d in departments}) == 58
    division_codes = {d["code"] for d in divisions}
    for d in departments:
        assert uscc.is_valid(d["credit_code"]), d["name"]
        assert d["credit_code"][2:8] == "330599"
        assert re.fullmatch(r"0572-\d{7}", d["phone"])
        assert d["division_code"] in division_codes
    names = {d["code"]: d["name"] for d in departments}
    assert names["SCJG"] == "清溪县市场监督管理局"
    assert names["ZRZY"] == "清溪县自然资源和规划局"
    organs = [d for d in departments if "局" in d["name"] and "公司" not in d["name"]]
    assert all(d["credit_code"].startswith("11") for d in organs)


@override_settings(**DEMO_ENV)
def test_it_makes_at_least_300_items_that_pass_every_check(documents, departments):
    assert len(documents) >= 300
    codes = {d["code"] for d in departments}
    themes = {t["code"] for t in generate.themes()}
    for doc in documents:
        assert validate_document(doc) == [], doc["name"]
        errors = [f for f in check_document(doc) if f.is_error]
        assert errors == [], (doc["name"], errors)
        assert doc["department"] in codes
        assert set(doc["themes"]) <= themes, doc["name"]
        assert doc["legal_basis"] and doc["consult_phone"] != doc["complaint_phone"] == "12345"
    assert len({d["impl_code"] for d in documents}) == len(documents)


def test_it_includes_the_items_the_portal_tour_shows(documents):
    names = {d["name"] for d in documents}
    for name in [
        "不动产登记查询", "社会保险缴费证明打印", "医保个人信息查询", "出入境证件办理",
        "个体工商户设立登记", "食品经营许可",
    ]:  # fmt: skip
        assert name in names


def test_it_builds_main_items_with_sub_items_and_business_items(documents):
    by_code = {d["impl_code"]: d for d in documents}
    by_name = {d["name"]: d for d in documents}
    seen = set()
    for doc in documents:
        if doc["parent_impl_code"]:
            assert doc["parent_impl_code"] in seen, "a child comes after its parent"
        seen.add(doc["impl_code"])

    def children(name):
        return [d for d in documents if d["parent_impl_code"] == by_name[name]["impl_code"]]

    exit_entry = {d["name"]: d["node_kind"] for d in children("出入境证件办理")}
    assert exit_entry["普通护照签发"] == "子项" and exit_entry["往来港澳通行证签发"] == "子项"
    assert {d["node_kind"] for d in children("普通护照签发")} == {"业务办理项"}
    shop = {d["name"]: d["business_kind"] for d in children("个体工商户设立登记")}
    assert shop == {"个体工商户变更登记": "变更", "个体工商户注销登记": "注销"}
    food = {d["name"]: d["business_kind"] for d in children("食品经营许可")}
    assert food == {
        "食品经营许可（新办）": "设立", "食品经营许可（变更）": "变更",
        "食品经营许可（延续）": "延续", "食品经营许可（注销）": "注销",
    }  # fmt: skip
    three_levels = {
        by_code[by_code[d["parent_impl_code"]]["parent_impl_code"]]["name"]
        for d in documents
        if d["node_kind"] == "业务办理项" and by_code[d["parent_impl_code"]]["node_kind"] == "子项"
    }
    assert len(three_levels) >= 3, three_levels


def test_it_changes_the_materials_with_the_situation_on_many_items(documents):
    conditional = [d for d in documents if any(m["when"] for m in d["materials"])]
    assert len(conditional) >= len(documents) // 2
    shop = next(d for d in documents if d["name"] == "个体工商户设立登记")
    assert shop["situations"][0]["question"] == "由谁办理？"


def test_it_charges_for_some_items_with_a_basis_for_every_fee(documents):
    paid = [d for d in documents if not d["is_free"]]
    assert 10 <= len(paid) < len(documents) // 4
    assert all(f["basis"] for d in paid for f in d["fees"])


def test_it_makes_a_few_items_far_more_popular_than_most(departments):
    popularity = sorted((p for _, p in generate.items_with_popularity(departments)), reverse=True)
    top = popularity[: len(popularity) // 20]
    assert sum(top) > 0.3 * sum(popularity)
    assert popularity == sorted(
        (p for _, p in generate.items_with_popularity(departments)), reverse=True
    )


def test_it_generates_the_same_county_every_time(divisions, departments, documents):
    assert generate.county_divisions() == divisions
    assert generate.departments() == departments
    assert generate.item_documents(generate.departments()) == documents
    assert generate.county_divisions(seed=7) != divisions


def test_it_bundles_items_that_exist(documents):
    items = {(d["department"], d["name"]) for d in documents}
    bundles = generate.bundles()
    assert len(bundles) >= 8
    names = {b["name"] for b in bundles}
    assert {"开办餐饮店", "新生儿出生一件事", "退休一件事", "身后一件事"} <= names
    for bundle in bundles:
        assert len(bundle["items"]) >= 2
        for key in bundle["items"]:
            assert tuple(key) in items, (bundle["name"], key)


def test_it_has_a_demo_user_for_every_role(departments):
    assert {u[3] for u in DEMO_USERS} == set(Role.values)
    codes = {d["code"] for d in departments}
    for username, _name, label, role, dept_codes, _ in DEMO_USERS:
        assert username.isascii() and username.isalpha()
        assert label == Role(role).label
        assert set(dept_codes) <= codes
    names = {u[1] for u in DEMO_USERS}
    assert {"王芳", "张伟", "李娜", "赵敏", "孙丽"} <= names


@override_settings(**DEMO_ENV)
def test_it_makes_distinct_valid_documents_for_benchmarks(documents):
    bulk = generate.bulk_item_documents(500, seed=7)
    assert len(bulk) == 500
    assert len({d["impl_code"] for d in bulk}) == 500
    assert len({d["name"] for d in bulk}) == 500
    assert not {d["impl_code"] for d in bulk} & {d["impl_code"] for d in documents}
    seen = set()
    for doc in bulk:
        assert validate_document(doc) == [], doc["name"]
        assert not [f for f in check_document(doc) if f.is_error], doc["name"]
        assert not doc["parent_impl_code"] or doc["parent_impl_code"] in seen
        seen.add(doc["impl_code"])
    assert generate.bulk_item_documents(500, seed=7) == bulk
