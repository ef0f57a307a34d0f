"""Materials the demo items ask for, named the same everywhere so bundles can merge them.

A template names a material by its short key here (``"身份证"``) or by its
full name; a name not listed is something the applicant brings themselves,
unless it is a form filled in online (…申请表, …申请书, …登记表).
"""

from __future__ import annotations

from typing import Any

SELF = "申请人自备"
ISSUED = "政府部门核发"
ELICENCE = "电子证照库调取"
ONLINE = "在线填报"

# short key: (name, form, source, e-licence that replaces it, acceptance standard)
MATERIALS: dict[str, tuple[str, str, str, str, str]] = {
    "身份证": ("居民身份证", "原件", ELICENCE, "居民身份证", "在有效期内"),
    "户口簿": ("居民户口簿", "原件", ELICENCE, "居民户口簿", ""),
    "结婚证": ("结婚证", "原件", ELICENCE, "结婚证", ""),
    "离婚证": ("离婚证或离婚判决书", "原件", ELICENCE, "离婚证", ""),
    "出生证": ("出生医学证明", "原件", ELICENCE, "出生医学证明", ""),
    "照片": ("近期免冠彩色照片", "原件", SELF, "", "白底，二寸，6个月内拍摄"),
    "数码照片": ("数码照片回执", "原件", SELF, "", "在具备资质的照相馆或自助机拍摄"),
    "营业执照": ("营业执照", "原件", ELICENCE, "营业执照", ""),
    "法人身份证": ("法定代表人身份证件", "原件", ELICENCE, "居民身份证", ""),
    "经营者身份证": ("经营者身份证件", "原件", ELICENCE, "居民身份证", ""),
    "委托书": ("授权委托书", "原件", SELF, "", "委托人签字或盖章，写明委托事项和期限"),
    "受托人身份证": ("受托人身份证件", "原件", SELF, "", ""),
    "单位委托书": ("单位授权委托书", "原件", SELF, "", "加盖单位公章"),
    "经办人身份证": ("经办人身份证件", "原件", SELF, "", ""),
    "章程": ("公司章程", "原件", ONLINE, "", "全体股东签署"),
    "场所证明": ("住所（经营场所）使用证明", "复印件", SELF, "", "产权证明或租赁合同"),
    "租赁合同": ("房屋租赁合同", "复印件", SELF, "", ""),
    "平面图": ("经营场所平面布局图", "原件", SELF, "", "标明功能分区和主要设备位置"),
    "食品制度": ("食品安全管理制度", "原件", SELF, "", ""),
    "食品经营许可证": ("食品经营许可证", "原件", ELICENCE, "食品经营许可证", ""),
    "健康证明": ("从业人员健康证明", "复印件", ELICENCE, "健康证明", ""),
    "不动产权证": ("不动产权证书", "原件", ELICENCE, "不动产权证书", ""),
    "买卖合同": ("房屋买卖合同", "原件", SELF, "", "经网签备案"),
    "完税凭证": ("契税完税凭证", "原件", ISSUED, "", "税务部门出具"),
    "社保卡": ("社会保障卡", "原件", ELICENCE, "社会保障卡", ""),
    "银行卡": ("本人银行账户信息", "复印件", SELF, "", "本人名下一类账户"),
    "死亡证明": ("居民死亡医学证明（推断）书", "原件", ISSUED, "", ""),
    "火化证明": ("遗体火化证明", "原件", ISSUED, "", ""),
    "关系证明": ("亲属关系证明材料", "原件", SELF, "", "户口簿、结婚证或出生医学证明等"),
    "残疾人证": ("中华人民共和国残疾人证", "原件", ELICENCE, "残疾人证", ""),
    "驾驶证": ("机动车驾驶证", "原件", ELICENCE, "机动车驾驶证", ""),
    "行驶证": ("机动车行驶证", "原件", ELICENCE, "机动车行驶证", ""),
    "机动车登记证书": ("机动车登记证书", "原件", SELF, "", ""),
    "体检证明": ("机动车驾驶人身体条件证明", "原件", SELF, "", "县级以上医疗机构出具，6个月内有效"),
    "交强险": ("机动车交通事故责任强制保险凭证", "原件", ELICENCE, "交强险电子保单", ""),
    "护照": ("普通护照", "原件", SELF, "", ""),
    "港澳证": ("往来港澳通行证", "原件", SELF, "", ""),
    "退役证": ("退出现役证明", "原件", ISSUED, "", ""),
    "毕业证": ("学历证书", "原件", ELICENCE, "学历证书", ""),
    "病历": ("病历资料、诊断证明及检查报告", "复印件", SELF, "", "二级及以上医疗机构出具"),
    "发票": ("医疗费用发票及费用清单", "原件", SELF, "", ""),
    "劳动合同": ("劳动合同", "复印件", SELF, "", ""),
    "设计图": ("建设工程设计方案（总平面图、建筑单体图）", "电子件", SELF, "", "符合规划条件"),
    "土地证明": ("土地权属证明材料", "复印件", ELICENCE, "不动产权证书", ""),
    "立项文件": ("项目批准、核准或备案文件", "复印件", ELICENCE, "投资项目备案（核准）文件", ""),
    "环评文件": ("环境影响评价文件", "电子件", SELF, "", "由具备能力的单位编制"),
    "承诺书": ("告知承诺书", "原件", ONLINE, "", "申请人签字或盖章"),
    "安全制度": ("安全管理制度和岗位操作规程", "原件", SELF, "", ""),
    "人员资质": ("主要负责人和管理人员资格证明", "复印件", SELF, "", ""),
    "户籍证明": ("户籍或居住证明材料", "原件", ELICENCE, "居民户口簿", ""),
    "收入证明": ("家庭收入和财产情况说明", "原件", ONLINE, "", "申请人签字承诺"),
}

FORM_SUFFIXES = ("申请表", "申请书", "登记表", "申报表", "审批表", "报告表", "登记书")


def material(text: str, code: str, *, uploadable: bool) -> dict[str, Any]:
    """One material row from a template's text.

    ``"?名称"`` is 非必要, ``"~名称"`` 容缺后补 (accepted now, brought later);
    ``"名称@S2=B"`` applies only when situation S2 is answered B
    (``@S2=B&S3=A`` when both must hold).
    """
    necessity = "必要"
    if text.startswith("?"):
        necessity, text = "非必要", text[1:]
    elif text.startswith("~"):
        necessity, text = "容缺后补", text[1:]
    text, _, when = text.partition("@")
    if text in MATERIALS:
        name, form, source, elicence, standard = MATERIALS[text]
    elif text.endswith(FORM_SUFFIXES):
        name, form, source, elicence, standard = (
            text,
            "原件",
            ONLINE,
            "",
            "如实填写，申请人签字或盖章",
        )
    else:
        name, form, source, elicence, standard = text, "原件", SELF, "", ""
    return {
        "code": code,
        "name": name,
        "form": [form],
        "copies": 0 if source in (ELICENCE, ONLINE) or form == "电子件" else 1,
        "necessity": necessity,
        "source": source,
        "elicence": elicence,
        "uploadable": uploadable,
        "blank_form": "",
        "sample": "",
        "standard": standard,
        "when": when.split("&") if when else [],
    }
