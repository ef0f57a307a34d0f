"""Catalogue search over 10,000 published items: build, change detection, queries.

    .venv/bin/python bench/search_index.py [--items 10000] [--repeat 30]

Runs against a fresh SQLite file under /tmp (never the project's database),
prints the figures and asserts nothing. Items are written with bulk_create,
not through the publishing service, so the setup takes seconds.
"""

from __future__ import annotations

import argparse
import copy
import gc
import os
import random
import resource
import statistics
import sys
import tempfile
import time
from collections.abc import Callable
from functools import partial
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parents[1]

# Real item names, cut into a core and the business that is done with it.
CORES = [
    ("不动产", "ZRZY", "P_ZFFC", ["房产证"]), ("国有建设用地使用权", "ZRZY", "L_GCJS", []),
    ("宅基地使用权及房屋所有权", "ZRZY", "P_ZFFC", ["农房"]), ("抵押权", "ZRZY", "P_ZFFC", []),
    ("社会保险", "RSJ", "P_SHBZ", ["社保"]), ("城乡居民基本养老保险", "RSJ", "P_SHBZ", ["农保"]),
    ("失业保险金", "RSJ", "P_SHBZ", ["失业金"]), ("工伤保险", "RSJ", "P_SHBZ", ["工伤"]),
    ("职工基本医疗保险", "YBJ", "P_SHBZ", ["医保"]), ("生育保险", "YBJ", "P_HYSY", []),
    ("城乡居民基本医疗保险", "YBJ", "P_SHBZ", ["新农合"]), ("生育", "WJJ", "P_HYSY", ["准生证"]),
    ("出生医学证明", "WJJ", "P_HYSY", ["出生证"]), ("医疗机构执业", "WJJ", "L_YLWS", []),
    ("公共场所卫生许可", "WJJ", "L_YLWS", ["卫生许可证"]), ("普通护照", "GAJ", "P_CRJ", ["护照"]),
    ("往来港澳通行证", "GAJ", "P_CRJ", ["港澳通行证"]), ("居民身份证", "GAJ", "P_HJ", ["身份证"]),
    ("居住证", "GAJ", "P_HJ", ["暂住证"]), ("户口迁移", "GAJ", "P_HJ", ["迁户口"]),
    ("机动车驾驶证", "GAJ", "P_CXJT", ["驾照"]), ("机动车", "GAJ", "P_CXJT", ["上牌"]),
    ("个体工商户", "SCJG", "P_JYCY", ["个体户"]), ("企业", "SCJG", "L_KBQY", ["公司"]),
    ("农民专业合作社", "SCJG", "L_KBQY", []), ("食品经营许可", "SCJG", "L_SPJY", ["食品许可证"]),
    ("食品生产许可", "SCJG", "L_SPJY", []), ("药品零售企业许可", "SCJG", "L_YLWS", []),
    ("结婚", "MZJ", "P_HYSY", ["结婚证"]), ("离婚", "MZJ", "P_HYSY", ["离婚证"]),
    ("最低生活保障", "MZJ", "P_SHJZ", ["低保"]), ("特困人员救助供养", "MZJ", "P_SHJZ", ["五保"]),
    ("临时救助", "MZJ", "P_SHJZ", []), ("残疾人证", "CL", "P_CJR", ["残疾证"]),
    ("住房公积金", "GJJ", "P_ZFFC", ["公积金"]), ("建设工程规划许可", "ZRZY", "L_GCJS", []),
    ("建筑工程施工许可", "ZJJ", "L_GCJS", []), ("燃气经营许可", "ZJJ", "L_KBQY", []),
    ("教师资格", "JYJ", "P_JYPX", ["教师资格证"]), ("民办学校办学许可", "JYJ", "L_JYPX", []),
    ("取水许可", "SLJ", "L_GCJS", []), ("林木采伐许可", "LYJ", "P_NLMY", ["砍树"]),
    ("动物防疫条件合格证", "NYJ", "L_NLMY", []), ("农药经营许可", "NYJ", "L_NLMY", []),
    ("烟草专卖零售许可", "YC", "L_KBQY", ["烟草证"]), ("道路运输经营许可", "JTJ", "L_JTYS", []),
    ("出租汽车驾驶员从业资格", "JTJ", "P_CXJT", []), ("排污许可", "STHJ", "L_HJBH", []),
]  # fmt: skip
ACTIONS = [
    "设立登记", "变更登记", "注销登记", "首次登记", "转移登记", "抵押登记", "更正登记", "查询",
    "证明打印", "参保登记", "待遇申领", "缴费证明打印", "申请", "核发", "换证", "补证", "签发",
    "延续", "备案", "认定", "资格确认", "信息变更", "补领", "注销", "审批",
]  # fmt: skip
PREFIXES = ["", "", "", "", "城镇", "农村", "灵活就业人员", "外国人", "港澳台居民", "残疾人"]
SUFFIXES = [
    "",
    "",
    "",
    "",
    "（个人）",
    "（单位）",
    "（网上办理）",
    "（委托代办）",
    "（东山镇）",
    "（西坞乡）",
]
DEPARTMENTS = {
    "ZRZY": "清溪县自然资源和规划局", "RSJ": "清溪县人力资源和社会保障局",
    "YBJ": "清溪县医疗保障局", "WJJ": "清溪县卫生健康局", "GAJ": "清溪县公安局",
    "SCJG": "清溪县市场监督管理局", "MZJ": "清溪县民政局", "CL": "清溪县残疾人联合会",
    "GJJ": "湖州市住房公积金管理中心清溪分中心", "ZJJ": "清溪县住房和城乡建设局",
    "JYJ": "清溪县教育局", "SLJ": "清溪县水利局", "LYJ": "清溪县林业局",
    "NYJ": "清溪县农业农村局", "YC": "清溪县烟草专卖局", "JTJ": "清溪县交通运输局",
    "STHJ": "湖州市生态环境局清溪分局",
}  # fmt: skip
SUPPORTS = [
    ["网上预约", "物流快递", "自助终端", "村级代办", "掌上办"],
    ["网上预约", "物流快递", "掌上办"],
    ["网上预约", "自助终端"],
    ["村级代办"],
]
QUERIES = {
    "initials": ["bdc", "gtgsh", "sbjf", "jhdj", "b"],
    "pinyin": ["budongchan", "shebao", "jiehundengji", "huzhao", "shehuib"],
    "words": ["不动产登记", "社会保险缴费证明", "食品经营许可", "护照", "登记", "证明打印"],
    "synonyms": ["社保", "准生证", "营业执照", "驾照换证", "低保", "公积金", "房产证"],
    "typos": ["不动铲登记", "社会保显缴费证明", "食品经管许可", "结昏登记"],
    "questions": ["我想办准生证需要什么材料", "护照怎么办", "社保在哪里交"],
    "garbage": ["", "！！", "zzzzqqq", "不动产登记" * 400],
}


