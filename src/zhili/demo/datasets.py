"""The demo county's datasets as data: 282 categories from the 58 departments.

Each ``DatasetSpec`` is one dataset of the catalogue (code, name, category,
owning department, frequency, sharing, division level) and each of its
``FieldSpec`` both a Table Schema field (title, unit, type, constraints) and
the recipe that ``zhili.demo.datasets_load`` generates its values from:

- ``per``: what the value scales with in a village (``pop`` 常住人口, ``hh``
  户数, ``farm`` 耕地亩, ``forest`` 林地亩, ``tour`` a rural-tourism weight
  that is near 0 outside the tourist villages, ``gh`` 大棚亩, ``ind`` an
  enterprise weight, ``area`` km², ``one`` a constant), or ``@field``: a share
  of another field of the same dataset (``cap`` keeps it at most that field;
  a capped share of a half or more is a completion rate, whose noise is
  drawn on the part not done);
- ``rate``: the value per unit of ``per`` per period of the dataset (for a
  share, the share), drawn per village around it with ``spread`` (log sd);
- ``trend`` % a year (points a year for percentages and levels, probability
  points for flags), varied per village; ``season``: a monthly profile of
  ``SEASONS``; ``noise``: the month-to-month noise (log sd, or points);
- ``link``: the same quantity in another dataset (60岁及以上人口 of 统计局 and
  民政局), drawn alike so that the two agree.

Flows (visitors, output) are summed into quarters and years; stocks (land,
people) are the value at the period's end; levels and percentages are the
period's mean. ``PLANTED_ANOMALIES`` and ``PLANTED_INCONSISTENCIES`` are
the deliberate faults the analytics and the quality board must find.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from zhili.demo import names
from zhili.demo.departments import town_department_code

FREQUENCIES = {"M": "monthly", "Q": "quarterly", "Y": "yearly"}
SHARING = {"O": "open", "S": "shared", "R": "restricted"}

# Monthly profiles, January first; each is scaled to a mean of 1 where it is used.
SEASONS: dict[str, tuple[float, ...]] = {
    "flat": (1,) * 12,
    # 春节, 清明/五一 in spring, the summer holidays, 国庆 golden week, autumn leaves.
    "tourism": (0.55, 0.85, 0.9, 1.25, 1.35, 0.9, 1.1, 1.2, 0.95, 1.6, 1.05, 0.6),
    "festival": (1.35, 1.25, 0.9, 0.9, 0.95, 0.95, 0.9, 0.9, 0.95, 1.05, 0.95, 1.15),
    "tea": (0.0, 0.1, 1.6, 3.2, 2.4, 1.2, 0.7, 0.6, 0.5, 0.4, 0.1, 0.0),
    "fruit": (0.1, 0.1, 0.2, 0.3, 0.6, 1.5, 2.2, 2.4, 2.0, 1.5, 0.7, 0.3),
    "greenhouse": (1.25, 1.1, 1.3, 1.2, 1.0, 0.8, 0.6, 0.6, 0.8, 1.0, 1.2, 1.3),
    "bamboo": (0.6, 0.8, 2.2, 3.0, 1.6, 0.5, 0.3, 0.3, 0.4, 0.6, 0.9, 1.2),
    "power": (1.2, 1.15, 0.9, 0.85, 0.85, 0.95, 1.3, 1.35, 1.0, 0.85, 0.85, 1.0),
    "water": (0.9, 0.85, 0.9, 0.95, 1.0, 1.05, 1.2, 1.2, 1.1, 1.0, 0.95, 0.9),
    "gas": (1.6, 1.5, 1.2, 0.9, 0.75, 0.7, 0.65, 0.65, 0.7, 0.85, 1.1, 1.45),
    # 梅雨 in June, typhoons in August and September.
    "rain": (70, 80, 120, 115, 130, 230, 160, 190, 140, 70, 60, 45),
    "typhoon": (0.1, 0.1, 0.3, 0.5, 0.8, 2.5, 1.5, 2.8, 2.2, 0.8, 0.2, 0.1),
    "temperature": (4.5, 6.5, 10.5, 16.5, 21.5, 25, 29, 28.5, 24.5, 19, 13, 7),
    "sunshine": (110, 105, 125, 145, 160, 135, 215, 210, 160, 150, 130, 125),
    "flu": (1.4, 1.2, 1.0, 0.9, 0.85, 0.8, 0.85, 0.85, 0.85, 0.9, 1.05, 1.3),
    "school": (0.9, 0.5, 1.1, 1.1, 1.1, 1.0, 0.6, 0.6, 1.1, 1.1, 1.1, 1.0),
    "fire": (1.5, 1.8, 1.5, 1.3, 0.8, 0.5, 0.5, 0.5, 0.7, 0.9, 1.0, 1.3),
    "farmwork": (0.6, 0.6, 1.0, 1.3, 1.4, 1.3, 1.1, 1.0, 1.1, 1.2, 0.9, 0.7),
    "construction": (0.8, 0.4, 1.0, 1.1, 1.1, 1.1, 1.0, 1.0, 1.1, 1.15, 1.1, 1.05),
    "travel": (1.3, 1.4, 0.9, 0.9, 1.0, 0.9, 1.2, 1.3, 0.9, 1.2, 0.8, 0.9),
    # 七一 and the 主题党日 of the anniversary months.
    "activity": (0.8, 0.7, 1.0, 1.0, 1.0, 1.3, 1.4, 0.9, 1.0, 1.1, 1.0, 0.9),
    "yearend": (0.6, 0.6, 0.8, 0.9, 0.9, 1.1, 0.8, 0.8, 1.0, 0.9, 1.1, 2.5),
    "harvest": (0.2, 0.2, 0.5, 0.8, 1.0, 1.6, 1.0, 0.8, 1.2, 2.0, 1.9, 0.8),
}

SCALES = ("pop", "hh", "farm", "forest", "tour", "gh", "ind", "area", "one")


@dataclass(frozen=True)
class FieldSpec:
    name: str
    title: str
    unit: str
    kind: str  # flow | stock | level | flag | choice
    per: str = "one"
    rate: float = 1.0
    spread: float = 0.3
    trend: float = 0.0
    season: str = "flat"
    noise: float = 0.05
    decimals: int = 0
    required: bool = True
    bounds: tuple[float | None, float | None] = (0.0, None)
    cap: bool = False
    days: bool = False
    choices: tuple[str, ...] = ()
    weights: tuple[float, ...] = ()
    # Fields of different datasets with the same ``link`` count the same thing: their villages
    # draw the same level and trend, so the two datasets agree up to their own noise.
    link: str = ""

    @property
    def type(self) -> str:
        if self.kind == "flag":
            return "boolean"
        if self.kind == "choice":
            return "string"
        if self.kind == "level" or self.decimals:
            return "number"
        return "integer"

    def schema(self) -> dict[str, Any]:
        """The Table Schema field: name, type, title, unit, constraints."""
        constraints: dict[str, Any] = {"required": True} if self.required else {}
        if self.kind == "choice":
            constraints["enum"] = list(self.choices)
        elif self.kind != "flag":
            lo, hi = self.bounds
            if lo is not None:
                constraints["minimum"] = lo if self.type == "number" else int(lo)
            if hi is not None:
                constraints["maximum"] = hi
        out: dict[str, Any] = {"name": self.name, "type": self.type, "title": self.title}
        if self.unit:
            out["unit"] = self.unit
        out["constraints"] = constraints
        return out


@dataclass(frozen=True)
class DatasetSpec:
    code: str
    name: str
    category: str
    department: str
    frequency: str  # monthly | quarterly | yearly
    fields: tuple[FieldSpec, ...]
    sharing: str = "open"
    level: str = "village"  # village | town
    town: str = ""  # a town government's dataset covers only its own villages
    description: str = ""
    keywords: tuple[str, ...] = field(default=())

    def table_schema(self) -> dict[str, Any]:
        pattern = {
            "monthly": r"^\d{4}-(0[1-9]|1[0-2])$",
            "quarterly": r"^\d{4}Q[1-4]$",
            "yearly": r"^\d{4}$",
        }[self.frequency]
        keys = [
            {"name": "division_code", "type": "string", "title": "区划代码",
             "constraints": {"required": True, "pattern": r"^\d{12}$"}},
            {"name": "period", "type": "string", "title": "统计期",
             "constraints": {"required": True, "pattern": pattern}},
        ]  # fmt: skip
        return {
            "fields": keys + [f.schema() for f in self.fields],
            "primaryKey": ["division_code", "period"],
        }


# ---- field constructors: the recipe reads as a line ----


def flow(name: str, title: str, unit: str, per: str, rate: float, **kw: Any) -> FieldSpec:
    """An amount over the period (visitors, output, cases): summed into longer periods."""
    kw.setdefault("noise", 0.08)
    return FieldSpec(name, title, unit, "flow", per, rate, **kw)


def stock(name: str, title: str, unit: str, per: str, rate: float, **kw: Any) -> FieldSpec:
    """A count at the period's end (people, land, facilities)."""
    kw.setdefault("noise", 0.01)
    return FieldSpec(name, title, unit, "stock", per, rate, **kw)


def pct(name: str, title: str, rate: float, spread: float = 3.0, **kw: Any) -> FieldSpec:
    """A percentage in points, 0-100, the period's mean."""
    kw.setdefault("noise", 1.0)
    kw.setdefault("decimals", 1)
    return FieldSpec(name, title, "%", "level", "one", rate, spread, bounds=(0.0, 100.0), **kw)


def level(name: str, title: str, unit: str, rate: float, spread: float, **kw: Any) -> FieldSpec:
    """A measured level (a price, a concentration, a temperature), the period's mean."""
    kw.setdefault("decimals", 2)
    return FieldSpec(name, title, unit, "level", "one", rate, spread, **kw)


def flag(name: str, title: str, rate: float, trend: float = 0.0) -> FieldSpec:
    """Yes or no; ``rate`` the share of villages with yes at the start, ``trend`` points a year."""
    return FieldSpec(name, title, "", "flag", "one", rate, trend=trend, bounds=(None, None))


def choice(
    name: str, title: str, choices: tuple[str, ...], weights: tuple[float, ...], trend: float = 0.0
) -> FieldSpec:
    """One of ``choices`` (best first); ``trend`` points a year moved towards the first."""
    return FieldSpec(
        name, title, "", "choice", trend=trend, noise=0.04, choices=choices, weights=weights,
        bounds=(None, None),
    )  # fmt: skip


def ds(
    department: str,
    code: str,
    name: str,
    category: str,
    frequency: str,
    *fields: FieldSpec,
    sharing: str = "O",
    level: str = "village",
    town: str = "",
    description: str = "",
) -> DatasetSpec:
    return DatasetSpec(
        code=code, name=name, category=category, department=department,
        frequency=FREQUENCIES[frequency], fields=fields, sharing=SHARING[sharing], level=level,
        town=town, description=description,
    )  # fmt: skip


# fmt: off
# Categories (数据分类) of the catalogue.
POP, AGRI, GREEN, TOUR, PARTY, COLL = "人口与户籍", "农业与土地", "设施农业", "乡村旅游", "党建引领", "集体经济"
HEALTH, EDU, SOC, INFRA, ENV, GOV = "医疗卫生", "教育", "社会保障", "基础设施", "生态环境", "基层治理"
SAFE, CULT, MARKET, FIN, JOBS, AID = "平安建设", "文化体育", "产业与市场", "财政税收", "就业创业", "民政救助"
TRAFFIC, WATER, FOREST, WEATHER, ENERGY, DIGI = "交通出行", "水利", "林业", "气象", "能源", "数字乡村"
HOUSING = "住房与不动产"

