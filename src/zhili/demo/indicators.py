"""The demo county's indicators (指标) over the demo datasets, as data.

Each is a numerator (and maybe a denominator) over fields of
``zhili.demo.datasets``, in the formula shape of ``zhili.datahub.formulas``:
``{"dataset", "field", "agg", "filters"}``; value = numerator / denominator ×
scale. ``key`` marks the eight the leaders' dashboard shows first. A yearly
indicator may read a monthly dataset (12 complete months make a year), never
the other way round; both parts are keyed by villages. Rates of a few cases
a month (disputes mediated, river issues fixed) are quarterly: a village's
monthly rate of four disputes jumps in steps of 25 points.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from zhili.datahub.models import Dataset, Indicator
from zhili.demo.datasets import spec_by_code


def part(dataset: str, field: str, agg: str = "sum", **filters: Any) -> dict[str, Any]:
    """A formula part; ``filters`` as ``field=(op, value)``."""
    return {
        "dataset": dataset,
        "field": field,
        "agg": agg,
        "filters": [{"field": k, "op": op, "value": v} for k, (op, v) in filters.items()],
    }


@dataclass(frozen=True)
class IndicatorSpec:
    code: str
    name: str
    category: str
    unit: str
    numerator: dict[str, Any]
    denominator: dict[str, Any] | None = None
    scale: float = 1.0
    frequency: str = "monthly"
    direction: str = "up"
    decimals: int = 1
    key: bool = False


M, Q, Y = "monthly", "quarterly", "yearly"
POPULATION = part("tjj_population", "resident_population")

# fmt: off
INDICATORS: list[IndicatorSpec] = [
    # 集体经济与收入
    IndicatorSpec("collective_income_per_capita", "村集体经济人均收入", "集体经济", "元/人",
                  part("nync_collective_income", "total_income"), POPULATION, 10000, Y, decimals=0, key=True),
    IndicatorSpec("collective_operating_income", "村集体经营性收入", "集体经济", "万元",
                  part("nync_collective_income", "operating_income"), frequency=Y),
    IndicatorSpec("rural_income", "农村居民人均可支配收入", "集体经济", "元",
                  part("nync_rural_income", "per_capita", "avg"), frequency=Y, decimals=0, key=True),
    # 乡村旅游
    IndicatorSpec("tourism_visitors", "乡村旅游接待游客", "乡村旅游", "人次",
                  part("wglt_visitors", "visitors"), decimals=0, key=True),
    IndicatorSpec("tourism_revenue", "乡村旅游收入", "乡村旅游", "万元", part("wglt_visitors", "revenue")),
    IndicatorSpec("overnight_share", "过夜游客占比", "乡村旅游", "%",
                  part("wglt_visitors", "overnight"), part("wglt_visitors", "visitors"), 100),
    IndicatorSpec("homestay_occupancy", "民宿入住率", "乡村旅游", "%",
                  part("wglt_homestays", "occupied"), part("wglt_homestays", "available"), 100, key=True),
    # 社会保障
    IndicatorSpec("pension_coverage", "基本养老保险参保率", "社会保障", "%",
                  part("rsj_pension_coverage", "insured"), part("rsj_pension_coverage", "should_insure"),
                  100, Y, key=True),
    IndicatorSpec("medical_coverage", "基本医疗保险参保率", "社会保障", "%",
                  part("ybj_coverage", "insured"), part("ybj_coverage", "should_insure"), 100, Y),
    IndicatorSpec("labour_transfer_rate", "农村劳动力转移就业率", "就业创业", "%",
                  part("rsj_rural_labour", "transferred"), part("rsj_rural_labour", "labour"), 100, Q),
    # 党建引领
    IndicatorSpec("party_members_per_100", "每百名常住人口党员数", "党建引领", "人",
                  part("dsj_party_members", "members"), POPULATION, 100, Y, decimals=2, key=True),
    IndicatorSpec("young_party_share", "35岁及以下党员占比", "党建引领", "%",
                  part("dsj_party_members", "under_35"), part("dsj_party_members", "members"), 100, Y),
    IndicatorSpec("party_day_attendance", "主题党日参加党员", "党建引领", "人次",
                  part("dsj_party_activities", "attendance"), decimals=0),
    # 农业与设施农业
    IndicatorSpec("greenhouse_output_per_mu", "大棚亩均产值", "设施农业", "元/亩",
                  part("nync_greenhouses", "output_value"), part("nync_greenhouses", "area"), 10000, decimals=0),
    IndicatorSpec("grain_yield", "粮食单产", "农业与土地", "公斤/亩",
                  part("nync_grain", "output"), part("nync_grain", "sown"), 1000, Y, decimals=0),
    IndicatorSpec("land_transfer_rate", "土地流转率", "农业与土地", "%",
                  part("nync_land_transfer", "transferred"), part("nync_land_transfer", "contracted"), 100, Y),
    IndicatorSpec("pesticide_use", "农药使用量", "农业与土地", "吨",
                  part("nync_agrochemicals", "pesticide"), frequency=Y, direction="down", decimals=2),
    # 教育、卫生
    IndicatorSpec("enrolment_rate", "义务教育适龄儿童入学率", "教育", "%",
                  part("jyj_enrolment", "enrolled"), part("jyj_enrolment", "school_age"), 100, Y, decimals=2),
    IndicatorSpec("clinic_visits_per_1000", "村卫生室每千人诊疗人次", "医疗卫生", "人次",
                  part("wjj_clinic_visits", "visits"), part("wjj_clinic_visits", "served_population"),
                  1000, key=True),
    IndicatorSpec("family_doctor_rate", "家庭医生签约率", "医疗卫生", "%",
                  part("wjj_family_doctors", "signed"), part("wjj_family_doctors", "population"), 100, Q),
    IndicatorSpec("elderly_checkup_rate", "老年人健康体检率", "医疗卫生", "%",
                  part("wjj_elderly_checkups", "checked"), part("wjj_elderly_checkups", "aged_65"), 100, Y),
    IndicatorSpec("elderly_share", "60岁及以上人口占比", "人口与户籍", "%",
                  part("tjj_population", "aged_60"), POPULATION, 100, Y, direction="down"),
    # 生态环境
    IndicatorSpec("garbage_sorting_rate", "生活垃圾分类收运率", "生态环境", "%",
                  part("zjj_garbage", "sorted"), part("zjj_garbage", "total"), 100, key=True),
    IndicatorSpec("water_quality_good", "出境断面水质达标率（I-III类）", "生态环境", "%",
                  part("sthj_water_quality", "", "count", water_class=("in", ["I", "II", "III"])),
                  part("sthj_water_quality", "", "count"), 100),
    IndicatorSpec("ammonia", "断面氨氮浓度", "生态环境", "毫克/升",
                  part("sthj_water_quality", "ammonia", "avg"), direction="down", decimals=3),
    IndicatorSpec("sewage_compliance", "农村污水处理设施出水达标率", "生态环境", "%",
                  part("sthj_rural_sewage", "compliance", "avg"), frequency=Y),
    IndicatorSpec("forest_coverage", "森林覆盖率", "林业", "%",
                  part("lyj_forest_resources", "coverage", "avg"), frequency=Y),
    # 基础设施与数字乡村
    IndicatorSpec("broadband_coverage", "宽带入户率", "数字乡村", "%",
                  part("jxj_broadband", "connected"), part("jxj_broadband", "households"), 100, Y),
    IndicatorSpec("road_condition", "农村公路路况优良率", "交通出行", "%",
                  part("jtj_rural_roads", "good_condition", "avg"), frequency=Y),
    IndicatorSpec("drinking_water_compliance", "饮用水水质达标人口比例", "水利", "%",
                  part("slj_drinking_water", "compliant"), part("slj_drinking_water", "covered"), 100, Y),
    IndicatorSpec("water_supply", "村级供水量", "水利", "吨", part("zls_water_supply", "supply"), decimals=0),
    IndicatorSpec("river_issue_fix_rate", "河长巡河问题整改率", "水利", "%",
                  part("slj_river_chiefs", "fixed"), part("slj_river_chiefs", "issues"), 100, Q),
    IndicatorSpec("power_per_household", "户均居民生活用电", "能源", "千瓦时",
                  part("gdgs_power_use", "residential"), part("gdgs_power_use", "accounts"), 10000),
    # 基层治理与平安
    IndicatorSpec("grid_closure_rate", "基层治理事件办结率", "基层治理", "%",
                  part("dsj_grid_governance", "closed"), part("dsj_grid_governance", "events"), 100),
    IndicatorSpec("hotline_requests", "12345群众诉求", "基层治理", "件",
                  part("dsj_hotline_12345", "requests"), direction="down", decimals=0),
    IndicatorSpec("hotline_satisfaction", "12345诉求满意率", "基层治理", "%",
                  part("dsj_hotline_12345", "satisfaction", "avg")),
    IndicatorSpec("mediation_success_rate", "人民调解成功率", "基层治理", "%",
                  part("sfj_mediation", "resolved"), part("sfj_mediation", "disputes"), 100, Q),
    IndicatorSpec("incidents_per_10k", "每万人警情数", "平安建设", "起",
                  part("gaj_police_incidents", "incidents"), POPULATION, 10000, Y, direction="down"),
    IndicatorSpec("hazard_fix_rate", "安全隐患整改率", "平安建设", "%",
                  part("yjgl_hazards", "fixed"), part("yjgl_hazards", "found"), 100, Q),
    IndicatorSpec("fraud_loss", "电信网络诈骗损失", "平安建设", "万元",
                  part("gaj_telecom_fraud", "loss"), direction="down", decimals=2),
    IndicatorSpec("traffic_accidents", "道路交通事故", "平安建设", "起",
                  part("jjdd_accidents", "accidents"), direction="down", decimals=0),
    IndicatorSpec("fires", "火灾起数", "平安建设", "起", part("xfjy_fires", "fires"), direction="down", decimals=0),
    IndicatorSpec("new_enterprises", "新设企业", "产业与市场", "户",
                  part("scjg_new_entities", "new_enterprises"), decimals=0),
]
# fmt: on


def _field_title(p: dict[str, Any]) -> str:
    spec = spec_by_code().get(p["dataset"])
    if spec is None:
        return p["dataset"]
    titles = {f.name: f.title for f in spec.fields}
    what = titles.get(p["field"], "记录数") if p["field"] else "记录数"
    if p.get("filters"):
        what += "（" + "，".join(
            f"{titles.get(f['field'], f['field'])}为{'、'.join(map(str, f['value']))}"
            if isinstance(f["value"], list) else f"{titles.get(f['field'], f['field'])}{f['op']}{f['value']}"
            for f in p["filters"]
        ) + "）"  # fmt: skip
    return f"{spec.name}·{what}"


def description(spec: IndicatorSpec) -> str:
    """The indicator's definition in words: 口径：A ÷ B × 100."""
    text = f"口径：{_field_title(spec.numerator)}"
    if spec.denominator:
        text += f" ÷ {_field_title(spec.denominator)}"
    if spec.scale != 1:
        text += f" × {spec.scale:g}"
    return text + "。"


def indicators_load() -> int:
    """Create the demo indicators whose datasets exist and which are not there yet."""
    codes = {s.numerator["dataset"] for s in INDICATORS}
    codes |= {s.denominator["dataset"] for s in INDICATORS if s.denominator}
    datasets = {
        d.code: d for d in Dataset.objects.filter(code__in=codes).select_related("department")
    }
    existing = set(Indicator.objects.values_list("code", flat=True))
    created = 0
    for s in INDICATORS:
        parts = [s.numerator, s.denominator] if s.denominator else [s.numerator]
        if s.code in existing or any(p["dataset"] not in datasets for p in parts):
            continue
        Indicator.objects.create(
            code=s.code, name=s.name, category=s.category, unit=s.unit, direction=s.direction,
            description=description(s), numerator=s.numerator, denominator=s.denominator,
            scale=s.scale, decimals=s.decimals, frequency=s.frequency, key=s.key,
            owner=datasets[s.numerator["dataset"]].department,
        )  # fmt: skip
        created += 1
    return created