def setup_django(db_path: Path) -> None:
    os.environ["DATABASE_URL"] = f"sqlite:///{db_path}"
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "zhili.settings")
    sys.path.insert(0, str(REPO / "src"))
    sys.path.insert(0, str(REPO))
    import django

    django.setup()
    from django.core.management import call_command

    call_command("migrate", verbosity=0)


def documents(n: int, rng: random.Random) -> list[dict[str, Any]]:
    from tests.factories import item_doc

    base = item_doc()
    out = []
    for i in range(n):
        core, dept, theme, keywords = CORES[i % len(CORES)]
        action = ACTIONS[(i // len(CORES)) % len(ACTIONS)]
        doc = copy.deepcopy(base)
        basic = f"{i + 1:012d}"
        doc.update(
            basic_code=basic,
            impl_code=f"11330599MB0000001U{basic}001",
            name=rng.choice(PREFIXES) + core + action + rng.choice(SUFFIXES),
            department=dept,
            themes=[theme],
            keywords=[*keywords, core + action[:2]],
            result_name=core + "证明" if action.endswith("打印") else "",
            supports=rng.choice(SUPPORTS),
            service_objects=["法人"] if theme.startswith("L_") else ["自然人"],
        )
        for m in doc["materials"]:
            m["name"] = m["name"].replace("个体工商户", core)
        out.append(doc)
    return out


def populate(n: int, rng: random.Random) -> None:
    from django.db import transaction
    from django.utils import timezone

    from zhili.catalogue.models import ItemVersion, ServiceItem
    from zhili.divisions.models import Department, Division

    county = Division.objects.create(code="330599000000", name="清溪县", level="county")
    depts = {
        code: Department.objects.create(code=code, name=name, division=county)
        for code, name in DEPARTMENTS.items()
    }
    docs = documents(n, rng)
    now = timezone.now()
    with transaction.atomic():
        items = ServiceItem.objects.bulk_create(
            ServiceItem(
                impl_code=d["impl_code"],
                basic_code=d["basic_code"],
                name=d["name"],
                department=depts[d["department"]],
                popularity=int(rng.paretovariate(1.2) * 10),
            )
            for d in docs
        )
        versions = ItemVersion.objects.bulk_create(
            ItemVersion(
                item=item, number=1, status=ItemVersion.PUBLISHED, document=d, published_at=now
            )
            for item, d in zip(items, docs, strict=True)
        )
        for item, v in zip(items, versions, strict=True):
            item.current = v
        ServiceItem.objects.bulk_update(items, ["current"], batch_size=1000)


def timings(func: Callable[[], Any], repeat: int) -> list[float]:
    out = []
    for _ in range(repeat):
        start = time.perf_counter()
        func()
        out.append((time.perf_counter() - start) * 1000)
    return out


def summary(label: str, ms: list[float]) -> None:
    ms = sorted(ms)
    p95 = ms[min(len(ms) - 1, round(0.95 * (len(ms) - 1)))]
    print(
        f"  {label:<34} median {statistics.median(ms):7.2f} ms   "
        f"p95 {p95:7.2f} ms   max {ms[-1]:7.2f} ms   (n={len(ms)})"
    )


def once(label: str, func: Callable[[], Any]) -> Any:
    start = time.perf_counter()
    result = func()
    print(f"  {label:<34} {time.perf_counter() - start:8.2f} s")
    return result


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--items", type=int, default=10_000)
    parser.add_argument("--repeat", type=int, default=30)
    args = parser.parse_args()
    tmp = Path(tempfile.mkdtemp(prefix="zhili-bench-search-"))
    setup_django(tmp / "bench.sqlite3")
    rng = random.Random(20250101)
    print(f"catalogue search, {args.items} published items, SQLite at {tmp}")
    once("write the catalogue (bulk)", lambda: populate(args.items, rng))

    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from zhili.catalogue import freshness, search
    from zhili.catalogue.models import ServiceItem

    print("index")
    rss_before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    once("cold build (jieba load + all items)", lambda: search.search_items("社保"))
    gc.collect()
    rss_after = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    index = search._state.index  # type: ignore[union-attr]
    postings = sum(p.df for p in index.postings.values())
    print(
        f"  {'size':<34} {len(index)} entries, {len(index.postings)} terms, "
        f"{postings} postings, peak RSS +{(rss_after - rss_before) / 1024:.0f} MB"
    )
    search._state = None  # keep the entry cache: a rebuild after a publish
    once("rebuild, every entry cached", lambda: search.search_items("社保"))
    first = ServiceItem.objects.order_by("pk").values_list("pk", flat=True)[0]
    ServiceItem.objects.filter(pk=first).update(popularity=123456)
    once("popularity refresh", lambda: search.search_items("社保"))

    print("change check (one aggregate query, asked at most every ZHILI_CATALOGUE_REFRESH_SECONDS)")
    summary("signature query", timings(freshness._query, args.repeat * 3))
    with CaptureQueriesContext(connection) as ctx:
        search.search_items("不动产登记", department="ZRZY")
    print(f"  {'queries per search':<34} {len(ctx.captured_queries)}")

    print("search_items (limit 20), index warm")
    everything: list[float] = []
    for kind, queries in QUERIES.items():
        ms: list[float] = []
        for q in queries:
            ms += timings(partial(search.search_items, q), args.repeat)
        everything += ms
        summary(kind, ms)
    ms = []
    filter_sets: list[dict[str, Any]] = [
        {"department": "GAJ"},
        {"theme": "P_SHBZ"},
        {"channel": "自助办"},
        {"service_object": "法人"},
    ]
    for filters in filter_sets:
        ms += timings(partial(search.search_items, "登记", **filters), args.repeat)
        ms += timings(partial(search.search_items, "", **filters), args.repeat)
    everything += ms
    summary("filters (with and without query)", ms)
    summary("ALL search_items", everything)

    print("suggest (limit 8) and popular_items (limit 12)")
    ms = []
    for q in ["b", "bd", "bdc", "不", "不动", "不动产", "she", "社保"]:
        ms += timings(partial(search.suggest, q), args.repeat)
    summary("suggest", ms)
    summary("popular_items", timings(search.popular_items, args.repeat))

    print("sample results")
    for q in ["bdc", "shebao", "不动铲登记", "准生证", "营业执照"]:
        r = search.search_items(q, limit=3)
        top = "；".join(f"{h.name}（{h.matched}）" for h in r.hits)
        print(f"  {q:<12} {r.total:>5} found: {top}")


if __name__ == "__main__":
    main()