DATASETS: list[DatasetSpec] = [
    # ---- 发改局 ----
    ds("FGJ", "fgj_village_projects", "村级重点项目投资", MARKET, "Q",
       stock("projects", "在建项目数", "个", "ind", 2.0, spread=0.5),
       flow("investment", "完成投资", "万元", "ind", 180.0, spread=0.6, trend=6, season="construction", decimals=1)),
    ds("FGJ", "fgj_common_prosperity", "共同富裕基本单元建设", COLL, "Y",
       level("low_income_per_capita", "低收入农户人均可支配收入", "元", 17800, 1500, trend=1300, noise=150, decimals=0),
       stock("low_income_households", "低收入农户", "户", "hh", 0.035, spread=0.4, trend=-6)),
    ds("FGJ", "fgj_market_prices", "乡镇集贸市场主要农产品价格", MARKET, "M",
       level("pork_price", "猪肉价格", "元/公斤", 28.0, 0.8, season="festival", noise=1.2, trend=0.3),
       level("rice_price", "大米价格", "元/公斤", 5.6, 0.15, noise=0.08, trend=0.08),
       level("vegetable_price", "蔬菜平均价格", "元/公斤", 6.2, 0.3, season="festival", noise=0.5, trend=0.15),
       level="town"),
    ds("FGJ", "fgj_town_energy", "乡镇能源消费", ENERGY, "Y",
       flow("energy_use", "能源消费总量", "吨标准煤", "ind", 1800.0, spread=0.5, trend=2.5),
       level("energy_intensity", "单位GDP能耗", "吨标准煤/万元", 0.42, 0.05, trend=-0.015, noise=0.01),
       level="town", sharing="S"),
    ds("FGJ", "fgj_rooftop_solar", "分布式光伏", ENERGY, "Y",
       stock("capacity_kw", "光伏装机容量", "千瓦", "hh", 0.9, spread=0.6, trend=25, decimals=1),
       stock("grid_households", "并网户数", "户", "hh", 0.05, spread=0.6, trend=22)),
    ds("FGJ", "fgj_public_facilities", "村级公共服务设施配置", INFRA, "Y",
       stock("service_centres", "村级综合服务中心", "个", "one", 1.0, spread=0.0, noise=0.0),
       stock("facility_area", "公共服务设施面积", "平方米", "pop", 0.45, spread=0.35, trend=4)),
    # ---- 经信局 ----
    ds("JXJ", "jxj_industrial_power", "乡镇工业用电量", ENERGY, "M",
       flow("power", "工业用电量", "万千瓦时", "ind", 55.0, spread=0.6, trend=4, season="power", decimals=1),
       level="town"),
    ds("JXJ", "jxj_micro_parks", "小微企业园", MARKET, "Y",
       stock("tenants", "入驻企业", "个", "ind", 6.0, spread=0.7, trend=5),
       flow("output", "园区产值", "万元", "ind", 5200.0, spread=0.7, trend=7, decimals=1),
       level="town"),
    ds("JXJ", "jxj_broadband", "宽带网络覆盖", DIGI, "Y",
       stock("households", "总户数", "户", "hh", 1.0, spread=0.0, noise=0.002),
       stock("connected", "宽带入户数", "户", "@households", 0.82, spread=0.08, trend=3.5, cap=True),
       flag("gigabit", "千兆光网覆盖", 0.35, trend=14)),
    ds("JXJ", "jxj_5g_sites", "5G基站建设", DIGI, "Y",
       stock("sites", "5G基站数", "个", "area", 0.5, spread=0.5, trend=35),
       pct("coverage", "5G信号覆盖率", 72, spread=8, trend=5)),
    ds("JXJ", "jxj_ecommerce", "农村电子商务", DIGI, "M",
       stock("shops", "电商网店数", "个", "pop", 0.012, spread=0.7, trend=8),
       flow("online_sales", "网络零售额", "万元", "pop", 0.09, spread=0.8, trend=11, season="festival", decimals=1)),
    ds("JXJ", "jxj_digital_scenes", "数字化应用场景", DIGI, "Y",
       stock("scenes", "数字化应用场景", "个", "one", 2.0, spread=0.6, trend=30),
       flow("users", "场景月活跃用户", "人", "pop", 0.18, spread=0.5, trend=20)),
    ds("JXJ", "jxj_enterprises_above", "规模以上工业企业", MARKET, "Y",
       stock("enterprises", "规上工业企业数", "个", "ind", 3.0, spread=0.6, trend=4),
       flow("output", "规上工业总产值", "亿元", "ind", 2.6, spread=0.7, trend=6, decimals=2),
       level="town"),
    # ---- 教育局 ----
    ds("JYJ", "jyj_kindergartens", "幼儿园办学情况", EDU, "Y",
       stock("children", "在园幼儿", "人", "pop", 0.028, spread=0.2, trend=-5),
       stock("teachers", "专任教师", "人", "@children", 0.085, spread=0.1)),
    ds("JYJ", "jyj_primary_schools", "小学办学情况", EDU, "Y",
       stock("schools", "小学数", "所", "pop", 0.0004, spread=0.3),
       stock("pupils", "在校生", "人", "pop", 0.062, spread=0.2, trend=-2),
       stock("teachers", "专任教师", "人", "@pupils", 0.062, spread=0.1),
       level="town"),
    ds("JYJ", "jyj_enrolment", "义务教育适龄儿童入学", EDU, "Y",
       stock("school_age", "适龄儿童", "人", "pop", 0.095, spread=0.15, trend=-2),
       stock("enrolled", "入学儿童", "人", "@school_age", 0.994, spread=0.004, noise=0.002, cap=True)),
    ds("JYJ", "jyj_left_behind_children", "留守儿童关爱", EDU, "Q",
       stock("left_behind", "留守儿童", "人", "pop", 0.006, spread=0.6, trend=-8),
       stock("paired", "结对帮扶", "人", "@left_behind", 0.92, spread=0.05, cap=True),
       sharing="R"),
    ds("JYJ", "jyj_student_aid", "学生资助", EDU, "Y",
       flow("students", "资助学生", "人次", "pop", 0.006, spread=0.5, trend=-3),
       flow("amount", "资助金额", "万元", "@students", 0.18, spread=0.15, decimals=2),
       sharing="R"),
    ds("JYJ", "jyj_school_bus", "农村校车", EDU, "Y",
       stock("routes", "校车线路", "条", "area", 0.18, spread=0.4),
       stock("riders", "乘坐学生", "人", "pop", 0.012, spread=0.5)),
    ds("JYJ", "jyj_community_education", "成人与社区教育培训", EDU, "M",
       flow("sessions", "培训场次", "场", "one", 2.0, spread=0.5, season="school", trend=4),
       flow("trainees", "培训人次", "人次", "@sessions", 28.0, spread=0.3)),
    ds("JYJ", "jyj_migrant_children", "随迁子女就学", EDU, "Y",
       stock("migrant_pupils", "随迁子女在校生", "人", "ind", 35.0, spread=0.8, trend=2),
       stock("public_school", "其中：公办学校就读", "人", "@migrant_pupils", 0.9, spread=0.05, cap=True)),
    ds("JYJ", "jyj_school_meals", "学生营养餐", EDU, "Y",
       flow("covered", "受益学生", "人", "pop", 0.05, spread=0.3, trend=1),
       flow("subsidy", "补助金额", "万元", "@covered", 0.08, spread=0.05, decimals=2),
       level="town"),
    # ---- 科技局 ----
    ds("KJJ", "kjj_tech_envoys", "科技特派员服务", AGRI, "Q",
       flow("visits", "服务次数", "次", "farm", 0.0025, spread=0.5, season="farmwork", trend=5),
       flow("techniques", "推广新技术", "项", "farm", 0.0004, spread=0.5, trend=4)),
    ds("KJJ", "kjj_tech_enterprises", "科技型企业", MARKET, "Y",
       stock("high_tech", "高新技术企业", "个", "ind", 1.6, spread=0.6, trend=9),
       stock("tech_sme", "科技型中小企业", "个", "ind", 4.5, spread=0.6, trend=12),
       level="town"),
    ds("KJJ", "kjj_patents", "专利授权", MARKET, "Y",
       flow("patents", "专利授权", "件", "ind", 26.0, spread=0.7, trend=5),
       flow("inventions", "其中：发明专利", "件", "@patents", 0.18, spread=0.3),
       level="town"),
    ds("KJJ", "kjj_science_outreach", "科普活动", CULT, "Q",
       flow("events", "科普活动", "场", "one", 2.0, spread=0.5),
       flow("participants", "参与人次", "人次", "@events", 55.0, spread=0.3)),
    ds("KJJ", "kjj_demo_bases", "农业科技示范基地", AGRI, "Y",
       stock("bases", "示范基地", "个", "farm", 0.0006, spread=0.6, trend=6),
       stock("base_area", "示范面积", "亩", "farm", 0.05, spread=0.6, trend=6, decimals=1)),
    # ---- 公安局 ----
    ds("GAJ", "gaj_households", "户籍人口与户数", POP, "Y",
       stock("registered_households", "户籍户数", "户", "hh", 1.02, spread=0.03, noise=0.003),
       stock("registered_population", "户籍人口", "人", "pop", 1.04, spread=0.1, noise=0.003),
       stock("resident_population", "常住人口", "人", "pop", 1.0, spread=0.0, noise=0.001),
       sharing="S", description="公安户籍系统按年度末统计的各村（社区）户籍户数、户籍人口和常住人口。"),
    ds("GAJ", "gaj_migrants", "流动人口登记", POP, "M",
       flow("new_registered", "新登记流动人口", "人", "ind", 22.0, spread=0.7, season="festival"),
       stock("registered", "在册流动人口", "人", "ind", 260.0, spread=0.7, trend=2),
       sharing="S"),
    ds("GAJ", "gaj_police_incidents", "治安警情", SAFE, "M",
       flow("incidents", "警情数", "起", "pop", 0.0045, spread=0.3, trend=-4, season="festival"),
       flow("criminal", "刑事案件", "起", "@incidents", 0.12, spread=0.3),
       flow("public_order", "治安案件", "起", "@incidents", 0.22, spread=0.3),
       sharing="S"),
    ds("GAJ", "gaj_telecom_fraud", "电信网络诈骗防范", SAFE, "M",
       flow("cases", "发案数", "起", "pop", 0.0006, spread=0.4, trend=-12),
       flow("loss", "损失金额", "万元", "@cases", 4.5, spread=0.6, noise=0.6, decimals=2),
       flow("dissuaded", "预警劝阻", "人次", "pop", 0.004, spread=0.4, trend=8),
       sharing="S"),
    ds("GAJ", "gaj_cameras", "雪亮工程视频监控", SAFE, "Y",
       stock("cameras", "监控点位", "个", "area", 6.0, spread=0.4, trend=8),
       stock("online", "在线点位", "个", "@cameras", 0.95, spread=0.02, cap=True),
       sharing="S"),
    ds("GAJ", "gaj_births_deaths", "户籍出生与死亡登记", POP, "M",
       flow("births", "出生登记", "人", "pop", 0.00045, spread=0.2, trend=-6),
       flow("deaths", "死亡注销", "人", "pop", 0.00075, spread=0.2, trend=2, season="flu")),
    ds("GAJ", "gaj_id_cards", "居民身份证办理", GOV, "M",
       flow("issued", "身份证办理量", "张", "pop", 0.004, spread=0.2, season="travel"),
       level="town"),
    ds("GAJ", "gaj_dog_registration", "养犬登记", GOV, "Y",
       stock("dogs", "登记犬只", "只", "hh", 0.06, spread=0.4, trend=9)),
    # ---- 民政局 ----
    ds("MZJ", "mzj_dibao", "最低生活保障", AID, "M",
       stock("households", "低保户", "户", "hh", 0.012, spread=0.4, trend=-3),
       stock("people", "低保人数", "人", "@households", 1.5, spread=0.1),
       flow("amount", "发放金额", "万元", "@people", 0.105, spread=0.03, trend=5, noise=0.01, decimals=2),
       sharing="R", description="低保对象的村级汇总，不含个人信息；按《社会救助暂行办法》受限共享。"),
    ds("MZJ", "mzj_tekun", "特困人员供养", AID, "Q",
       stock("people", "特困人员", "人", "pop", 0.0022, spread=0.4, trend=-2),
       stock("institutional", "集中供养", "人", "@people", 0.3, spread=0.3, cap=True),
       sharing="R"),
    ds("MZJ", "mzj_elderly", "老年人口", POP, "Y",
       stock("aged_60", "60周岁及以上", "人", "pop", 0.27, spread=0.12, trend=2.5, noise=0.002, link="aged_60"),
       stock("aged_80", "80周岁及以上", "人", "@aged_60", 0.15, spread=0.1, trend=1.5, cap=True),
       sharing="S"),
    ds("MZJ", "mzj_home_care", "居家养老服务照料中心", AID, "M",
       flow("services", "服务人次", "人次", "pop", 0.05, spread=0.5, trend=6),
       flow("meals", "助餐人次", "人次", "pop", 0.09, spread=0.6, trend=10)),
    ds("MZJ", "mzj_marriages", "婚姻登记", POP, "M",
       flow("marriages", "结婚登记", "对", "pop", 0.00045, spread=0.2, trend=-5, season="festival"),
       flow("divorces", "离婚登记", "对", "pop", 0.00018, spread=0.2, trend=-2),
       level="town"),
    ds("MZJ", "mzj_social_organisations", "社会组织与志愿者", GOV, "Y",
       stock("organisations", "社会组织", "个", "pop", 0.004, spread=0.4, trend=6),
       stock("volunteers", "注册志愿者", "人", "pop", 0.09, spread=0.4, trend=8)),
    ds("MZJ", "mzj_children_in_need", "困境儿童保障", AID, "Q",
       stock("children", "困境儿童", "人", "pop", 0.0012, spread=0.5),
       flow("allowance", "基本生活费发放", "万元", "@children", 0.42, spread=0.05, decimals=2),
       sharing="R"),
    ds("MZJ", "mzj_temporary_aid", "临时救助", AID, "M",
       flow("cases", "救助人次", "人次", "pop", 0.0009, spread=0.5, season="festival"),
       flow("amount", "救助金额", "万元", "@cases", 0.16, spread=0.2, decimals=2),
       sharing="R"),
    ds("MZJ", "mzj_village_affairs", "村务公开与民主议事", GOV, "Q",
       flow("published", "公开事项", "项", "one", 18.0, spread=0.3),
       flow("meetings", "村民代表会议", "次", "one", 2.2, spread=0.3)),
    ds("MZJ", "mzj_care_homes", "养老机构", AID, "Y",
       stock("beds", "养老床位", "张", "pop", 0.012, spread=0.4, trend=3),
       stock("residents", "在院老人", "人", "@beds", 0.62, spread=0.1, cap=True),
       level="town"),
    ds("MZJ", "mzj_disability_allowances", "残疾人两项补贴", AID, "M",
       stock("living", "困难残疾人生活补贴", "人", "pop", 0.006, spread=0.4),
       stock("nursing", "重度残疾人护理补贴", "人", "pop", 0.007, spread=0.4),
       sharing="R"),
    # ---- 司法局 ----
    ds("SFJ", "sfj_mediation", "人民调解", GOV, "M",
       flow("disputes", "受理纠纷", "件", "pop", 0.0018, spread=0.4, trend=-3, season="festival"),
       flow("resolved", "调解成功", "件", "@disputes", 0.95, spread=0.02, noise=0.03, cap=True)),
    ds("SFJ", "sfj_legal_aid", "法律援助", GOV, "Q",
       flow("cases", "法律援助案件", "件", "pop", 0.0012, spread=0.4),
       level="town"),
    ds("SFJ", "sfj_community_corrections", "社区矫正", SAFE, "Q",
       stock("people", "在册社区矫正对象", "人", "pop", 0.0011, spread=0.6, trend=-4),
       sharing="R"),
    ds("SFJ", "sfj_village_lawyers", "一村一法律顾问", GOV, "Q",
       flow("services", "法律服务次数", "次", "one", 6.0, spread=0.4, trend=3),
       flow("lectures", "法治讲座", "场", "one", 1.2, spread=0.4)),
    ds("SFJ", "sfj_rule_of_law_villages", "民主法治村创建", GOV, "Y",
       choice("grade", "民主法治村等级", ("省级", "市级", "县级", "未创建"), (0.12, 0.3, 0.4, 0.18), trend=4)),
    ds("SFJ", "sfj_public_legal_services", "公共法律服务", GOV, "M",
       flow("consultations", "法律咨询", "人次", "pop", 0.004, spread=0.4, trend=5),
       level="town"),
    # ---- 财政局 ----
    ds("CZJ", "czj_village_transfers", "村级转移支付", FIN, "Y",
       flow("transfers", "转移支付资金", "万元", "one", 46.0, spread=0.3, trend=3, decimals=1),
       sharing="S"),
    ds("CZJ", "czj_farm_subsidies", "惠民惠农补贴一卡通", FIN, "Q",
       flow("payments", "发放人次", "人次", "pop", 0.2, spread=0.3),
       flow("amount", "发放金额", "万元", "@payments", 0.05, spread=0.2, decimals=2),
       sharing="S"),
    ds("CZJ", "czj_town_finance", "乡镇财政收支", FIN, "Q",
       flow("revenue", "一般公共预算收入", "万元", "ind", 900.0, spread=0.6, trend=5, season="yearend", decimals=1),
       flow("spending", "一般公共预算支出", "万元", "pop", 0.28, spread=0.3, trend=4, season="yearend", decimals=1),
       level="town", sharing="S"),
    ds("CZJ", "czj_village_debt", "村级债务", COLL, "Y",
       stock("debt", "债务余额", "万元", "one", 60.0, spread=0.9, trend=-10, decimals=1),
       sharing="S"),
    ds("CZJ", "czj_village_assets", "村级集体资产", COLL, "Y",
       stock("assets", "资产总额", "万元", "pop", 0.75, spread=0.6, trend=6, decimals=1),
       stock("operating_assets", "经营性资产", "万元", "@assets", 0.42, spread=0.3, trend=3, cap=True, decimals=1)),
    ds("CZJ", "czj_public_welfare", "村级公益事业一事一议", FIN, "Y",
       flow("projects", "奖补项目", "个", "one", 1.5, spread=0.5),
       flow("subsidy", "财政奖补", "万元", "@projects", 18.0, spread=0.3, decimals=1)),
    # ---- 人力社保局 ----
    ds("RSJ", "rsj_pension_coverage", "基本养老保险参保", SOC, "Y",
       stock("should_insure", "应参保人数", "人", "pop", 0.7, spread=0.05, noise=0.003),
       stock("insured", "参保人数", "人", "@should_insure", 0.93, spread=0.02, trend=0.8, noise=0.004, cap=True),
       stock("employees", "其中：职工养老保险", "人", "@insured", 0.45, spread=0.3, trend=3, cap=True),
       sharing="S"),
    ds("RSJ", "rsj_rural_labour", "农村劳动力转移就业", JOBS, "Q",
       stock("labour", "农村劳动力", "人", "pop", 0.6, spread=0.06, noise=0.003, link="labour"),
       stock("transferred", "转移就业", "人", "@labour", 0.72, spread=0.08, trend=1, cap=True)),
    ds("RSJ", "rsj_skills_training", "职业技能培训", JOBS, "Q",
       flow("trainees", "培训人数", "人", "pop", 0.004, spread=0.5, trend=5),
       flow("certified", "取证人数", "人", "@trainees", 0.62, spread=0.1, cap=True)),
    ds("RSJ", "rsj_resident_pensions", "城乡居民养老金发放", SOC, "M",
       stock("recipients", "领取人数", "人", "pop", 0.16, spread=0.12, trend=1.5),
       flow("amount", "发放金额", "万元", "@recipients", 0.0335, spread=0.02, trend=6, noise=0.005, decimals=2),
       sharing="S"),
    ds("RSJ", "rsj_wage_arrears", "欠薪投诉处置", JOBS, "M",
       flow("complaints", "欠薪投诉", "件", "ind", 0.5, spread=0.7, season="yearend", trend=-8),
       flow("amount", "涉及金额", "万元", "@complaints", 6.0, spread=0.5, noise=0.5, decimals=1),
       level="town", sharing="S"),
    ds("RSJ", "rsj_work_injury", "工伤保险参保", SOC, "Y",
       stock("insured", "工伤保险参保人数", "人", "ind", 420.0, spread=0.7, trend=3),
       level="town", sharing="S"),
    ds("RSJ", "rsj_unemployment_insurance", "失业保险参保", SOC, "Y",
       stock("insured", "失业保险参保人数", "人", "ind", 380.0, spread=0.7, trend=3),
       flow("benefits", "失业保险金领取", "人次", "ind", 14.0, spread=0.6),
       level="town", sharing="S"),
    # ---- 自然资源局 ----
    ds("ZRZY", "zrzy_land_use", "土地利用现状", AGRI, "Y",
       stock("farmland", "耕地", "亩", "farm", 1.0, spread=0.0, trend=-0.2, decimals=1),
       stock("orchards", "园地", "亩", "farm", 0.22, spread=0.6, decimals=1),
       stock("forest", "林地", "亩", "forest", 1.0, spread=0.0, noise=0.002, decimals=1),
       stock("construction", "建设用地", "亩", "pop", 0.28, spread=0.3, trend=0.6, decimals=1)),
    ds("ZRZY", "zrzy_basic_farmland", "永久基本农田", AGRI, "Y",
       stock("protected", "永久基本农田", "亩", "farm", 0.82, spread=0.08, decimals=1)),
    ds("ZRZY", "zrzy_homestead_approvals", "农村宅基地审批", HOUSING, "Q",
       flow("approvals", "审批宗数", "宗", "hh", 0.0025, spread=0.5),
       flow("area", "审批面积", "平方米", "@approvals", 118.0, spread=0.1, decimals=1)),
    ds("ZRZY", "zrzy_geohazards", "地质灾害隐患点", SAFE, "Y",
       stock("sites", "隐患点", "处", "forest", 0.0004, spread=0.8, trend=-10),
       stock("threatened", "威胁人数", "人", "@sites", 16.0, spread=0.5),
       sharing="S"),
    ds("ZRZY", "zrzy_land_consolidation", "全域土地综合整治", AGRI, "Y",
       flow("consolidated", "整治面积", "亩", "farm", 0.03, spread=0.8, decimals=1),
       flow("new_farmland", "新增耕地", "亩", "@consolidated", 0.12, spread=0.3, decimals=1)),
    ds("ZRZY", "zrzy_land_violations", "卫片执法图斑", AGRI, "Q",
       flow("patches", "违法用地图斑", "个", "area", 0.25, spread=0.6, trend=-12),
       flow("rectified", "已整改", "个", "@patches", 0.86, spread=0.08, cap=True),
       sharing="S"),
    ds("ZRZY", "zrzy_village_plans", "村庄规划编制", GOV, "Y",
       flag("planned", "已编制实用性村庄规划", 0.45, trend=15)),
    # ---- 生态环境分局 ----
    ds("STHJ", "sthj_water_quality", "交接断面水质监测", ENV, "M",
       choice("water_class", "水质类别", ("I", "II", "III", "IV", "V"), (0.08, 0.42, 0.36, 0.11, 0.03), trend=3),
       level("permanganate", "高锰酸盐指数", "毫克/升", 3.1, 0.6, trend=-0.08, noise=0.35, season="water"),
       level("ammonia", "氨氮", "毫克/升", 0.42, 0.15, trend=-0.02, noise=0.06, decimals=3),
       description="村级出境断面每月一次的水质监测结果，水质类别按《地表水环境质量标准》（GB 3838-2002）。"),
    ds("STHJ", "sthj_air_quality", "乡镇环境空气质量", ENV, "M",
       flow("good_days", "优良天数", "天", "one", 26.0, spread=0.05, noise=0.05, season="water"),
       level("pm25", "PM2.5月均浓度", "微克/立方米", 30.0, 3.0, trend=-1.0, noise=3.0, season="flu", decimals=1),
       level="town"),
    ds("STHJ", "sthj_rural_sewage", "农村生活污水处理", ENV, "Y",
       stock("facilities", "处理设施", "个", "hh", 0.012, spread=0.4, trend=2),
       stock("households_served", "受益户数", "户", "hh", 0.86, spread=0.08, trend=2),
       pct("compliance", "出水达标率", 88, spread=6, trend=1.6)),
    ds("STHJ", "sthj_livestock_manure", "畜禽养殖污染防治", ENV, "Y",
       stock("farms", "规模养殖场", "个", "farm", 0.0008, spread=0.8, trend=-5),
       pct("manure_use", "粪污综合利用率", 90, spread=4, trend=1)),
    ds("STHJ", "sthj_complaints", "环境信访", ENV, "M",
       flow("complaints", "环境信访件", "件", "ind", 0.6, spread=0.6, trend=-6, season="water"),
       sharing="S"),
    ds("STHJ", "sthj_solid_waste", "一般工业固体废物", ENV, "Y",
       flow("generated", "产生量", "吨", "ind", 2600.0, spread=0.7, trend=2),
       flow("reused", "综合利用量", "吨", "@generated", 0.86, spread=0.06, trend=1, cap=True),
       level="town", sharing="S"),
    ds("STHJ", "sthj_soil_monitoring", "耕地土壤环境监测", ENV, "Y",
       stock("points", "监测点位", "个", "farm", 0.002, spread=0.4),
       pct("safe_use", "受污染耕地安全利用率", 94, spread=3, trend=1)),
    # ---- 住建局 ----
    ds("ZJJ", "zjj_rural_housing", "农房建设", HOUSING, "Q",
       flow("new_houses", "新建农房", "户", "hh", 0.0035, spread=0.5, season="construction"),
       flow("renovated", "翻建农房", "户", "hh", 0.0025, spread=0.5, season="construction")),
    ds("ZJJ", "zjj_unsafe_houses", "农村危房", HOUSING, "Y",
       stock("grade_c", "C级危房", "户", "hh", 0.006, spread=0.7, trend=-25),
       stock("grade_d", "D级危房", "户", "hh", 0.0015, spread=0.7, trend=-30),
       flow("retrofitted", "改造户数", "户", "hh", 0.004, spread=0.6, trend=-15),
       sharing="S"),
    ds("ZJJ", "zjj_garbage", "农村生活垃圾分类", ENV, "M",
       flow("total", "生活垃圾产生量", "吨", "pop", 0.022, spread=0.2, trend=1, season="festival", decimals=1),
       flow("sorted", "分类收运量", "吨", "@total", 0.78, spread=0.1, trend=3, cap=True, decimals=1),
       flow("recycled", "资源化利用量", "吨", "@sorted", 0.55, spread=0.12, trend=2, cap=True, decimals=1)),
    ds("ZJJ", "zjj_beautiful_villages", "美丽乡村建设", INFRA, "Y",
       choice("grade", "美丽乡村等级", ("精品村", "特色精品村", "达标村", "未达标"), (0.12, 0.23, 0.5, 0.15), trend=5)),
    ds("ZJJ", "zjj_toilets", "农村公厕与户厕", INFRA, "Y",
       stock("public_toilets", "农村公厕", "座", "area", 0.9, spread=0.4, trend=3),
       pct("sanitary_toilets", "卫生户厕普及率", 97, spread=1.5, trend=0.5)),
    ds("ZJJ", "zjj_construction_sites", "在建工程安全检查", SAFE, "M",
       stock("sites", "在建工地", "个", "ind", 6.0, spread=0.6, trend=3),
       flow("inspections", "安全检查", "次", "@sites", 2.5, spread=0.3, season="construction"),
       level="town"),
    ds("ZJJ", "zjj_street_lights", "村庄道路亮化", INFRA, "Y",
       stock("lights", "路灯", "盏", "area", 18.0, spread=0.4, trend=4),
       pct("solar_share", "太阳能路灯占比", 35, spread=10, trend=4)),
    ds("ZJJ", "zjj_future_villages", "未来乡村创建", INFRA, "Y",
       flag("created", "未来乡村创建村", 0.04, trend=6)),
    # ---- 交通运输局 ----
    ds("JTJ", "jtj_rural_roads", "农村公路", TRAFFIC, "Y",
       stock("length", "公路里程", "公里", "area", 2.6, spread=0.3, trend=1, decimals=2),
       pct("good_condition", "路况优良率", 82, spread=6, trend=1.5)),
    ds("JTJ", "jtj_rural_buses", "城乡公交", TRAFFIC, "M",
       flow("trips", "公交班次", "班", "pop", 0.06, spread=0.4, trend=2),
       flow("passengers", "客运量", "人次", "@trips", 14.0, spread=0.3, trend=-1, season="travel")),
    ds("JTJ", "jtj_rural_logistics", "农村物流与快递", TRAFFIC, "M",
       flow("parcels", "快递收发量", "件", "pop", 1.6, spread=0.4, trend=12, season="festival"),
       stock("stations", "村级物流服务站", "个", "one", 1.0, spread=0.3)),
    ds("JTJ", "jtj_road_maintenance", "农村公路养护", TRAFFIC, "Q",
       flow("maintained", "养护里程", "公里", "area", 0.4, spread=0.4, decimals=2),
       flow("spending", "养护投入", "万元", "@maintained", 3.2, spread=0.2, decimals=1),
       level="town"),
    ds("JTJ", "jtj_bridges", "农村桥梁", TRAFFIC, "Y",
       stock("bridges", "桥梁", "座", "area", 0.8, spread=0.5),
       stock("unsafe", "危桥", "座", "@bridges", 0.04, spread=0.8, trend=-25, cap=True)),
    ds("JTJ", "jtj_ferries", "渡口渡船", TRAFFIC, "Y",
       stock("ferries", "渡口", "个", "area", 0.04, spread=1.0, trend=-5),
       level="town"),
    # ---- 水利局 ----
    ds("SLJ", "slj_drinking_water", "农村饮用水", WATER, "Y",
       stock("covered", "覆盖人口", "人", "pop", 0.985, spread=0.01, trend=0.3, noise=0.003),
       stock("compliant", "水质达标人口", "人", "@covered", 0.96, spread=0.03, trend=0.8, cap=True)),
    ds("SLJ", "slj_reservoirs", "山塘水库", WATER, "Y",
       stock("ponds", "山塘", "座", "forest", 0.0012, spread=0.6),
       stock("capacity", "蓄水量", "万立方米", "@ponds", 4.0, spread=0.5, decimals=1)),
    ds("SLJ", "slj_rainfall", "降雨量", WATER, "M",
       flow("rainfall", "月降雨量", "毫米", "one", 118.0, spread=0.06, season="rain", noise=0.35, decimals=1)),
    ds("SLJ", "slj_river_chiefs", "河长巡河", WATER, "M",
       flow("patrols", "巡河次数", "次", "one", 9.0, spread=0.3),
       flow("issues", "发现问题", "个", "@patrols", 0.22, spread=0.4, noise=0.3),
       flow("fixed", "整改问题", "个", "@issues", 0.92, spread=0.05, cap=True)),
    ds("SLJ", "slj_irrigation", "农田灌溉", WATER, "Y",
       stock("irrigated", "有效灌溉面积", "亩", "farm", 0.82, spread=0.08, decimals=1),
       stock("water_saving", "节水灌溉面积", "亩", "farm", 0.22, spread=0.3, trend=8, decimals=1)),
    ds("SLJ", "slj_flood_control", "防汛防台", WATER, "Q",
       flow("relocated", "转移人员", "人", "pop", 0.004, spread=0.8, season="typhoon", noise=0.6),
       flow("inspections", "防汛检查", "次", "one", 6.0, spread=0.3, season="typhoon"),
       sharing="S"),
    ds("SLJ", "slj_soil_erosion", "水土流失治理", WATER, "Y",
       flow("treated", "治理面积", "平方公里", "area", 0.05, spread=0.8, decimals=2)),
    ds("SLJ", "slj_water_fees", "农村供水水费收缴", WATER, "Q",
       flow("billed", "应收水费", "万元", "hh", 0.0035, spread=0.2, decimals=2),
       flow("collected", "实收水费", "万元", "@billed", 0.96, spread=0.03, cap=True, decimals=2)),
    # ---- 农业农村局 ----
    ds("NYNC", "nync_grain", "粮食生产", AGRI, "Y",
       flow("sown", "粮食播种面积", "亩", "farm", 0.72, spread=0.15, trend=1, decimals=1),
       flow("output", "粮食总产量", "吨", "@sown", 0.465, spread=0.06, trend=0.8, noise=0.04, decimals=1)),
    ds("NYNC", "nync_sowing", "农作物播种面积", AGRI, "Q",
       flow("grain", "粮食作物", "亩", "farm", 0.18, spread=0.2, season="harvest", decimals=1),
       flow("vegetables", "蔬菜", "亩", "farm", 0.06, spread=0.5, season="greenhouse", decimals=1),
       flow("oil_crops", "油料作物", "亩", "farm", 0.03, spread=0.5, decimals=1)),
    ds("NYNC", "nync_greenhouses", "设施农业（大棚）生产", GREEN, "M",
       stock("area", "大棚面积", "亩", "gh", 1.0, spread=0.0, trend=5, decimals=1),
       flow("output", "产量", "吨", "@area", 0.55, spread=0.2, season="greenhouse", noise=0.1, decimals=1),
       flow("output_value", "产值", "万元", "@output", 0.42, spread=0.15, trend=3, season="festival", decimals=2),
       description="各村钢架大棚、连栋温室的面积与当月产量、产值；产值按当月批发价折算。"),
    ds("NYNC", "nync_greenhouse_facilities", "设施农业装备", GREEN, "Y",
       stock("multi_span", "连栋温室", "亩", "gh", 0.18, spread=0.6, trend=9, decimals=1),
       stock("smart_sheds", "智能控制大棚", "个", "gh", 0.05, spread=0.6, trend=20),
       flag("cold_chain", "有产地冷链仓储", 0.2, trend=6)),
    ds("NYNC", "nync_greenhouse_crops", "设施蔬果分品种产量", GREEN, "Q",
       flow("tomato", "番茄", "吨", "gh", 0.5, spread=0.5, season="greenhouse", decimals=1),
       flow("cucumber", "黄瓜", "吨", "gh", 0.35, spread=0.5, season="greenhouse", decimals=1),
       flow("strawberry", "草莓", "吨", "gh", 0.3, spread=0.8, trend=6, season="festival", decimals=1)),
    ds("NYNC", "nync_tea", "茶叶生产", AGRI, "M",
       stock("tea_garden", "茶园面积", "亩", "farm", 0.12, spread=1.0, decimals=1),
       flow("output", "茶叶产量", "吨", "@tea_garden", 0.0065, spread=0.2, season="tea", decimals=2),
       flow("output_value", "茶叶产值", "万元", "@output", 9.0, spread=0.3, trend=4, decimals=2)),
    ds("NYNC", "nync_fruit", "水果生产", AGRI, "M",
       stock("orchard", "果园面积", "亩", "farm", 0.1, spread=0.9, decimals=1),
       flow("output", "水果产量", "吨", "@orchard", 0.09, spread=0.25, season="fruit", decimals=1),
       flow("output_value", "水果产值", "万元", "@output", 0.52, spread=0.25, trend=3, decimals=2)),
    ds("NYNC", "nync_livestock", "畜禽生产", AGRI, "Q",
       stock("pigs", "生猪存栏", "头", "farm", 0.06, spread=1.0, trend=-2),
       flow("pigs_sold", "生猪出栏", "头", "@pigs", 0.45, spread=0.15, season="festival"),
       stock("poultry", "家禽存栏", "万羽", "farm", 0.0006, spread=1.0, decimals=2)),
    ds("NYNC", "nync_aquaculture", "水产养殖", AGRI, "Q",
       stock("ponds", "养殖面积", "亩", "farm", 0.05, spread=1.1, decimals=1),
       flow("output", "水产品产量", "吨", "@ponds", 0.11, spread=0.3, season="harvest", decimals=1)),
    ds("NYNC", "nync_collective_income", "村级集体经济收入", COLL, "Y",
       flow("total_income", "集体经济总收入", "万元", "pop", 0.095, spread=0.45, trend=9, decimals=1),
       flow("operating_income", "经营性收入", "万元", "@total_income", 0.48, spread=0.25, trend=2, cap=True, decimals=1),
       flow("expenses", "管理费用", "万元", "@total_income", 0.3, spread=0.2, decimals=1),
       description="村级集体经济组织年度收入，口径见农业农村部《农村集体经济组织财务制度》。"),
    ds("NYNC", "nync_collective_income_q", "村级集体经营性收入（季报）", COLL, "Q",
       flow("operating_income", "经营性收入", "万元", "pop", 0.045, spread=0.5, trend=10, season="yearend", decimals=1)),
    ds("NYNC", "nync_rural_income", "农村居民收入", COLL, "Y",
       level("per_capita", "农村居民人均可支配收入", "元", 41000, 5500, trend=2300, noise=300, decimals=0),
       level("wage_share", "工资性收入占比", "%", 62, 6, noise=0.8, decimals=1, bounds=(0.0, 100.0))),
    ds("NYNC", "nync_cooperatives", "农民专业合作社与家庭农场", AGRI, "Y",
       stock("cooperatives", "农民专业合作社", "个", "farm", 0.0012, spread=0.6, trend=3),
       stock("members", "合作社成员", "户", "hh", 0.18, spread=0.4, trend=2),
       stock("family_farms", "家庭农场", "个", "farm", 0.002, spread=0.6, trend=6)),
    ds("NYNC", "nync_land_transfer", "土地承包经营权流转", AGRI, "Y",
       stock("contracted", "家庭承包耕地", "亩", "farm", 0.92, spread=0.04, decimals=1),
       stock("transferred", "流转面积", "亩", "@contracted", 0.6, spread=0.15, trend=2.5, cap=True, decimals=1)),
    ds("NYNC", "nync_machinery", "农业机械化", AGRI, "Y",
       stock("power_kw", "农机总动力", "千瓦", "farm", 0.52, spread=0.3, trend=2, decimals=1),
       pct("mechanised", "主要农作物耕种收综合机械化率", 78, spread=6, trend=1.5)),
    ds("NYNC", "nync_agrochemicals", "化肥农药使用", AGRI, "Y",
       flow("fertiliser", "化肥施用量（折纯）", "吨", "farm", 0.021, spread=0.25, trend=-3, decimals=1),
       flow("pesticide", "农药使用量", "吨", "farm", 0.0006, spread=0.3, trend=-5, decimals=2)),
    ds("NYNC", "nync_idle_houses", "闲置农房激活", HOUSING, "Y",
       stock("idle", "闲置农房", "宗", "hh", 0.04, spread=0.6, trend=-8),
       flow("activated", "当年激活", "宗", "@idle", 0.12, spread=0.4)),
    ds("NYNC", "nync_agri_makers", "农创客", JOBS, "Y",
       stock("makers", "农创客", "人", "pop", 0.004, spread=0.7, trend=15)),
    ds("NYNC", "nync_grain_subsidy", "种粮补贴", FIN, "Y",
       flow("area", "补贴面积", "亩", "farm", 0.7, spread=0.15, decimals=1),
       flow("amount", "补贴金额", "万元", "@area", 0.0135, spread=0.05, decimals=2),
       sharing="S"),
    ds("NYNC", "nync_high_standard_farmland", "高标准农田建设", AGRI, "Y",
       stock("built", "高标准农田", "亩", "farm", 0.55, spread=0.2, trend=4, decimals=1)),
    ds("NYNC", "nync_product_safety", "农产品质量安全抽检", AGRI, "Q",
       flow("samples", "抽检批次", "批", "farm", 0.004, spread=0.4),
       flow("passed", "合格批次", "批", "@samples", 0.985, spread=0.01, cap=True),
       level="town"),
    ds("NYNC", "nync_leading_enterprises", "农业龙头企业", AGRI, "Y",
       stock("enterprises", "农业龙头企业", "个", "farm", 0.0003, spread=0.8, trend=3),
       flow("revenue", "销售收入", "万元", "farm", 2.4, spread=0.9, trend=6, decimals=1),
       level="town"),
    ds("NYNC", "nync_crop_insurance", "政策性农业保险", FIN, "Y",
       stock("insured_area", "投保面积", "亩", "farm", 0.55, spread=0.2, trend=3, decimals=1),
       flow("claims", "理赔金额", "万元", "farm", 0.0011, spread=0.8, noise=0.5, decimals=2),
       sharing="S"),
    # ---- 商务局 ----
    ds("SWUJ", "swuj_retail_sales", "社会消费品零售额", MARKET, "M",
       flow("retail", "社会消费品零售额", "万元", "pop", 0.85, spread=0.4, trend=5, season="festival", decimals=1),
       level="town"),
    ds("SWUJ", "swuj_village_shops", "村级便民商店", MARKET, "Y",
       stock("shops", "便民商店", "个", "pop", 0.0016, spread=0.4),
       flag("chain", "有连锁便利店", 0.3, trend=6)),
    ds("SWUJ", "swuj_exports", "外贸出口", MARKET, "M",
       flow("exports", "出口额", "万美元", "ind", 260.0, spread=0.8, trend=4, season="festival", decimals=1),
       level="town"),
    ds("SWUJ", "swuj_foreign_investment", "实际利用外资", MARKET, "Q",
       flow("fdi", "实际利用外资", "万美元", "ind", 90.0, spread=1.0, noise=0.5, decimals=1),
       level="town"),
    ds("SWUJ", "swuj_live_commerce", "农产品直播电商", DIGI, "M",
       flow("sessions", "直播场次", "场", "tour", 6.0, spread=0.6, trend=18),
       flow("sales", "直播销售额", "万元", "@sessions", 0.9, spread=0.5, trend=5, season="festival", decimals=2)),
    ds("SWUJ", "swuj_night_markets", "夜间经济集聚区", MARKET, "Q",
       flow("visitors", "客流量", "人次", "pop", 1.2, spread=0.5, trend=6, season="water"),
       level="town"),
    # ---- 文广旅体局 ----
    ds("WGLT", "wglt_visitors", "乡村旅游接待", TOUR, "M",
       flow("visitors", "接待游客", "人次", "tour", 6000.0, spread=0.35, trend=7, season="tourism", noise=0.1),
       flow("overnight", "其中：过夜游客", "人次", "@visitors", 0.28, spread=0.25, trend=2, cap=True),
       flow("revenue", "旅游收入", "万元", "@visitors", 0.0135, spread=0.3, trend=3, decimals=1),
       description="各村接待游客人次与旅游收入，来源为景区闸机、民宿入住登记和抽样调查。"),
    ds("WGLT", "wglt_homestays", "民宿经营", TOUR, "M",
       stock("homestays", "民宿", "家", "tour", 12.0, spread=0.4, trend=5),
       stock("rooms", "客房", "间", "@homestays", 8.0, spread=0.2, trend=1),
       flow("available", "可售间夜", "间夜", "@rooms", 1.0, spread=0.0, noise=0.0, days=True),
       flow("occupied", "入住间夜", "间夜", "@available", 0.42, spread=0.2, season="tourism", noise=0.08, cap=True),
       flow("revenue", "营业收入", "万元", "@occupied", 0.045, spread=0.25, trend=3, decimals=2)),
    ds("WGLT", "wglt_tourism_workers", "乡村旅游从业人员", TOUR, "Y",
       stock("workers", "旅游从业人员", "人", "tour", 95.0, spread=0.4, trend=4),
       stock("local", "其中：本村村民", "人", "@workers", 0.78, spread=0.1, cap=True)),
    ds("WGLT", "wglt_scenic_spots", "A级景区", TOUR, "Y",
       stock("spots", "A级景区", "个", "tour", 0.6, spread=0.5, trend=4),
       choice("village_grade", "景区村庄等级", ("AAA级", "A级", "未评定"), (0.15, 0.3, 0.55), trend=5)),
    ds("WGLT", "wglt_cultural_halls", "农村文化礼堂活动", CULT, "M",
       flow("events", "活动场次", "场", "one", 5.0, spread=0.4, trend=3, season="activity"),
       flow("participants", "参与人次", "人次", "@events", 65.0, spread=0.3, trend=2)),
    ds("WGLT", "wglt_village_libraries", "农家书屋", CULT, "Q",
       stock("books", "藏书", "册", "one", 2200.0, spread=0.3, trend=4),
       flow("loans", "借阅人次", "人次", "pop", 0.03, spread=0.5, trend=-2)),
    ds("WGLT", "wglt_sports_facilities", "体育健身设施", CULT, "Y",
       stock("area", "健身场地面积", "平方米", "pop", 1.3, spread=0.4, trend=4),
       stock("points", "健身点", "个", "one", 3.0, spread=0.4, trend=3)),
    ds("WGLT", "wglt_film_screenings", "农村电影放映", CULT, "M",
       flow("screenings", "放映场次", "场", "one", 1.1, spread=0.2),
       flow("audience", "观众", "人次", "@screenings", 60.0, spread=0.3, trend=-4, season="activity")),
    ds("WGLT", "wglt_heritage", "文物与非物质文化遗产", CULT, "Y",
       stock("relics", "文物保护单位", "处", "area", 0.15, spread=0.8),
       stock("intangible", "非遗项目", "项", "one", 0.6, spread=0.8, trend=3)),
    ds("WGLT", "wglt_festivals", "乡村节庆活动", TOUR, "Q",
       flow("events", "节庆活动", "场", "tour", 1.5, spread=0.5, season="tourism"),
       flow("participants", "参与人次", "人次", "@events", 900.0, spread=0.4, trend=5)),
    ds("WGLT", "wglt_fitness_events", "全民健身赛事", CULT, "Q",
       flow("events", "赛事活动", "场", "pop", 0.0008, spread=0.5, trend=6),
       flow("participants", "参赛人次", "人次", "@events", 120.0, spread=0.4),
       level="town"),
    ds("WGLT", "wglt_tourist_complaints", "旅游投诉", TOUR, "M",
       flow("complaints", "旅游投诉", "件", "tour", 0.6, spread=0.5, season="tourism", trend=-5)),
    ds("WGLT", "wglt_farm_stays", "农家乐经营", TOUR, "M",
       stock("farm_stays", "农家乐", "家", "tour", 6.0, spread=0.5, trend=-2),
       flow("guests", "接待人次", "人次", "@farm_stays", 320.0, spread=0.3, season="tourism"),
       flow("revenue", "营业收入", "万元", "@guests", 0.012, spread=0.2, trend=3, decimals=2)),
    ds("WGLT", "wglt_village_galas", "乡村村晚", CULT, "Y",
       flow("galas", "村晚场次", "场", "one", 1.2, spread=0.4, trend=5),
       flow("audience", "观众", "人次", "@galas", 520.0, spread=0.4, trend=4)),
    ds("WGLT", "wglt_tourist_toilets", "旅游厕所", TOUR, "Y",
       stock("toilets", "旅游厕所", "座", "tour", 2.0, spread=0.4, trend=5)),
    ds("WGLT", "wglt_emergency_broadcast", "应急广播", INFRA, "Y",
       stock("terminals", "应急广播终端", "个", "area", 3.0, spread=0.4, trend=6),
       pct("coverage", "应急广播覆盖率", 90, spread=5, trend=2)),
    # ---- 卫生健康局 ----
    ds("WJJ", "wjj_clinic_visits", "村卫生室诊疗", HEALTH, "M",
       stock("served_population", "服务人口", "人", "pop", 1.0, spread=0.0, noise=0.001),
       flow("visits", "诊疗人次", "人次", "@served_population", 0.16, spread=0.3, trend=3, season="flu", noise=0.07),
       flow("home_visits", "出诊人次", "人次", "@visits", 0.05, spread=0.4)),
    ds("WJJ", "wjj_family_doctors", "家庭医生签约服务", HEALTH, "Q",
       stock("population", "常住人口", "人", "pop", 1.0, spread=0.0, noise=0.001),
       stock("signed", "签约人数", "人", "@population", 0.42, spread=0.12, trend=3, cap=True),
       stock("key_groups_signed", "重点人群签约", "人", "@signed", 0.62, spread=0.1, trend=1, cap=True)),
    ds("WJJ", "wjj_chronic_disease", "慢性病健康管理", HEALTH, "Q",
       stock("hypertension", "高血压规范管理", "人", "pop", 0.085, spread=0.15, trend=2),
       stock("diabetes", "糖尿病规范管理", "人", "pop", 0.028, spread=0.15, trend=3),
       sharing="S"),
    ds("WJJ", "wjj_elderly_checkups", "老年人健康体检", HEALTH, "Y",
       stock("aged_65", "65岁及以上常住老人", "人", "pop", 0.19, spread=0.12, trend=2.5),
       flow("checked", "体检人数", "人", "@aged_65", 0.72, spread=0.1, trend=2, cap=True)),
    ds("WJJ", "wjj_vaccination", "预防接种", HEALTH, "M",
       flow("doses", "接种剂次", "剂次", "pop", 0.035, spread=0.3, season="flu"),
       level="town"),
    ds("WJJ", "wjj_village_doctors", "乡村医生与村卫生室", HEALTH, "Y",
       stock("clinics", "村卫生室（站）", "个", "one", 1.0, spread=0.2),
       stock("doctors", "乡村医生", "人", "pop", 0.0011, spread=0.3, trend=-3)),
    ds("WJJ", "wjj_health_records", "居民电子健康档案", HEALTH, "Y",
       stock("records", "建档人数", "人", "pop", 0.9, spread=0.04, trend=0.6, noise=0.004),
       pct("active_rate", "档案动态使用率", 62, spread=8, trend=3)),
    ds("WJJ", "wjj_infectious_diseases", "法定传染病报告", HEALTH, "M",
       flow("cases", "报告病例", "例", "pop", 0.0009, spread=0.3, season="flu", noise=0.25),
       level="town", sharing="S"),
    ds("WJJ", "wjj_medical_elderly_care", "医养结合机构", HEALTH, "Y",
       stock("beds", "医养结合床位", "张", "pop", 0.004, spread=0.5, trend=8),
       level="town"),
    ds("WJJ", "wjj_special_families", "计划生育特殊家庭", AID, "Y",
       stock("families", "特殊家庭", "户", "hh", 0.0025, spread=0.6),
       flow("support", "扶助金额", "万元", "@families", 0.95, spread=0.05, decimals=2),
       sharing="R"),
    ds("WJJ", "wjj_emergency_calls", "120急救", HEALTH, "M",
       flow("calls", "急救出车", "次", "pop", 0.0016, spread=0.2, season="flu", trend=3),
       level="town"),
    ds("WJJ", "wjj_healthy_villages", "健康村建设", HEALTH, "Y",
       flag("healthy_village", "省级健康村", 0.2, trend=7),
       pct("health_literacy", "居民健康素养水平", 32, spread=4, trend=1.8)),
    # ---- 退役军人事务局 ----
    ds("TYJR", "tyjr_veterans", "退役军人", SOC, "Y",
       stock("veterans", "退役军人", "人", "pop", 0.011, spread=0.3, trend=1),
       sharing="S"),
    ds("TYJR", "tyjr_service_stations", "退役军人服务站", SOC, "Q",
       flow("visits", "走访慰问", "次", "pop", 0.004, spread=0.4, season="festival")),
    ds("TYJR", "tyjr_preferential_care", "重点优抚对象", SOC, "Y",
       stock("people", "优抚对象", "人", "pop", 0.0018, spread=0.5, trend=-3),
       flow("amount", "优抚金", "万元", "@people", 2.6, spread=0.1, trend=5, decimals=2),
       sharing="R"),
    # ---- 应急管理局 ----
    ds("YJGL", "yjgl_hazards", "安全隐患排查整治", SAFE, "M",
       flow("found", "排查隐患", "处", "ind", 2.5, spread=0.5, season="construction"),
       flow("fixed", "整改隐患", "处", "@found", 0.9, spread=0.05, noise=0.05, cap=True)),
    ds("YJGL", "yjgl_shelters", "避灾安置场所", SAFE, "Y",
       stock("shelters", "避灾安置点", "个", "one", 1.2, spread=0.3),
       stock("capacity", "可安置人数", "人", "pop", 0.08, spread=0.3, trend=2)),
    ds("YJGL", "yjgl_drills", "应急演练", SAFE, "Q",
       flow("drills", "应急演练", "次", "one", 1.3, spread=0.4, season="typhoon"),
       flow("participants", "参与人次", "人次", "@drills", 60.0, spread=0.4)),
    ds("YJGL", "yjgl_disaster_losses", "自然灾害损失", SAFE, "M",
       flow("affected", "受灾人口", "人", "pop", 0.004, spread=0.8, season="typhoon", noise=0.9),
       flow("loss", "直接经济损失", "万元", "@affected", 0.06, spread=0.6, decimals=2),
       sharing="S"),
    ds("YJGL", "yjgl_hazardous_chemicals", "危险化学品企业", SAFE, "Y",
       stock("enterprises", "危化品企业", "个", "ind", 0.5, spread=0.8, trend=-4),
       level="town", sharing="S"),
    ds("YJGL", "yjgl_relief_supplies", "应急物资储备", SAFE, "Y",
       stock("tents", "帐篷", "顶", "pop", 0.004, spread=0.4),
       stock("quilts", "棉被", "床", "pop", 0.02, spread=0.4),
       level="town"),
    # ---- 审计局 ----
    ds("SJJ", "sjj_village_audits", "村级财务审计", COLL, "Y",
       flow("audits", "审计项目", "项", "one", 1.0, spread=0.3),
       flow("issues", "发现问题金额", "万元", "one", 3.0, spread=1.0, noise=0.6, decimals=2),
       sharing="S"),
    ds("SJJ", "sjj_cadre_audits", "村干部经济责任审计", COLL, "Y",
       flow("audited", "审计人数", "人", "one", 0.6, spread=0.5),
       level="town", sharing="S"),
    # ---- 市场监管局 ----
    ds("SCJG", "scjg_market_entities", "市场主体", MARKET, "Q",
       stock("enterprises", "企业", "户", "ind", 36.0, spread=0.6, trend=7),
       stock("individuals", "个体工商户", "户", "pop", 0.045, spread=0.4, trend=5)),
    ds("SCJG", "scjg_new_entities", "新设市场主体", MARKET, "M",
       flow("new_enterprises", "新设企业", "户", "ind", 0.8, spread=0.6, trend=4, season="construction"),
       flow("new_individuals", "新设个体工商户", "户", "pop", 0.0012, spread=0.5, trend=3, season="construction")),
    ds("SCJG", "scjg_food_sampling", "食品安全抽检", MARKET, "Q",
       flow("batches", "抽检批次", "批次", "pop", 0.01, spread=0.3),
       pct("pass_rate", "抽检合格率", 97.5, spread=1.0, noise=0.6),
       level="town"),
    ds("SCJG", "scjg_consumer_complaints", "消费投诉", MARKET, "M",
       flow("complaints", "消费投诉", "件", "pop", 0.0012, spread=0.4, season="festival", trend=2),
       sharing="S"),
    ds("SCJG", "scjg_farmers_markets", "农贸市场", MARKET, "Y",
       stock("markets", "农贸市场", "个", "pop", 0.0003, spread=0.3),
       flag("upgraded", "已完成提档升级", 0.4, trend=12),
       level="town"),
    ds("SCJG", "scjg_trademarks", "商标与地理标志", MARKET, "Y",
       stock("trademarks", "有效注册商标", "件", "ind", 160.0, spread=0.7, trend=8),
       stock("geo_indications", "地理标志", "件", "farm", 0.0001, spread=0.6),
       level="town"),
    ds("SCJG", "scjg_special_equipment", "特种设备", SAFE, "Y",
       stock("equipment", "在用特种设备", "台", "ind", 55.0, spread=0.6, trend=5),
       level="town"),
    # ---- 统计局 ----
    ds("TJJ", "tjj_population", "人口基本情况", POP, "Y",
       stock("resident_population", "常住人口", "人", "pop", 1.0, spread=0.0, noise=0.001),
       stock("households", "常住户数", "户", "hh", 1.0, spread=0.0, noise=0.002),
       stock("aged_60", "60岁及以上", "人", "pop", 0.27, spread=0.12, trend=2.5, noise=0.002, link="aged_60"),
       stock("aged_0_14", "0-14岁", "人", "@resident_population", 0.12, spread=0.12, trend=-1.5, cap=True),
       description="统计部门年度人口变动抽样调查推算的年末常住人口，与公安户籍口径的常住人口应一致（允许偏差1%）。"),
    ds("TJJ", "tjj_labour", "劳动力与外出务工", JOBS, "Y",
       stock("labour", "劳动力", "人", "pop", 0.6, spread=0.06, noise=0.003, link="labour"),
       stock("migrant_workers", "外出务工", "人", "@labour", 0.18, spread=0.3, trend=-2, cap=True)),
    ds("TJJ", "tjj_town_gdp", "乡镇地区生产总值", MARKET, "Q",
       flow("gdp", "地区生产总值", "亿元", "pop", 0.00045, spread=0.4, trend=6, season="yearend", decimals=2),
       level="town"),
    ds("TJJ", "tjj_industrial_output", "规上工业产值", MARKET, "M",
       flow("output", "规上工业总产值", "万元", "ind", 2200.0, spread=0.6, trend=6, season="construction", decimals=1),
       level="town"),
    ds("TJJ", "tjj_agri_output", "农林牧渔业总产值", AGRI, "Y",
       flow("output", "农林牧渔业总产值", "万元", "farm", 0.55, spread=0.4, trend=4, decimals=1)),
    ds("TJJ", "tjj_fixed_investment", "固定资产投资", MARKET, "M",
       flow("investment", "固定资产投资", "万元", "ind", 1300.0, spread=0.8, trend=3, season="construction", noise=0.2, decimals=1),
       level="town"),
    ds("TJJ", "tjj_household_survey", "住户收支调查", COLL, "Q",
       level("income", "居民人均可支配收入（季度）", "元", 12500, 1500, trend=650, noise=120, decimals=0),
       level("consumption", "居民人均消费支出（季度）", "元", 8200, 900, trend=380, noise=150, decimals=0),
       level="town"),
    ds("TJJ", "tjj_services_output", "规上服务业营业收入", MARKET, "Q",
       flow("revenue", "规上服务业营业收入", "万元", "pop", 0.6, spread=0.6, trend=7, decimals=1),
       level="town"),
    # ---- 医疗保障局 ----
    ds("YBJ", "ybj_coverage", "基本医疗保险参保", SOC, "Y",
       stock("should_insure", "应参保人数", "人", "pop", 1.02, spread=0.05, noise=0.003),
       stock("insured", "参保人数", "人", "@should_insure", 0.975, spread=0.01, trend=0.3, noise=0.002, cap=True),
       stock("employees", "其中：职工医保", "人", "@insured", 0.4, spread=0.3, trend=3, cap=True),
       sharing="S"),
    ds("YBJ", "ybj_settlements", "医保结算", SOC, "M",
       flow("settlements", "结算人次", "人次", "pop", 0.2, spread=0.3, season="flu", trend=4),
       flow("fund_paid", "基金支付", "万元", "@settlements", 0.0085, spread=0.2, trend=2, decimals=2),
       sharing="S"),
    ds("YBJ", "ybj_medical_aid", "医疗救助", AID, "Q",
       flow("people", "救助人次", "人次", "pop", 0.002, spread=0.5),
       flow("amount", "救助金额", "万元", "@people", 0.3, spread=0.3, decimals=2),
       sharing="R"),
    ds("YBJ", "ybj_service_points", "村级医保服务点", HEALTH, "Y",
       flag("service_point", "已建医保服务点", 0.55, trend=12),
       flow("handled", "代办业务", "件", "pop", 0.05, spread=0.5, trend=10)),
    ds("YBJ", "ybj_long_term_care", "长期护理保险", SOC, "Q",
       stock("beneficiaries", "享受待遇人数", "人", "pop", 0.0035, spread=0.5, trend=15),
       sharing="S"),
    # ---- 林业局 ----
    ds("LYJ", "lyj_forest_resources", "森林资源", FOREST, "Y",
       stock("forest_area", "林地面积", "亩", "forest", 1.0, spread=0.0, noise=0.002, decimals=1),
       pct("coverage", "森林覆盖率", 62, spread=15, trend=0.2, noise=0.1),
       stock("stock_volume", "活立木蓄积量", "立方米", "forest", 4.2, spread=0.3, trend=2.5)),
    ds("LYJ", "lyj_fire_prevention", "森林防火", FOREST, "M",
       flow("patrols", "防火巡查", "次", "forest", 0.004, spread=0.4, season="fire"),
       flow("fires", "森林火情", "起", "forest", 0.000006, spread=0.8, season="fire", noise=0.5)),
    ds("LYJ", "lyj_pine_wilt", "松材线虫病防治", FOREST, "Q",
       flow("dead_trees", "枯死松树", "株", "forest", 0.04, spread=1.0, trend=-15, season="fire"),
       flow("removed", "清理株数", "株", "@dead_trees", 0.97, spread=0.02, cap=True)),
    ds("LYJ", "lyj_forest_chiefs", "林长巡林", FOREST, "M",
       flow("patrols", "巡林次数", "次", "one", 8.0, spread=0.3),
       flow("issues", "发现问题", "个", "@patrols", 0.1, spread=0.5, noise=0.4)),
    ds("LYJ", "lyj_understory_economy", "竹笋与林下经济", FOREST, "Q",
       flow("bamboo_shoots", "竹笋产量", "吨", "forest", 0.012, spread=0.8, season="bamboo", decimals=1),
       flow("output_value", "林下经济产值", "万元", "forest", 0.009, spread=0.8, trend=5, decimals=1)),
    ds("LYJ", "lyj_ancient_trees", "古树名木", FOREST, "Y",
       stock("trees", "古树名木", "株", "forest", 0.004, spread=0.9)),
    ds("LYJ", "lyj_ecological_forest", "公益林补偿", FOREST, "Y",
       stock("area", "公益林面积", "亩", "forest", 0.45, spread=0.4, decimals=1),
       flow("compensation", "补偿资金", "万元", "@area", 0.0042, spread=0.02, trend=3, decimals=2)),
    # ---- 综合行政执法局 ----
    ds("ZHZF", "zhzf_illegal_buildings", "违法建筑处置", HOUSING, "Q",
       flow("demolished", "拆除违建", "处", "hh", 0.003, spread=0.7, trend=-10),
       flow("area", "拆除面积", "平方米", "@demolished", 65.0, spread=0.4, decimals=1)),
    ds("ZHZF", "zhzf_cases", "行政执法案件", GOV, "M",
       flow("cases", "立案", "件", "pop", 0.0008, spread=0.4),
       level="town", sharing="S"),
    ds("ZHZF", "zhzf_patrols", "市容环境巡查", ENV, "M",
       flow("patrols", "巡查次数", "次", "pop", 0.008, spread=0.3),
       flow("issues", "发现问题", "个", "@patrols", 0.3, spread=0.3),
       level="town"),
    ds("ZHZF", "zhzf_garbage_enforcement", "垃圾分类执法检查", ENV, "Q",
       flow("checks", "检查次数", "次", "one", 4.0, spread=0.4),
       flow("warnings", "责令整改", "次", "@checks", 0.2, spread=0.4, trend=-8)),
    # ---- 数据局（归集县委组织部等数据） ----
    ds("DSJ", "dsj_party_members", "党员队伍", PARTY, "Y",
       stock("members", "党员", "人", "pop", 0.052, spread=0.2, trend=0.5),
       stock("under_35", "35岁及以下党员", "人", "@members", 0.18, spread=0.25, trend=2, cap=True),
       stock("women", "女党员", "人", "@members", 0.27, spread=0.15, trend=1, cap=True),
       stock("mobile", "流动党员", "人", "@members", 0.06, spread=0.5, cap=True),
       sharing="S", description="县委组织部党员信息系统数据，经数据局归集，按年末村（社区）党组织统计。"),
    ds("DSJ", "dsj_party_activities", "主题党日活动", PARTY, "M",
       flow("activities", "主题党日活动", "次", "one", 1.4, spread=0.3, season="activity"),
       flow("attendance", "参加党员", "人次", "pop", 0.045, spread=0.25, season="activity", noise=0.06)),
    ds("DSJ", "dsj_party_organisations", "基层党组织", PARTY, "Y",
       stock("branches", "党支部", "个", "pop", 0.0016, spread=0.3),
       choice("rating", "党组织星级评定", ("五星", "四星", "三星", "二星及以下"), (0.15, 0.35, 0.4, 0.1), trend=3),
       sharing="S"),
    ds("DSJ", "dsj_village_committees", "村级两委班子", PARTY, "Y",
       stock("cadres", "两委成员", "人", "one", 7.0, spread=0.15),
       stock("college", "大专及以上学历", "人", "@cadres", 0.55, spread=0.2, trend=4, cap=True),
       flag("one_shoulder", "书记主任一肩挑", 0.85, trend=3),
       sharing="S"),
    ds("DSJ", "dsj_party_volunteering", "党员志愿服务", PARTY, "M",
       flow("services", "党员志愿服务", "次", "one", 3.0, spread=0.4, season="activity", trend=4),
       flow("hours", "服务时长", "小时", "@services", 14.0, spread=0.3)),
    ds("DSJ", "dsj_grid_governance", "基层治理四平台事件", GOV, "M",
       flow("events", "上报事件", "件", "pop", 0.012, spread=0.4, trend=3),
       flow("closed", "办结事件", "件", "@events", 0.95, spread=0.03, noise=0.02, cap=True)),
    ds("DSJ", "dsj_hotline_12345", "12345政务服务热线", GOV, "M",
       flow("requests", "群众诉求", "件", "pop", 0.006, spread=0.35, season="water", trend=4),
       pct("satisfaction", "满意率", 93, spread=2.5, trend=0.6, noise=1.2)),
    ds("DSJ", "dsj_online_services", "浙里办掌上办件", DIGI, "M",
       flow("applications", "掌上办件", "件", "pop", 0.03, spread=0.3, trend=14),
       level="town"),
    ds("DSJ", "dsj_common_prosperity_workshops", "共富工坊", PARTY, "Y",
       stock("workshops", "共富工坊", "个", "one", 0.6, spread=0.6, trend=25),
       stock("workers", "带动就业", "人", "@workshops", 22.0, spread=0.4)),
    # ---- 人防办 ----
    ds("RFB", "rfb_shelters", "人防工程", SAFE, "Y",
       stock("area", "人防工程面积", "平方米", "ind", 1400.0, spread=0.8, trend=3),
       level="town", sharing="S"),
    ds("RFB", "rfb_sirens", "防空警报器", SAFE, "Y",
       stock("sirens", "防空警报器", "台", "area", 0.08, spread=0.6),
       pct("coverage", "警报音响覆盖率", 88, spread=6, trend=1.5)),
    # ---- 税务局 ----
    ds("SWJ", "swj_tax_revenue", "乡镇税收收入", FIN, "M",
       flow("tax", "税收收入", "万元", "ind", 140.0, spread=0.7, trend=4, season="yearend", decimals=1),
       level="town", sharing="S"),
    ds("SWJ", "swj_e_invoices", "数电发票开具", FIN, "M",
       flow("invoices", "开票数量", "张", "ind", 1600.0, spread=0.6, trend=15, season="festival"),
       level="town"),
    ds("SWJ", "swj_tax_relief", "减税降费", FIN, "Q",
       flow("relief", "减税降费金额", "万元", "ind", 85.0, spread=0.7, decimals=1),
       level="town", sharing="S"),
    # ---- 气象局 ----
    ds("QXJ", "qxj_weather", "乡镇气象观测", WEATHER, "M",
       level("temperature", "月平均气温", "摄氏度", 17.2, 0.6, season="temperature", noise=0.9, decimals=1, bounds=(None, None)),
       flow("precipitation", "降水量", "毫米", "one", 118.0, spread=0.05, season="rain", noise=0.35, decimals=1),
       flow("sunshine", "日照时数", "小时", "one", 147.0, spread=0.04, season="sunshine", noise=0.12, decimals=1),
       level="town"),
    ds("QXJ", "qxj_weather_stations", "自动气象站", WEATHER, "Y",
       stock("stations", "自动气象站", "个", "area", 0.12, spread=0.5, trend=4)),
    ds("QXJ", "qxj_warnings", "气象预警信息发布", WEATHER, "M",
       flow("warnings", "预警信息", "条", "one", 3.0, spread=0.2, season="typhoon", noise=0.4),
       level="town"),
    # ---- 烟草专卖局 ----
    ds("YCJ", "ycj_retailers", "烟草零售户", MARKET, "Y",
       stock("retailers", "持证零售户", "户", "pop", 0.0045, spread=0.3, trend=-1)),
    ds("YCJ", "ycj_sales", "卷烟销量", MARKET, "M",
       flow("cases", "卷烟销量", "箱", "pop", 0.0016, spread=0.2, season="festival", trend=-1, decimals=1),
       level="town"),
    # ---- 交警大队 ----
    ds("JJDD", "jjdd_accidents", "道路交通事故", TRAFFIC, "M",
       flow("accidents", "交通事故", "起", "pop", 0.0004, spread=0.4, trend=-5, season="festival"),
       flow("casualties", "伤亡人数", "人", "@accidents", 1.1, spread=0.3, noise=0.4),
       sharing="S"),
    ds("JJDD", "jjdd_persuasion_stations", "农村交通安全劝导站", TRAFFIC, "M",
       flow("persuasions", "劝导次数", "次", "pop", 0.012, spread=0.4, trend=-2)),
    ds("JJDD", "jjdd_vehicles", "机动车与电动自行车保有量", TRAFFIC, "Y",
       stock("cars", "机动车", "辆", "hh", 0.82, spread=0.25, trend=6),
       stock("e_bikes", "电动自行车", "辆", "hh", 1.1, spread=0.2, trend=3)),
    # ---- 出入境管理大队 ----
    ds("CRJ", "crj_permits", "出入境证件办理", GOV, "M",
       flow("permits", "出入境证件", "本", "pop", 0.0025, spread=0.3, season="travel", trend=10),
       level="town"),
    ds("CRJ", "crj_overseas_chinese", "华侨与归侨侨眷", POP, "Y",
       stock("overseas", "华侨华人", "人", "pop", 0.003, spread=0.9),
       sharing="S"),
    # ---- 消防救援大队 ----
    ds("XFJY", "xfjy_fires", "火灾情况", SAFE, "M",
       flow("fires", "火灾", "起", "pop", 0.00018, spread=0.4, season="fire", noise=0.3),
       flow("loss", "直接财产损失", "万元", "@fires", 1.6, spread=0.6, noise=0.6, decimals=2)),
    ds("XFJY", "xfjy_micro_stations", "微型消防站", SAFE, "Y",
       stock("stations", "微型消防站", "个", "one", 1.0, spread=0.2),
       stock("members", "队员", "人", "@stations", 6.0, spread=0.2)),
    ds("XFJY", "xfjy_inspections", "消防监督检查", SAFE, "Q",
       flow("inspections", "检查单位", "家", "ind", 8.0, spread=0.5),
       flow("hazards", "督促整改隐患", "处", "@inspections", 0.8, spread=0.4)),
    ds("XFJY", "xfjy_water_sources", "消防水源", SAFE, "Y",
       stock("hydrants", "消火栓", "个", "area", 2.0, spread=0.5, trend=3),
       stock("working", "完好消火栓", "个", "@hydrants", 0.93, spread=0.04, cap=True)),
    # ---- 不动产登记中心 ----
    ds("BDC", "bdc_registrations", "不动产登记业务", HOUSING, "M",
       flow("first", "首次登记", "件", "hh", 0.004, spread=0.4, season="construction"),
       flow("transfer", "转移登记", "件", "hh", 0.006, spread=0.4, season="construction", trend=-3),
       flow("mortgage", "抵押登记", "件", "hh", 0.005, spread=0.4, season="construction"),
       level="town"),
    ds("BDC", "bdc_homestead_titles", "宅基地使用权确权登记", HOUSING, "Y",
       stock("parcels", "宅基地宗数", "宗", "hh", 0.95, spread=0.05),
       stock("certified", "已发证", "宗", "@parcels", 0.86, spread=0.06, trend=2.5, cap=True)),
    # ---- 社保中心 ----
    ds("SBZX", "sbzx_contributions", "社会保险费征缴", SOC, "M",
       flow("contributions", "征缴收入", "万元", "ind", 95.0, spread=0.6, trend=5, season="yearend", decimals=1),
       level="town", sharing="S"),
    ds("SBZX", "sbzx_retirees", "企业退休人员", SOC, "Y",
       stock("retirees", "企业退休人员", "人", "pop", 0.055, spread=0.5, trend=4),
       sharing="S"),
    ds("SBZX", "sbzx_eligibility_checks", "待遇领取资格认证", SOC, "Q",
       flow("checked", "认证人数", "人", "pop", 0.05, spread=0.2, season="yearend"),
       flow("online", "其中：线上认证", "人", "@checked", 0.6, spread=0.15, trend=6, cap=True)),
    # ---- 医保中心 ----
    ds("YBZX", "ybzx_inpatient_settlements", "住院费用结算", HEALTH, "M",
       flow("admissions", "住院人次", "人次", "pop", 0.012, spread=0.2, season="flu"),
       flow("fund_paid", "统筹基金支付", "万元", "@admissions", 0.62, spread=0.1, trend=3, decimals=1),
       level="town", sharing="S"),
    ds("YBZX", "ybzx_chronic_outpatient", "门诊慢特病待遇", HEALTH, "Q",
       stock("patients", "待遇享受人数", "人", "pop", 0.02, spread=0.4, trend=5),
       sharing="R"),
    # ---- 就业中心 ----
    ds("JYZX", "jyzx_job_fairs", "招聘会与岗位", JOBS, "Q",
       flow("fairs", "招聘会", "场", "ind", 0.5, spread=0.5),
       flow("posts", "提供岗位", "个", "ind", 60.0, spread=0.6, trend=3),
       level="town"),
    ds("JYZX", "jyzx_registered_unemployed", "登记失业人员", JOBS, "Q",
       stock("unemployed", "登记失业人员", "人", "pop", 0.006, spread=0.4, trend=-2),
       sharing="R"),
    ds("JYZX", "jyzx_public_posts", "公益性岗位", JOBS, "Y",
       stock("posts", "公益性岗位", "个", "pop", 0.002, spread=0.5),
       stock("filled", "在岗人数", "人", "@posts", 0.93, spread=0.05, cap=True)),
    ds("JYZX", "jyzx_rural_job_registration", "农村劳动力就业登记", JOBS, "Q",
       flow("registered", "新增就业登记", "人", "pop", 0.006, spread=0.4, season="festival")),
    # ---- 公积金中心 ----
    ds("GJJ", "gjj_contributors", "住房公积金缴存", HOUSING, "M",
       stock("contributors", "缴存人数", "人", "ind", 520.0, spread=0.6, trend=4),
       flow("amount", "缴存额", "万元", "@contributors", 0.24, spread=0.15, trend=4, decimals=1),
       level="town"),
    ds("GJJ", "gjj_loans", "住房公积金贷款", HOUSING, "Q",
       flow("loans", "发放贷款", "笔", "ind", 4.0, spread=0.6, season="construction"),
       flow("amount", "贷款金额", "万元", "@loans", 55.0, spread=0.2, decimals=1),
       level="town"),
    # ---- 档案馆 ----
    ds("DAG", "dag_village_archives", "村级档案", GOV, "Y",
       stock("volumes", "村级档案", "卷", "one", 420.0, spread=0.4, trend=4),
       pct("digitised", "档案数字化率", 55, spread=12, trend=9)),
    ds("DAG", "dag_archive_queries", "档案查阅利用", GOV, "M",
       flow("queries", "查阅人次", "人次", "pop", 0.0025, spread=0.3, trend=-4),
       level="town"),
    # ---- 妇幼保健院 ----
    ds("FYBJY", "fybjy_maternal_care", "孕产妇系统管理", HEALTH, "Q",
       flow("mothers", "产妇", "人", "pop", 0.0015, spread=0.25, trend=-6),
       flow("managed", "系统管理", "人", "@mothers", 0.96, spread=0.02, cap=True)),
    ds("FYBJY", "fybjy_child_health", "0-6岁儿童健康管理", HEALTH, "Y",
       stock("children", "0-6岁儿童", "人", "pop", 0.052, spread=0.2, trend=-5),
       stock("managed", "健康管理", "人", "@children", 0.95, spread=0.02, cap=True)),
    ds("FYBJY", "fybjy_cancer_screening", "农村妇女两癌筛查", HEALTH, "Y",
       flow("screened", "筛查人数", "人", "pop", 0.03, spread=0.3, trend=3),
       sharing="S"),
    # ---- 疾控中心 ----
    ds("JKZX", "jkzx_influenza", "流感样病例监测", HEALTH, "M",
       flow("ili", "流感样病例", "例", "pop", 0.0035, spread=0.2, season="flu", noise=0.25),
       level="town", sharing="S"),
    ds("JKZX", "jkzx_water_monitoring", "生活饮用水卫生监测", WATER, "Q",
       flow("samples", "监测水样", "份", "one", 2.0, spread=0.3),
       flow("passed", "合格水样", "份", "@samples", 0.97, spread=0.02, cap=True)),
    ds("JKZX", "jkzx_vector_control", "病媒生物监测", HEALTH, "M",
       flow("checks", "监测次数", "次", "one", 2.0, spread=0.3, season="water"),
       level("mosquito_index", "布雷图指数", "", 6.0, 2.0, season="water", noise=1.5, decimals=1)),
    # ---- 公证处、殡仪馆、残联 ----
    ds("GZC", "gzc_notarisations", "公证业务", GOV, "M",
       flow("notarisations", "公证件数", "件", "pop", 0.0018, spread=0.3, season="travel"),
       level="town"),
    ds("BYG", "byg_cremations", "遗体火化", POP, "M",
       flow("cremations", "火化数", "具", "pop", 0.0007, spread=0.15, season="flu"),
       level="town", sharing="S"),
    ds("BYG", "byg_eco_burials", "节地生态安葬", POP, "Y",
       flow("eco_burials", "生态安葬", "例", "pop", 0.0016, spread=0.3, trend=10),
       level="town"),
    ds("CL", "cl_disabled_people", "持证残疾人", AID, "Y",
       stock("certified", "持证残疾人", "人", "pop", 0.024, spread=0.2, trend=1),
       stock("severe", "其中：一、二级", "人", "@certified", 0.38, spread=0.1, cap=True),
       sharing="R", description="持证残疾人的村级汇总，不含个人信息；个人敏感数据的聚合，受限共享。"),
    ds("CL", "cl_rehabilitation", "残疾人康复服务", AID, "Q",
       flow("served", "康复服务人次", "人次", "pop", 0.004, spread=0.4, trend=4),
       sharing="R"),
    ds("CL", "cl_employment", "残疾人就业", JOBS, "Y",
       stock("employed", "就业残疾人", "人", "pop", 0.005, spread=0.4, trend=2),
       sharing="R"),
    # ---- 供电公司 ----
    ds("GDGS", "gdgs_power_use", "村级用电量", ENERGY, "M",
       stock("accounts", "居民用电户", "户", "hh", 1.05, spread=0.05, trend=1),
       flow("residential", "居民生活用电", "万千瓦时", "@accounts", 0.0185, spread=0.2, trend=4, season="power", decimals=2),
       flow("agricultural", "农业生产用电", "万千瓦时", "farm", 0.00085, spread=0.6, season="farmwork", decimals=2)),
    ds("GDGS", "gdgs_outages", "停电情况", ENERGY, "M",
       flow("outages", "停电次数", "次", "area", 0.12, spread=0.5, season="typhoon", noise=0.4),
       flow("customer_hours", "停电时户数", "时·户", "hh", 0.08, spread=0.6, season="typhoon", noise=0.6),
       sharing="S"),
    ds("GDGS", "gdgs_ev_chargers", "充电桩", ENERGY, "Y",
       stock("chargers", "公共充电桩", "个", "pop", 0.003, spread=0.6, trend=40)),
    # ---- 自来水公司、燃气公司 ----
    ds("ZLS", "zls_water_supply", "村级供水量", WATER, "M",
       stock("accounts", "供水户数", "户", "hh", 0.97, spread=0.03, trend=0.5),
       flow("supply", "供水量", "吨", "@accounts", 10.5, spread=0.15, trend=2, season="water")),
    ds("ZLS", "zls_water_quality", "出厂水与管网水质", WATER, "M",
       flow("samples", "检测样本", "份", "one", 12.0, spread=0.1),
       pct("pass_rate", "综合合格率", 99.3, spread=0.3, noise=0.3),
       level="town"),
    ds("RQGS", "rqgs_gas_users", "管道燃气用户", ENERGY, "Y",
       stock("users", "管道燃气用户", "户", "hh", 0.35, spread=0.6, trend=9)),
    ds("RQGS", "rqgs_gas_use", "管道燃气用气量", ENERGY, "M",
       flow("gas", "居民用气量", "立方米", "hh", 3.2, spread=0.6, trend=8, season="gas")),
]
# fmt: on


