"""The tables the kiosk's self-service queries read: 社保缴费记录, 医保参保记录, 不动产登记信息.

Each is a restricted dataset of the department that keeps it (人力社保局,
医保局, 不动产登记中心), published as Parquet like any other. A person is
identified only by ``person_key`` = ``blind_index("person", id_number)``: the
kiosk verifies who is standing at it, computes the key from the verified
identity number and reads that person's rows; neither the number nor the
name is stored in the tables.

The demo residents are a few hundred villagers with valid identity numbers
(GB 11643), 王芳 of 东山村 first, with the same number the demo cases give
her (``zhili.demo.cases``). ``kiosk_residents`` lists them for tests and for
trying the kiosk by hand.
"""

from __future__ import annotations

import datetime as dt
import random
from dataclasses import dataclass
from typing import Any

import pyarrow as pa
from django.db import transaction
from stdnum.cn import ric

from zhili.accounts.pii import blind_index
from zhili.datahub.models import Dataset
from zhili.datahub.versions import version_publish
from zhili.demo.cases import GIVEN, SURNAMES, resident_id
from zhili.demo.generate import DEFAULT_SEED

SOCIAL_INSURANCE = "rsj_social_insurance_payments"
MEDICAL_INSURANCE = "ybj_medical_insurance_records"
REAL_ESTATE = "bdc_real_estate_registrations"
KIOSK_DATASETS = {SOCIAL_INSURANCE: "RSJ", MEDICAL_INSURANCE: "YBJ", REAL_ESTATE: "BDC"}

RESIDENTS = 300
DONGSHAN = "101201"  # 东山村: 王芳's village (zhili.demo.people.DONGSHAN_VILLAGE)
WANGFANG_EMPLOYER = "清溪县东山茶业有限公司"
MORE_GIVEN = ["晓东", "玉兰", "伟民", "桂芳", "建军", "红霞", "俊杰", "佳怡", "子涵", "浩然"]
EMPLOYERS = [
    "清溪县东山茶业有限公司", "浙江清溪竹木制品有限公司", "清溪县梅溪纺织有限公司",
    "清溪县白鹭建筑工程有限公司", "浙江凤鸣电子科技有限公司", "清溪县桃源农业开发有限公司",
    "清溪县龙山物流有限公司", "清溪县人民医院", "清溪县双溪食品有限公司", "清溪县青石新材料有限公司",
]  # fmt: skip
# 城乡居民基本养老保险 contribution grades (元 a year) and 城乡居民医保 personal premiums by year.
PENSION_GRADES = [300, 500, 800, 1000, 1500, 2000, 3000]
WAGE_GROWTH = 1.045  # the contribution base follows the average wage, about 4.5% a year
MEDICAL_PREMIUM = {2020: 280, 2021: 320, 2022: 350, 2023: 380, 2024: 400, 2025: 400, 2026: 420}
MEDICAL_SUBSIDY = {2020: 550, 2021: 580, 2022: 610, 2023: 640, 2024: 670, 2025: 700, 2026: 730}


@dataclass(frozen=True)
class Resident:
    name: str
    id_number: str
    division_code: str
    employer: str  # "" for a villager insured as a 城乡居民
    since: dt.date  # first insured
    base: int = 0  # monthly contribution base (缴费基数) in the first year of the records, 元

    @property
    def key(self) -> str:
        return blind_index("person", self.id_number)


def _id_number(rng: random.Random, county_code: str) -> str:
    birth = dt.date(rng.randint(1966, 2002), rng.randint(1, 12), rng.randint(1, 28))
    body = f"{county_code}{birth:%Y%m%d}{rng.randint(0, 999):03d}"
    return body + ric.calc_check_digit(body + "0")


def wangfang_id_number(*, seed: int = DEFAULT_SEED, county_code: str = "330599") -> str:
    """王芳's identity number: the one ``load_cases`` gives her, or would give her."""
    from zhili.cases.models import Applicant

    applicant = Applicant.objects.filter(user__username="wangfang").first()
    if applicant is not None:
        return applicant.id_number()
    return resident_id(random.Random(seed), county_code)


