"""全文检索: what 王芳 finds when she types the way people talk.

清溪县 publishes a small catalogue: 刘强 the items of the natural resources
bureau, 赵敏 those of market regulation, the administrator the rest.
"""

from __future__ import annotations

from typing import Any

import pytest

from tests.factories import item_doc
from zhili.catalogue.models import ServiceItem
from zhili.catalogue.search import popular_items, search_items, suggest
from zhili.catalogue.services import item_draft_save, item_publish
from zhili.divisions.models import Department

WINDOW_ONLY = {
    "online_depth": "一级（信息公开）",
    "visits": 1,
    "visits_reason": "须本人到场核验身份",
    "supports": [],
}
KIOSK = {"supports": ["网上预约", "自助终端", "物流快递"]}
NEARBY = ["网上预约", "物流快递", "村级代办", "掌上办"]  # the rest: online and at the village

# name, department, themes, keywords, result, popularity, extra fields
CATALOGUE: list[tuple[str, str, list[str], list[str], str, int, dict[str, Any]]] = [
    ("不动产登记查询", "ZRZY", ["P_ZFFC"], ["房产查询", "查房"], "不动产登记信息", 500, KIOSK),
    ("不动产首次登记", "ZRZY", ["P_ZFFC"], ["新房办证"], "不动产权证书", 300, {}),
    ("社会保险缴费证明打印", "RSJ", ["P_SHBZ"], ["参保证明"], "缴费证明", 800, KIOSK),
    ("城乡居民基本养老保险参保登记", "RSJ", ["P_SHBZ"], ["农保"], "", 200, {}),
    ("城乡居民基本医疗保险参保登记", "YBJ", ["P_SHBZ"], [], "", 260, {}),
    ("生育登记", "WJJ", ["P_HYSY"], ["一孩登记", "二孩登记"], "生育登记服务单", 150, {}),
    ("普通护照签发", "GAJ", ["P_CRJ"], ["办护照"], "普通护照", 120, WINDOW_ONLY),
    ("往来港澳通行证签发", "GAJ", ["P_CRJ"], [], "往来港澳通行证", 100, WINDOW_ONLY),
    ("居民身份证换领", "GAJ", ["P_HJ"], ["身份证到期"], "居民身份证", 310, WINDOW_ONLY),
    ("机动车驾驶证换证", "GAJ", ["P_CXJT"], ["驾照到期"], "机动车驾驶证", 250, KIOSK),
    ("个体工商户设立登记", "SCJG", ["P_JYCY"], ["开个小店"], "营业执照", 400, {}),
    (
        "企业设立登记",
        "SCJG",
        ["L_KBQY"],
        ["开公司"],
        "营业执照",
        220,
        {"service_objects": ["法人"]},
    ),
    ("食品经营许可", "SCJG", ["L_SPJY"], [], "食品经营许可证", 90, {"service_objects": ["法人"]}),
    ("结婚登记", "MZJ", ["P_HYSY"], ["领结婚证"], "结婚证", 180, WINDOW_ONLY),
    ("最低生活保障申请", "MZJ", ["P_SHJZ"], [], "", 60, {}),
    ("住房公积金提取", "GJJ", ["P_ZFFC"], ["取公积金"], "", 350, {}),
]
DEPARTMENTS = {
    "RSJ": "清溪县人力资源和社会保障局",
    "YBJ": "清溪县医疗保障局",
    "WJJ": "清溪县卫生健康局",
    "GAJ": "清溪县公安局",
    "MZJ": "清溪县民政局",
    "GJJ": "湖州市住房公积金管理中心清溪分中心",
}
CREDIT = "11330599MB0000001U"


def _doc(n: int, name: str, department: str, **fields: Any) -> dict[str, Any]:
    basic = f"0001122330{n:02d}"
    return item_doc(
        impl_code=f"{CREDIT}{basic}001", basic_code=basic, name=name, department=department,
        **fields,
    )  # fmt: skip


def _publish(county: Any, document: dict[str, Any]) -> ServiceItem:
    actor = {"SCJG": county.zhaomin, "ZRZY": county.liuqiang}.get(
        document["department"], county.admin
    )
    draft = item_draft_save(document=document, actor=actor)
    return item_publish(item=draft.item, actor=actor).item


@pytest.fixture
def catalogue(county: Any) -> dict[str, ServiceItem]:
    for i, (code, name) in enumerate(DEPARTMENTS.items()):
        Department.objects.create(code=code, name=name, division=county.county, order=i + 2)
    items = {}
    for n, (name, dept, themes, keywords, result, popularity, extra) in enumerate(CATALOGUE):
        fields = {
            "themes": themes, "keywords": keywords, "result_name": result, "supports": NEARBY,
            **extra,
        }  # fmt: skip
        item = _publish(county, _doc(n + 1, name, dept, **fields))
        ServiceItem.objects.filter(pk=item.pk).update(popularity=popularity)
        items[name] = item
    return items


def names(query: str, **filters: Any) -> list[str]:
    return [h.name for h in search_items(query, **filters).hits]


