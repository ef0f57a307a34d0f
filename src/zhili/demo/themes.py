"""Themes (life events, enterprise life cycle) and bundles (一件事一次办) of the demo county."""

from __future__ import annotations

PERSON, LEGAL = "自然人", "法人"

# (code, name, audience) in display order.
THEMES: list[tuple[str, str, str]] = [
    ("P_SYSY", "生育收养", PERSON),
    ("P_HJBL", "户籍办理", PERSON),
    ("P_JYKY", "教育科研", PERSON),
    ("P_JYCY", "就业创业", PERSON),
    ("P_SHBZ", "社会保障", PERSON),
    ("P_YLWS", "医疗卫生", PERSON),
    ("P_HYDJ", "婚姻登记", PERSON),
    ("P_ZFBZ", "住房保障", PERSON),
    ("P_BDC", "不动产", PERSON),
    ("P_CJRJ", "出境入境", PERSON),
    ("P_JTCX", "交通出行", PERSON),
    ("P_TXYL", "退休养老", PERSON),
    ("P_SWBZ", "死亡殡葬", PERSON),
    ("P_NYNC", "农业农村", PERSON),
    ("P_SHJZ", "社会救助", PERSON),
    ("P_CJR", "残疾人服务", PERSON),
    ("P_YFAZ", "优待抚恤", PERSON),
    ("P_FLFW", "法律服务", PERSON),
    ("P_NSJF", "纳税缴费", PERSON),
    ("P_SDRQ", "水电燃气", PERSON),
    ("P_WHTY", "文化体育", PERSON),
    ("E_SLBG", "设立变更", LEGAL),
    ("E_ZYZB", "准营准办", LEGAL),
    ("E_SCJY", "生产经营", LEGAL),
    ("E_NJNS", "年检年审", LEGAL),
    ("E_SSCW", "税收财务", LEGAL),
    ("E_RLZY", "人力资源", LEGAL),
    ("E_SHBZ", "社会保障", LEGAL),
    ("E_TZSP", "投资审批", LEGAL),
    ("E_GCJS", "工程建设", LEGAL),
    ("E_AQSC", "安全生产", LEGAL),
    ("E_HJBH", "环境保护", LEGAL),
    ("E_KJCX", "科技创新", LEGAL),
    ("E_NLMY", "农林牧渔", LEGAL),
    ("E_SDRQ", "水电燃气", LEGAL),
    ("E_PCZX", "破产注销", LEGAL),
]

# (code, name, audience, description, [(department code, item name), ...])
BUNDLES: list[tuple[str, str, str, str, list[tuple[str, str]]]] = [
    (
        "YJS-KBCYD", "开办餐饮店", LEGAL,
        "开一家小餐馆：营业执照、食品经营许可、门头招牌和排水许可一次申请，一次领证。",
        [("SCJG", "个体工商户设立登记"), ("SCJG", "食品经营许可（新办）"),
         ("ZHZF", "户外广告设施设置审批"), ("ZJJ", "城镇污水排入排水管网许可"),
         ("SWJ", "新办纳税人“套餐式”服务")],
    ),
    (
        "YJS-XSECS", "新生儿出生一件事", PERSON,
        "孩子出生后，出生医学证明、落户、预防接种证、医保参保和社保卡一次办好。",
        [("FYBJY", "出生医学证明办理"), ("GAJ", "出生登记"), ("JKZX", "预防接种证办理"),
         ("YBZX", "城乡居民基本医疗保险参保登记"), ("SBZX", "社会保障卡申领"),
         ("YBZX", "生育保险待遇核准支付")],
    ),
    (
        "YJS-TX", "退休一件事", PERSON,
        "到龄退休：养老金申领、医保退休待遇核定、公积金提取和老年人优待证一次申请。",
        [("SBZX", "企业职工基本养老保险待遇申领"), ("YBZX", "职工医保退休人员待遇核定"),
         ("GJJ", "住房公积金提取（离退休）"), ("MZJ", "老年人优待证办理")],
    ),
    (
        "YJS-SH", "身后一件事", PERSON,
        "亲人离世后，火化、户口注销、社保医保清算、公积金和不动产继承，一个窗口办完。",
        [("WJJ", "居民死亡医学证明（推断）书签发"), ("BYG", "遗体火化"), ("GAJ", "死亡户口注销"),
         ("SBZX", "丧葬补助金和抚恤金申领"), ("YBZX", "基本医疗保险参保关系注销"),
         ("GJJ", "住房公积金提取（职工死亡）"),
         ("BDC", "国有建设用地使用权及房屋所有权转移登记（继承、受遗赠）")],
    ),
    (
        "YJS-KBQY", "开办企业一件事", LEGAL,
        "新开一家公司：执照、刻章、发票、社保和公积金登记一次办，一日办结。",
        [("SCJG", "企业设立登记"), ("GAJ", "公章刻制备案"), ("SWJ", "新办纳税人“套餐式”服务"),
         ("SBZX", "单位参保登记"), ("GJJ", "住房公积金单位缴存登记")],
    ),
    (
        "YJS-ESFGH", "二手房转移登记及水电气联动过户", PERSON,
        "买卖二手房：不动产转移登记、税费缴纳和水、电、燃气过户一次申请。",
        [("BDC", "国有建设用地使用权及房屋所有权转移登记（买卖）"), ("SWJ", "存量房交易税费申报"), ("GDGS", "用电过户"),
         ("ZLS", "用水过户"), ("RQGS", "燃气过户")],
    ),
    (
        "YJS-LHJY", "灵活就业一件事", PERSON,
        "打零工、跑外卖、开网店：就业登记、参保、公积金缴存和社保补贴一次办。",
        [("JYZX", "就业登记"), ("SBZX", "灵活就业人员参保登记"),
         ("YBZX", "灵活就业人员职工医保参保登记"), ("GJJ", "灵活就业人员住房公积金缴存登记"),
         ("JYZX", "灵活就业社会保险补贴申领")],
    ),
    (
        "YJS-JRTY", "军人退役一件事", PERSON,
        "退役回乡：报到、落户、社保医保接续、优待证和经济补助一次办。",
        [("TYJR", "退役士兵报到"), ("GAJ", "户口迁入"), ("SBZX", "基本养老保险关系转移接续"),
         ("YBZX", "基本医疗保险关系转移接续"), ("TYJR", "退役军人优待证申领"),
         ("TYJR", "退役士兵自主就业一次性经济补助金给付")],
    ),
    (
        "YJS-CJR", "残疾人服务一件事", PERSON,
        "办残疾人证，同时申请两项补贴和参保补助，不用再跑第二趟。",
        [("CL", "残疾人证办理"), ("MZJ", "困难残疾人生活补贴和重度残疾人护理补贴"),
         ("CL", "残疾人辅助器具适配")],
    ),
    (
        "YJS-YWJYRX", "义务教育入学一件事", PERSON,
        "孩子上小学、初中：入学登记、居住证明和户籍信息一次核验。",
        [("JYJ", "义务教育阶段新生入学登记"), ("GAJ", "居住证申领"),
         ("JYJ", "家庭经济困难学生资助")],
    ),
]  # fmt: skip
