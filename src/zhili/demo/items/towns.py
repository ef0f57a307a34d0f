"""Items every town government implements (乡级事项): same basic code, each town its own."""

from __future__ import annotations

from zhili.demo.items.kit import PERSON, S

THEMES = ["P_NYNC", "P_SHJZ"]

_VISIT = "需现场踏勘选址、丈量放样"

# (template, whether 街道 implement it too)
SPECS = [
    (
        S(
            "农村村民宅基地申请审批",
            "行政许可",
            (20, 10),
            who=PERSON,
            hot=20,
            laws=["土地管理法:第六十二条", "土地管理法条例:第三十四条"],
            form="农村宅基地和建房（规划许可）申请表",
            visit=_VISIT,
            village=True,
            mats=["身份证", "户口簿", "村民小组会议讨论通过意见", "宅基地使用承诺书"],
            result="证照:农村宅基地批准书",
            themes=["P_NYNC", "P_BDC"],
            kw=["农村宅基地", "宅基地审批", "农村建房"],
        ),
        False,
    ),
    (
        S(
            "乡村建设规划许可证核发",
            "行政许可",
            20,
            who=PERSON,
            laws=["城乡规划法:第四十一条"],
            form="农村宅基地和建房（规划许可）申请表",
            visit=_VISIT,
            village=True,
            mats=["身份证", "农房设计图或通用图", "宅基地批准文件"],
            result="证照:乡村建设规划许可证",
            themes=["P_NYNC", "P_BDC"],
            kw=["农村建房规划许可", "建房许可"],
        ),
        False,
    ),
    (
        S(
            "80周岁以上老年人高龄津贴申领",
            "行政给付",
            (20, 5),
            laws=["浙江老年人条例"],
            hot=15,
            mats=["身份证", "户口簿", "银行卡"],
            village=True,
            themes=["P_TXYL", "P_SHJZ"],
            kw=["高龄津贴", "老人补贴", "高龄补贴"],
        ),
        True,
    ),
    (
        S(
            "农村土地经营权流转合同备案",
            "公共服务",
            (5, 1),
            laws=["农村土地承包法:第三十六条", "土地经营权流转办法"],
            mats=["身份证", "土地经营权流转合同"],
            village=True,
            themes=["P_NYNC", "E_NLMY"],
            kw=["土地流转", "承包地流转"],
        ),
        True,
    ),
    (
        S(
            "临时救助（急难型）",
            "行政给付",
            (5, 2),
            laws=["社会救助办法", "浙江社会救助条例"],
            mats=["身份证", "困难情况说明及相关证明"],
            village=True,
            themes=["P_SHJZ"],
            kw=["急难救助", "应急救助"],
        ),
        True,
    ),
]