def test_it_ranks_real_estate_first_for_the_initials_bdc(catalogue):
    result = search_items("bdc")
    assert [h.name for h in result.hits[:2]] == ["不动产登记查询", "不动产首次登记"]
    assert result.hits[0].matched == "拼音首字母 bdc"


def test_it_reads_initials_typed_in_full_width_and_capitals(catalogue):
    assert names("ＢＤＣ")[:2] == names("bdc")[:2]


def test_it_finds_items_by_full_pinyin(catalogue):
    assert names("budongchan")[:2] == ["不动产登记查询", "不动产首次登记"]
    assert names("jiehundengji")[0] == "结婚登记"
    assert names("shehuib")[0] == "社会保险缴费证明打印"
    assert search_items("jiehundengji").hits[0].matched == "拼音 jiehundengji"


def test_it_finds_social_insurance_for_shebao_and_says_so(catalogue):
    result = search_items("社保")
    assert result.hits[0].name == "社会保险缴费证明打印"
    assert result.expanded == ["社会保险"]
    assert "社保" in result.hits[0].matched


def test_it_reads_shebao_typed_in_pinyin_as_the_colloquial_word(catalogue):
    result = search_items("shebao")
    assert result.hits[0].name == "社会保险缴费证明打印"
    assert result.expanded == ["社会保险"]
    assert result.hits[0].matched == "拼音 shebao，即俗称“社保”"


def test_it_finds_birth_registration_for_zhunshengzheng(catalogue):
    result = search_items("准生证")
    assert result.hits[0].name == "生育登记"
    assert "生育登记" in result.expanded


def test_it_understands_a_question_asked_in_full(catalogue):
    assert names("我想办准生证需要什么材料？")[0] == "生育登记"
    assert names("护照怎么办")[0] == "普通护照签发"


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("营业执照", {"个体工商户设立登记", "企业设立登记"}),
        ("港澳通行证", {"往来港澳通行证签发"}),
        ("低保", {"最低生活保障申请"}),
        ("驾照", {"机动车驾驶证换证"}),
        ("身份证", {"居民身份证换领"}),
        ("公积金", {"住房公积金提取"}),
        ("结婚证", {"结婚登记"}),
        ("医保", {"城乡居民基本医疗保险参保登记"}),
    ],
)
def test_it_knows_common_colloquial_names(catalogue, query, expected):
    found = names(query)
    assert set(found[: len(expected)]) == expected


def test_it_forgives_a_character_that_sounds_the_same(catalogue):
    result = search_items("不动铲登记")
    assert result.hits[0].name in {"不动产登记查询", "不动产首次登记"}
    assert {h.name for h in result.hits[:2]} == {"不动产登记查询", "不动产首次登记"}
    assert names("社会保显缴费证明")[0] == "社会保险缴费证明打印"
    assert "读音" in search_items("社会保显缴费证明").hits[0].matched


def test_it_forgives_one_wrong_character_that_sounds_different(catalogue):
    assert names("食品经管许可")[0] == "食品经营许可"
    assert names("机动车驾驶证换正")[0] == "机动车驾驶证换证"


def test_it_prefers_the_exact_name(catalogue):
    assert names("结婚登记")[0] == "结婚登记"
    assert names("生育登记")[0] == "生育登记"


def test_it_leaves_out_items_that_share_only_a_common_word(catalogue):
    found = names("不动产登记")
    assert found == ["不动产登记查询", "不动产首次登记"]


def test_it_filters_by_department(catalogue):
    assert set(names("证", department="GAJ")) == {
        "往来港澳通行证签发", "居民身份证换领", "机动车驾驶证换证",
    }  # fmt: skip
    assert set(names("登记", department="SCJG")) == {"个体工商户设立登记", "企业设立登记"}


def test_it_filters_by_theme(catalogue):
    assert set(names("登记", theme="P_HYSY")) == {"生育登记", "结婚登记"}


def test_it_filters_by_channel(catalogue):
    kiosk = names("证明", channel="自助办")
    assert kiosk == ["社会保险缴费证明打印"]
    assert "普通护照签发" not in names("护照", channel="网上办")
    assert names("护照", channel="窗口办") == ["普通护照签发"]


def test_it_filters_by_service_object(catalogue):
    assert set(names("设立登记", service_object="法人")) == {"企业设立登记"}
    assert "企业设立登记" not in names("设立登记", service_object="自然人")


def test_it_lists_filtered_items_by_popularity_when_nothing_is_typed(catalogue):
    result = search_items("", department="GAJ")
    assert result.total == 4
    assert [h.name for h in result.hits] == [
        "居民身份证换领", "机动车驾驶证换证", "普通护照签发", "往来港澳通行证签发",
    ]  # fmt: skip
    assert [h.popularity for h in result.hits] == [310, 250, 120, 100]


def test_it_puts_the_popular_item_first_when_relevance_is_equal(catalogue):
    first, second = search_items("bdc").hits[:2]
    assert first.score == second.score
    assert first.name == "不动产登记查询"
    ServiceItem.objects.filter(pk=catalogue["不动产首次登记"].pk).update(popularity=900)
    assert names("bdc")[:2] == ["不动产首次登记", "不动产登记查询"]