def kiosk_residents(
    *, seed: int, county_code: str, villages: list[str], count: int = RESIDENTS
) -> list[Resident]:
    """The demo residents with kiosk records: 王芳 first, then ``count - 1`` others."""
    rng = random.Random(f"kiosk:{seed}")
    home = county_code + DONGSHAN if county_code + DONGSHAN in villages else villages[0]
    wangfang = wangfang_id_number(seed=seed, county_code=county_code)
    # Insured since 2012: past 60 she keeps paying until her 15 years are complete
    # (社会保险法 第十六条: 累计缴费不足十五年的，可以缴费至满十五年).
    out = [Resident("王芳", wangfang, home, WANGFANG_EMPLOYER, dt.date(2012, 3, 1), 5200)]
    seen = {wangfang}
    given = GIVEN + MORE_GIVEN
    while len(out) < count:
        number = _id_number(rng, county_code)
        if number in seen:
            continue
        seen.add(number)
        employed = rng.random() < 0.55
        out.append(
            Resident(
                name=rng.choice(SURNAMES) + rng.choice(given),
                id_number=number,
                division_code=rng.choice(villages),
                employer=rng.choice(EMPLOYERS) if employed else "",
                since=dt.date(rng.randint(2005, 2020), rng.randint(1, 12), 1),
                base=round(rng.uniform(4500, 12000) / 10) * 10 if employed else 0,
            )
        )
    return out


# ---- schemas ----


def _f(
    name: str, title: str, kind: str = "string", unit: str = "", **constraints: Any
) -> dict[str, Any]:
    out: dict[str, Any] = {"name": name, "type": kind, "title": title}
    if unit:
        out["unit"] = unit
    out["constraints"] = constraints
    return out


def _schema(frequency: str, fields: list[dict[str, Any]], key: list[str]) -> dict[str, Any]:
    pattern = r"^\d{4}-(0[1-9]|1[0-2])$" if frequency == "monthly" else r"^\d{4}$"
    return {
        "fields": [
            _f("division_code", "区划代码", required=True, pattern=r"^\d{12}$"),
            _f("period", "统计期", required=True, pattern=pattern),
            _f("person_key", "人员索引（盲索引）", required=True, pattern=r"^[0-9a-f]{64}$"),
            *fields,
        ],
        "primaryKey": ["division_code", "period", "person_key", *key],
    }