def _town_datasets() -> list[DatasetSpec]:
    """Each town government reports its own villages' grid events and consultations."""
    out = []
    for town_no, town in names.TOWNS:
        dept = town_department_code(town_no)
        stem = f"t{town_no}"
        out += [
            ds(dept, f"{stem}_grid_events", f"{town}网格事件处置", GOV, "M",
               flow("reported", "网格员上报事件", "件", "pop", 0.018, spread=0.4, trend=4),
               flow("resolved", "当月办结", "件", "@reported", 0.93, spread=0.04, noise=0.03, cap=True),
               town=town_no, description=f"{town}基层治理网格员上报的各村（社区）事件与办结情况。"),
            ds(dept, f"{stem}_consultations", f"{town}村民议事协商", GOV, "Q",
               flow("meetings", "议事协商会", "次", "one", 2.5, spread=0.3),
               flow("decisions", "议定事项", "项", "@meetings", 2.2, spread=0.3), town=town_no),
        ]  # fmt: skip
    return out


DATASETS += _town_datasets()

# ---- the deliberate faults ----


@dataclass(frozen=True)
class PlantedAnomaly:
    """A cell made wrong on purpose: ``factor`` times what it would have been (0: a lost entry)."""

    dataset: str
    field: str
    village: str  # the last six digits of the village code: town number + village number
    months_before_end: int  # 0 is the last month of the data
    factor: float
    kind: str  # spike | zero | drop | unit_error
    note: str
    # The village is given at least these weights, so the anomaly has something to act on.
    ensure: tuple[tuple[str, float], ...] = ()


