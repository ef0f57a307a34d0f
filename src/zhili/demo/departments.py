"""The 58 departments of the demo county: 48 county bodies and the 10 town governments."""

from __future__ import annotations

import random
from typing import Any

from stdnum.cn import uscc

from zhili.demo import names

# The first two characters of a unified social credit code (GB 32100-2015):
# 登记管理部门 1 = 机构编制; 机构类别 1 机关, 2 事业单位, 3 群众团体; 9 1 = 工商, 企业.
ORGAN, INSTITUTION, MASS, COMPANY = "11", "12", "13", "91"

# (code, name, short name, kind)
COUNTY_DEPARTMENTS: list[tuple[str, str, str, str]] = [
    ("FGJ", "清溪县发展和改革局", "发改局", ORGAN),
    ("JXJ", "清溪县经济和信息化局", "经信局", ORGAN),
    ("JYJ", "清溪县教育局", "教育局", ORGAN),
    ("KJJ", "清溪县科学技术局", "科技局", ORGAN),
    ("GAJ", "清溪县公安局", "公安局", ORGAN),
    ("MZJ", "清溪县民政局", "民政局", ORGAN),
    ("SFJ", "清溪县司法局", "司法局", ORGAN),
    ("CZJ", "清溪县财政局", "财政局", ORGAN),
    ("RSJ", "清溪县人力资源和社会保障局", "人力社保局", ORGAN),
    ("ZRZY", "清溪县自然资源和规划局", "自然资源局", ORGAN),
    ("STHJ", "湖州市生态环境局清溪分局", "生态环境分局", ORGAN),
    ("ZJJ", "清溪县住房和城乡建设局", "住建局", ORGAN),
    ("JTJ", "清溪县交通运输局", "交通运输局", ORGAN),
    ("SLJ", "清溪县水利局", "水利局", ORGAN),
    ("NYNC", "清溪县农业农村局", "农业农村局", ORGAN),
    ("SWUJ", "清溪县商务局", "商务局", ORGAN),
    ("WGLT", "清溪县文化和广电旅游体育局", "文广旅体局", ORGAN),
    ("WJJ", "清溪县卫生健康局", "卫生健康局", ORGAN),
    ("TYJR", "清溪县退役军人事务局", "退役军人局", ORGAN),
    ("YJGL", "清溪县应急管理局", "应急管理局", ORGAN),
    ("SJJ", "清溪县审计局", "审计局", ORGAN),
    ("SCJG", "清溪县市场监督管理局", "市场监管局", ORGAN),
    ("TJJ", "清溪县统计局", "统计局", ORGAN),
    ("YBJ", "清溪县医疗保障局", "医保局", ORGAN),
    ("LYJ", "清溪县林业局", "林业局", ORGAN),
    ("ZHZF", "清溪县综合行政执法局", "综合执法局", ORGAN),
    ("DSJ", "清溪县数据局", "数据局", ORGAN),
    ("RFB", "清溪县人民防空办公室", "人防办", ORGAN),
    ("SWJ", "国家税务总局清溪县税务局", "税务局", ORGAN),
    ("QXJ", "清溪县气象局", "气象局", ORGAN),
    ("YCJ", "清溪县烟草专卖局", "烟草专卖局", ORGAN),
    ("JJDD", "清溪县公安局交通警察大队", "交警大队", ORGAN),
    ("CRJ", "清溪县公安局出入境管理大队", "出入境管理大队", ORGAN),
    ("XFJY", "清溪县消防救援大队", "消防救援大队", ORGAN),
    ("BDC", "清溪县不动产登记中心", "不动产登记中心", INSTITUTION),
    ("SBZX", "清溪县社会保险事业管理中心", "社保中心", INSTITUTION),
    ("YBZX", "清溪县医疗保障事务中心", "医保中心", INSTITUTION),
    ("JYZX", "清溪县就业管理服务中心", "就业中心", INSTITUTION),
    ("GJJ", "湖州市住房公积金管理中心清溪分中心", "公积金中心", INSTITUTION),
    ("DAG", "清溪县档案馆", "档案馆", INSTITUTION),
    ("FYBJY", "清溪县妇幼保健院", "妇幼保健院", INSTITUTION),
    ("JKZX", "清溪县疾病预防控制中心", "疾控中心", INSTITUTION),
    ("GZC", "浙江省清溪县公证处", "公证处", INSTITUTION),
    ("BYG", "清溪县殡仪馆", "殡仪馆", INSTITUTION),
    ("CL", "清溪县残疾人联合会", "残联", MASS),
    ("GDGS", "国网浙江清溪县供电有限公司", "供电公司", COMPANY),
    ("ZLS", "清溪县自来水有限公司", "自来水公司", COMPANY),
    ("RQGS", "清溪县天然气有限公司", "燃气公司", COMPANY),
]

_ORG_ALPHABET = "0123456789ABCDEFGHJKLMNPQRTUWXY"  # letters a credit code may hold


def town_department_code(town_no: str) -> str:
    """JD001 for a 街道办事处, XZ101 for a 镇人民政府."""
    return ("JD" if names.is_subdistrict(town_no) else "XZ") + town_no


def departments(*, county_code: str = "330599") -> list[dict[str, Any]]:
    """Code, name, short name, credit code, division, phone and order of each department."""
    rng = random.Random("departments")
    out: list[dict[str, Any]] = []
    for code, name, short, kind in COUNTY_DEPARTMENTS:
        out.append(_department(rng, code, name, short, kind, f"{county_code}000000", len(out)))
    for town_no, town in names.TOWNS:
        if names.is_subdistrict(town_no):
            name, short = f"{names.COUNTY_NAME}{town}办事处", f"{town}办事处"
        else:
            name, short = f"{names.COUNTY_NAME}{town}人民政府", f"{town}政府"
        out.append(
            _department(
                rng,
                town_department_code(town_no),
                name,
                short,
                ORGAN,
                f"{county_code}{town_no}000",
                len(out),
            )
        )
    return out


def _department(
    rng: random.Random, code: str, name: str, short: str, kind: str, division: str, order: int
) -> dict[str, Any]:
    return {
        "code": code,
        "name": name,
        "short_name": short,
        "credit_code": credit_code(kind, division[:6], rng),
        "division_code": division,
        "phone": f"0572-{rng.choice('68')}{rng.randint(0, 999999):06d}",
        "order": order,
    }


def credit_code(kind: str, area: str, rng: random.Random) -> str:
    """A GB 32100 code: kind, registration area, organisation code (GB 11714), check character."""
    if kind == COMPANY:
        body = "MA2" + "".join(rng.choice(_ORG_ALPHABET) for _ in range(5))
    else:
        lead = {ORGAN: "00", INSTITUTION: "47", MASS: "50"}[kind]
        body = lead + f"{rng.randint(0, 999999):06d}"
    first17 = kind + area + body + _org_check(body)
    return first17 + uscc.calc_check_digit(first17)


def _org_check(body: str) -> str:
    # GB 11714-1997: weights 3 7 9 10 5 8 4 2, check = 11 - sum mod 11 (10 → X, 11 → 0).
    weights = (3, 7, 9, 10, 5, 8, 4, 2)
    total = sum(int(c, 36) * w for c, w in zip(body, weights, strict=True))
    check = 11 - total % 11
    return {10: "X", 11: "0"}.get(check, str(check))