SI_TYPES = ["企业职工基本养老保险", "失业保险", "工伤保险", "城乡居民基本养老保险"]
SPECS: dict[str, dict[str, Any]] = {
    SOCIAL_INSURANCE: {
        "name": "社保缴费记录",
        "category": "社会保障",
        "frequency": "monthly",
        "description": "个人社会保险缴费明细（按险种、按月）。受限：仅供自助终端在身份核验后查询本人记录；"
        "人员以盲索引标识，不含身份证号和姓名。",
        "schema": _schema(
            "monthly",
            [
                _f("insurance", "险种", required=True, enum=SI_TYPES),
                _f("payer", "缴费单位", required=True),
                _f("base", "缴费基数", "number", "元", minimum=0),
                _f("personal", "个人缴费", "number", "元", required=True, minimum=0),
                _f("employer", "单位缴费", "number", "元", required=True, minimum=0),
                _f("subsidy", "政府补贴", "number", "元", required=True, minimum=0),
                _f("status", "缴费状态", required=True, enum=["已到账", "欠缴"]),
                _f("paid_on", "到账日期", "date"),
            ],
            ["insurance"],
        ),
    },
    MEDICAL_INSURANCE: {
        "name": "医保参保记录",
        "category": "社会保障",
        "frequency": "yearly",
        "description": "个人基本医疗保险年度参保与缴费记录。受限：仅供自助终端在身份核验后查询本人记录。",
        "schema": _schema(
            "yearly",
            [
                _f(
                    "scheme",
                    "险种",
                    required=True,
                    enum=["职工基本医疗保险", "城乡居民基本医疗保险"],
                ),
                _f("status", "参保状态", required=True, enum=["参保缴费", "暂停参保", "终止参保"]),
                _f("insurer", "参保单位", required=True),
                _f("personal", "个人缴费", "number", "元", required=True, minimum=0),
                _f("employer", "单位缴费", "number", "元", required=True, minimum=0),
                _f("subsidy", "财政补助", "number", "元", required=True, minimum=0),
                _f("account_balance", "个人账户余额", "number", "元", minimum=0),
                _f("insured_since", "首次参保日期", "date", required=True),
            ],
            [],
        ),
    },
    REAL_ESTATE: {
        "name": "不动产登记信息",
        "category": "住房与不动产",
        "frequency": "yearly",
        "description": "个人名下不动产登记簿信息（按登簿年份）。不动产单元号按GB/T 37346-2019编制。"
        "受限：仅供自助终端在身份核验后查询本人记录。",
        "schema": _schema(
            "yearly",
            [
                _f(
                    "unit_no",
                    "不动产单元号",
                    required=True,
                    pattern=r"^\d{12}[GJZ][A-Z]\d{5}[FLQW]\d{8}$",
                ),
                _f("certificate_no", "不动产权证号", required=True),
                _f("location", "坐落", required=True),
                _f("use", "用途", required=True, enum=["住宅", "商业", "工业"]),
                _f(
                    "right_type",
                    "权利类型",
                    required=True,
                    enum=["宅基地使用权/房屋所有权", "国有建设用地使用权/房屋所有权"],
                ),
                _f(
                    "ownership",
                    "共有情况",
                    required=True,
                    enum=["单独所有", "共同共有", "按份共有"],
                ),
                _f("building_area", "建筑面积", "number", "平方米", required=True, minimum=0),
                _f("land_area", "宗地（分摊）面积", "number", "平方米", required=True, minimum=0),
                _f(
                    "registration_type",
                    "登记类型",
                    required=True,
                    enum=["首次登记", "转移登记", "变更登记"],
                ),
                _f("registered_on", "登簿日期", "date", required=True),
                _f("mortgage", "抵押状态", required=True, enum=["无", "抵押"]),
                _f("seizure", "查封状态", required=True, enum=["无", "查封"]),
            ],
            ["unit_no"],
        ),
    },
}


# ---- rows ----


