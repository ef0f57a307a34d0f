"""Electricity, water and gas."""

from __future__ import annotations

from zhili.demo.items.kit import BOTH, LEGAL, S, Sit

THEMES = {
    "GDGS": ["P_SDRQ", "E_SDRQ"],
    "ZLS": ["P_SDRQ", "E_SDRQ"],
    "RQGS": ["P_SDRQ", "E_SDRQ"],
}

_HOURS = "工作日 8:30-17:00，周六 9:00-12:00"

PLACES = {
    "GDGS": ("国网清溪县供电公司城区供电营业厅", "清溪县解放路58号", _HOURS),
    "ZLS": ("清溪县自来水有限公司营业厅", "清溪县解放路60号", _HOURS),
    "RQGS": ("清溪县天然气有限公司营业厅", "清溪县迎宾大道120号", _HOURS),
}

_POWER = ["电力法", "供电条例", "供电营业规则"]

_WATER = ["供水条例"]

_GAS = ["燃气条例"]

GDGS = [
    S(
        "低压居民新装",
        "公共服务",
        (5, 2),
        laws=_POWER,
        mats=["身份证", "不动产权证"],
        hot=15,
        kw=["电表报装", "装电表", "新装用电"],
    ),
    S(
        "低压非居民新装（增容）",
        "公共服务",
        (15, 5),
        who=LEGAL,
        laws=_POWER,
        mats=["营业执照", "场所证明"],
        kw=["企业用电报装", "增容"],
    ),
    S(
        "用电过户",
        "公共服务",
        (5, 1),
        who=BOTH,
        laws=_POWER,
        mats=["身份证", "不动产权证"],
        themes=["P_SDRQ", "P_BDC"],
        kw=["电费过户", "电表过户"],
        hot=15,
    ),
    S(
        "分布式光伏并网申请",
        "公共服务",
        (20, 10),
        who=BOTH,
        laws=_POWER,
        mats=["身份证", "不动产权证", "光伏项目备案文件@S2=B"],
        sits=[Sit("S2", "项目类型？", ["自然人户用", "非自然人"])],
        kw=["光伏并网", "屋顶光伏"],
    ),
    S(
        "电费发票开具",
        "公共服务",
        (0, 0),
        who=BOTH,
        laws=_POWER,
        form=False,
        mats=[],
        agent=False,
        kiosk=True,
        kw=["电费发票"],
    ),
]

ZLS = [
    S(
        "用水报装",
        "公共服务",
        (10, 3),
        who=BOTH,
        laws=_WATER,
        mats=["身份证", "不动产权证"],
        kw=["装水表", "自来水报装"],
        hot=10,
    ),
    S(
        "用水过户",
        "公共服务",
        (0, 0),
        who=BOTH,
        laws=_WATER,
        mats=["身份证", "不动产权证"],
        themes=["P_SDRQ", "P_BDC"],
        kw=["水费过户", "水表过户"],
        hot=15,
    ),
    S("水表迁移", "公共服务", (10, 5), who=BOTH, laws=_WATER, mats=["身份证"], kw=["移水表"]),
]

RQGS = [
    S(
        "管道燃气开户",
        "公共服务",
        (5, 2),
        who=BOTH,
        laws=_GAS,
        mats=["身份证", "不动产权证"],
        kw=["开通燃气", "通气", "天然气开户"],
        hot=10,
    ),
    S(
        "燃气过户",
        "公共服务",
        (0, 0),
        who=BOTH,
        laws=_GAS,
        mats=["身份证", "不动产权证"],
        themes=["P_SDRQ", "P_BDC"],
        kw=["燃气更名", "天然气过户"],
        hot=15,
    ),
    S("燃气设施改装", "公共服务", (10, 5), who=BOTH, laws=_GAS, mats=["身份证"], kw=["改燃气管"]),
]

SPECS = {"GDGS": GDGS, "ZLS": ZLS, "RQGS": RQGS}