def test_it_does_not_find_an_unpublished_draft(catalogue, county):
    item_draft_save(document=_doc(90, "特困人员救助供养", "MZJ"), actor=county.admin)
    assert search_items("特困人员救助供养").total == 0
    assert search_items("", department="MZJ").total == 2


def test_it_notices_a_newly_published_item_without_a_restart(catalogue, county):
    assert search_items("特困人员").total == 0
    _publish(county, _doc(91, "特困人员救助供养", "MZJ", keywords=["五保"]))
    assert names("特困人员")[0] == "特困人员救助供养"
    assert names("五保")[0] == "特困人员救助供养"


def test_it_notices_a_new_version_of_a_published_item(catalogue, county):
    item = catalogue["最低生活保障申请"]
    doc = dict(item.current.document, keywords=["救济金"])
    item_draft_save(document=doc, actor=county.admin, item=item)
    assert search_items("救济金").total == 0
    item_publish(item=item, actor=county.admin)
    hit = search_items("救济金").hits[0]
    assert hit.name == "最低生活保障申请" and hit.matched == "俗称与关键词“救济金”"


@pytest.mark.parametrize("query", ["", "   ", "！！", "？？。。", "zzzzqqq", "🙂🙂"])
def test_it_returns_nothing_for_an_empty_or_garbage_query(catalogue, query):
    result = search_items(query)
    assert result.total == 0 and result.hits == [] and result.expanded == []


def test_it_cuts_a_very_long_query_safely(catalogue):
    result = search_items("不动产登记" * 400)
    assert len(result.query) <= 64
    assert result.hits[0].name in {"不动产登记查询", "不动产首次登记"}
    assert search_items("ａ" * 2000).total == 0


def test_it_pages_through_results(catalogue):
    everything = search_items("登记", limit=100)
    page = search_items("登记", limit=3, offset=3)
    assert page.total == everything.total > 6
    assert [h.item_id for h in page.hits] == [h.item_id for h in everything.hits[3:6]]


def test_it_carries_what_a_result_row_shows(catalogue):
    hit = search_items("社会保险缴费证明打印").hits[0]
    assert hit.item_id == catalogue["社会保险缴费证明打印"].pk
    assert hit.department_code == "RSJ"
    assert hit.department_name == "清溪县人力资源和社会保障局"
    assert hit.themes == ["P_SHBZ"] and hit.service_objects == ["自然人"]
    assert hit.channels == ["网上办", "自助办", "窗口办"]
    assert hit.popularity == 800 and hit.matched == "名称含“社会保险缴费证明打印”"


def test_it_asks_the_database_one_question_per_search_once_built(
    catalogue, django_assert_num_queries
):
    search_items("社保")
    with django_assert_num_queries(1):
        search_items("不动产", department="ZRZY")
    with django_assert_num_queries(1):
        suggest("bd")
    with django_assert_num_queries(1):
        popular_items()


def test_it_finds_an_item_by_its_code(catalogue):
    assert names("000112233003")[0] == "社会保险缴费证明打印"


def test_it_suggests_while_typing(catalogue):
    assert [h.name for h in suggest("不动")][:2] == ["不动产登记查询", "不动产首次登记"]
    assert suggest("b", limit=3)[0].name.startswith("不动产")
    assert suggest("") == []


def test_it_lists_popular_items(catalogue):
    assert [h.name for h in popular_items(limit=3)] == [
        "社会保险缴费证明打印", "不动产登记查询", "个体工商户设立登记",
    ]  # fmt: skip
    assert [h.name for h in popular_items(service_object="法人")] == [
        "企业设立登记",
        "食品经营许可",
    ]


def test_it_says_which_word_it_heard_behind_a_typo(catalogue):
    hit = search_items("不动铲登记").hits[0]
    assert hit.matched == "读音相同，按“不动产登记”匹配"


def test_it_also_looks_for_the_colloquial_word_when_the_standard_one_is_typed(catalogue, county):
    _publish(county, _doc(92, "困难群众医疗救助", "MZJ", keywords=["医保报销"]))
    result = search_items("医疗保险")
    assert "困难群众医疗救助" in [h.name for h in result.hits]
    assert result.expanded == []  # 医保 is a colloquialism: searched, not announced


def test_it_segments_with_the_domain_words():
    from zhili.catalogue.search_text import words

    assert "不动产" in words("不动产登记查询")
    assert "个体工商户" in words("个体工商户设立登记")
    assert "出入境" in words("出入境证件办理")


def test_it_knows_forty_colloquialisms_or_more():
    from zhili.catalogue.search_text import synonyms

    table = {k: s.targets for k, s in synonyms().items() if s.shown}
    assert len(table) >= 40
    assert table["社保"] == ("社会保险",)
    assert table["准生证"][0] == "生育登记"
    assert table["房产证"] == ("不动产权证书",)
    assert table["营业执照"] == ("个体工商户设立登记", "企业设立登记")
    assert table["退休"] == ("退休", "养老")