PLANTED_ANOMALIES: list[PlantedAnomaly] = [
    PlantedAnomaly("wglt_visitors", "visitors", "103202", 0, 5.0, "spike",
                   "某网红打卡点走红，当月游客激增至平时的5倍", (("tour", 1.5),)),
    PlantedAnomaly("gdgs_power_use", "residential", "105203", 5, 0.0, "zero",
                   "抄表数据漏报，居民生活用电录为0"),
    PlantedAnomaly("zls_water_supply", "supply", "102204", 14, 10.0, "unit_error",
                   "供水量单位填错，比正常值大10倍"),
    PlantedAnomaly("nync_greenhouses", "output_value", "106202", 9, 0.1, "drop",
                   "寒潮冻害，大棚当月产值只有平时的一成", (("gh", 180.0),)),
    PlantedAnomaly("wjj_clinic_visits", "visits", "107203", 3, 3.0, "spike",
                   "流感聚集性疫情，村卫生室诊疗人次达平时的3倍"),
    PlantedAnomaly("dsj_hotline_12345", "requests", "104202", 1, 4.0, "spike",
                   "停水事件引发集中诉求，热线诉求为平时的4倍"),
]  # fmt: skip


@dataclass(frozen=True)
class PlantedInconsistency:
    """A value that disagrees with the same quantity in another dataset (a ConsistencyRule)."""

    dataset: str
    field: str
    village: str
    years_before_end: int  # 0 is the last year of the data
    factor: float
    note: str


PLANTED_INCONSISTENCIES: list[PlantedInconsistency] = [
    PlantedInconsistency("gaj_households", "resident_population", "101203", 0, 1.08,
                         "户籍系统未及时注销外迁人员，常住人口比统计口径多8%"),
]  # fmt: skip


@dataclass(frozen=True)
class ConsistencyPair:
    """Two fields that must agree (a ``ConsistencyRule``), within ``tolerance`` (relative)."""

    name: str
    left: tuple[str, str]
    right: tuple[str, str]
    tolerance: float


POPULATION_RULE = ConsistencyPair(
    "常住人口：统计局人口基本情况与公安户籍人口与户数",
    ("tjj_population", "resident_population"),
    ("gaj_households", "resident_population"),
    0.01,
)

# Villages of the demo story, with weights of their own (东山村 is a tourist village with greenhouses).
VILLAGE_FLOORS: dict[str, dict[str, float]] = {"101201": {"tour": 1.2, "gh": 90.0}}


def dataset_specs() -> list[DatasetSpec]:
    return list(DATASETS)


def spec_by_code() -> dict[str, DatasetSpec]:
    return {d.code: d for d in DATASETS}