def _months(end_period: str, count: int = 60) -> list[tuple[int, int]]:
    year, month = int(end_period[:4]), int(end_period[5:7])
    index = year * 12 + month - 1
    return [((i // 12), i % 12 + 1) for i in range(index - count + 1, index + 1)]


def _social_insurance(people: list[Resident], end_period: str, seed: int) -> dict[str, list[Any]]:
    rng = random.Random(f"kiosk-si:{seed}")
    months = _months(end_period)
    names = ["division_code", "period", "person_key", "insurance", "payer", "base", "personal",
             "employer", "subsidy", "status", "paid_on"]  # fmt: skip
    rows: list[tuple[Any, ...]] = []
    for r in people:
        if r.employer:
            start = 0 if r.name == "王芳" or rng.random() < 0.7 else rng.randint(1, 40)
            owed = {rng.randint(start, 59)} if rng.random() < 0.06 else set()
            for i, (y, m) in enumerate(months[start:], start=start):
                base = round(r.base * WAGE_GROWTH ** (y - months[0][0]))
                late = i in owed
                paid = None if late else dt.date(y, m, rng.randint(10, 25))
                for kind, personal, employer in (
                    ("企业职工基本养老保险", 0.08, 0.16),
                    ("失业保险", 0.005, 0.005),
                    ("工伤保险", 0.0, 0.004),
                ):
                    rows.append((r.division_code, f"{y}-{m:02d}", r.key, kind, r.employer, base,
                                 round(base * personal, 2), round(base * employer, 2), 0.0,
                                 "欠缴" if late else "已到账", paid))  # fmt: skip
        else:
            grade = rng.choice(PENSION_GRADES)
            pay_month = rng.randint(3, 6)
            for y, m in months:
                if m == pay_month:
                    rows.append((r.division_code, f"{y}-{m:02d}", r.key, "城乡居民基本养老保险",
                                 "个人缴费", None, float(grade), 0.0, 30 + grade * 0.05, "已到账",
                                 dt.date(y, m, rng.randint(1, 28))))  # fmt: skip
    return {name: [row[i] for row in rows] for i, name in enumerate(names)}


def _medical_insurance(people: list[Resident], years: list[int], seed: int) -> dict[str, list[Any]]:
    rng = random.Random(f"kiosk-mi:{seed}")
    cols: dict[str, list[Any]] = {k: [] for k in (
        "division_code", "period", "person_key", "scheme", "status", "insurer", "personal",
        "employer", "subsidy", "account_balance", "insured_since")}  # fmt: skip
    for r in people:
        balance = rng.uniform(500, 6000) if r.employer else None
        paused = rng.choice(years) if r.name != "王芳" and rng.random() < 0.04 else None
        for y in years:
            wage = r.base * WAGE_GROWTH ** (y - years[0]) * 12
            cols["division_code"].append(r.division_code)
            cols["period"].append(str(y))
            cols["person_key"].append(r.key)
            cols["insured_since"].append(r.since)
            cols["status"].append("暂停参保" if y == paused else "参保缴费")
            paying = y != paused
            if r.employer:
                cols["scheme"].append("职工基本医疗保险")
                cols["insurer"].append(r.employer)
                cols["personal"].append(round(wage * 0.02, 2) if paying else 0.0)
                cols["employer"].append(round(wage * 0.075, 2) if paying else 0.0)
                cols["subsidy"].append(0.0)
                assert balance is not None
                balance = balance + wage * 0.02 * 0.8 - rng.uniform(0, 1500)
                balance = max(balance, 0.0)
                cols["account_balance"].append(round(balance, 2))
            else:
                cols["scheme"].append("城乡居民基本医疗保险")
                cols["insurer"].append("清溪县医疗保障事务中心")
                cols["personal"].append(float(MEDICAL_PREMIUM.get(y, 420)) if paying else 0.0)
                cols["employer"].append(0.0)
                cols["subsidy"].append(float(MEDICAL_SUBSIDY.get(y, 730)) if paying else 0.0)
                cols["account_balance"].append(None)
    return cols


def _real_estate(
    people: list[Resident], last_year: int, names: dict[str, str], seed: int
) -> dict[str, list[Any]]:
    rng = random.Random(f"kiosk-re:{seed}")
    cols: dict[str, list[Any]] = {k: [] for k in (
        "division_code", "period", "person_key", "unit_no", "certificate_no", "location", "use",
        "right_type", "ownership", "building_area", "land_area", "registration_type",
        "registered_on", "mortgage", "seizure")}  # fmt: skip
    parcel = {code: 0 for code in names}
    serial = 0
    county = names.get(people[0].division_code[:6] + "000000", "清溪县")
    for r in people:
        holdings = 1 if r.name == "王芳" else rng.choices([0, 1, 2], weights=[0.2, 0.65, 0.15])[0]
        for h in range(holdings):
            code = r.division_code
            parcel[code] = parcel.get(code, 0) + 1
            serial += 1
            village = names.get(code, "")
            town = names.get(code[:9] + "000", "")
            year = 2016 if r.name == "王芳" else rng.randint(2008, last_year)
            on = dt.date(year, rng.randint(1, 12), rng.randint(1, 28))
            if village.endswith("社区"):
                right, feature = "国有建设用地使用权/房屋所有权", "GB"
                building = round(rng.uniform(70, 140), 2)
                land = round(building * rng.uniform(0.18, 0.3), 2)
                where = (f"{county}{town}{village}{rng.choice(['锦绣', '阳光', '溪畔', '凤栖'])}花园"
                         f"{rng.randint(1, 18)}幢{rng.randint(1, 3)}单元{rng.randint(2, 18)}0{rng.randint(1, 4)}室")  # fmt: skip
                kind = "转移登记" if rng.random() < 0.7 else "首次登记"
            else:
                right, feature = "宅基地使用权/房屋所有权", "JC"
                building = round(rng.uniform(120, 320), 2)
                land = round(rng.uniform(90, 140), 2)
                where = f"{county}{town}{village}{parcel[code]}号"
                kind = "首次登记" if rng.random() < 0.85 else "变更登记"
            cols["division_code"].append(code)
            cols["period"].append(str(year))
            cols["person_key"].append(r.key)
            cols["unit_no"].append(f"{code}{feature}{parcel[code]:05d}F{h + 1:04d}0001")
            cols["certificate_no"].append(f"浙({year})清溪县不动产权第{serial:07d}号")
            cols["location"].append(where)
            cols["use"].append("住宅")
            cols["right_type"].append(right)
            cols["ownership"].append("共同共有" if rng.random() < 0.55 else "单独所有")
            cols["building_area"].append(building)
            cols["land_area"].append(land)
            cols["registration_type"].append(kind)
            cols["registered_on"].append(on)
            mortgaged = r.name == "王芳" or rng.random() < 0.25
            cols["mortgage"].append("抵押" if mortgaged else "无")
            cols["seizure"].append("查封" if r.name != "王芳" and rng.random() < 0.01 else "无")
    return cols


def kiosk_tables(
    *, seed: int, end_period: str, people: list[Resident], names: dict[str, str]
) -> dict[str, pa.Table]:
    """The three tables for ``people``; ``names`` maps division codes to names (for 坐落)."""
    year, month = int(end_period[:4]), int(end_period[5:7])
    last_year = year if month == 12 else year - 1
    years = list(range(last_year - 4, last_year + 1))
    return {
        SOCIAL_INSURANCE: pa.table(_social_insurance(people, end_period, seed)),
        MEDICAL_INSURANCE: pa.table(_medical_insurance(people, years, seed)),
        REAL_ESTATE: pa.table(_real_estate(people, last_year, names, seed)),
    }


def kiosk_load(*, seed: int = DEFAULT_SEED, end_period: str, actor: Any = None) -> dict[str, Any]:
    """Create and publish the three restricted kiosk datasets; skipped if one exists already."""
    from zhili.divisions.models import Department, Division

    if Dataset.objects.filter(code__in=KIOSK_DATASETS).exists():
        return {"kiosk_datasets": 0}
    departments = {d.code: d for d in Department.objects.filter(code__in=KIOSK_DATASETS.values())}
    names = dict(Division.objects.values_list("code", "name"))
    villages = list(
        Division.objects.filter(level="village").order_by("code").values_list("code", flat=True)
    )
    if not villages or len(departments) < len(set(KIOSK_DATASETS.values())):
        return {"kiosk_datasets": 0}
    people = kiosk_residents(seed=seed, county_code=villages[0][:6], villages=villages)
    tables = kiosk_tables(seed=seed, end_period=end_period, people=people, names=names)
    rows = 0
    with transaction.atomic():
        for code, dept in KIOSK_DATASETS.items():
            spec = SPECS[code]
            dataset = Dataset.objects.create(
                code=code, name=spec["name"], category=spec["category"],
                department=departments[dept], description=spec["description"],
                keywords=["自助查询", spec["name"]], frequency=spec["frequency"],
                sharing="restricted", division_level="village", table_schema=spec["schema"],
            )  # fmt: skip
            rows += version_publish(
                dataset=dataset, table=tables[code], actor=actor, note="示范数据"
            ).row_count
    return {
        "kiosk_datasets": len(KIOSK_DATASETS),
        "kiosk_residents": len(people),
        "kiosk_rows": rows,
    }
