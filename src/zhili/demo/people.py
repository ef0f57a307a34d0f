"""The demo county's people: one sign-in per role, all with the same demo password.

The first four elements of each entry are read by ``zhili demo`` (src/zhili/cli.py)
to print the logins; keep their order. Division codes are written for the
default county 330599 and moved to the configured county when loaded.
"""

from __future__ import annotations

DEMO_PASSWORD = "zhili2026"

COUNTY = "330599000000"
DONGSHAN_VILLAGE = "330599101201"  # 东山村, 东山镇

# (username, display name, role label, role, department codes, division codes)
DEMO_USERS: list[tuple[str, str, str, str, list[str], list[str]]] = [
    ("wangfang", "王芳", "群众", "citizen", [], []),
    ("chengang", "陈刚", "企业", "enterprise", [], []),
    ("zhangwei", "张伟", "窗口人员", "clerk", ["SCJG", "BDC"], [COUNTY]),
    ("lina", "李娜", "村代办员", "village_agent", [], [DONGSHAN_VILLAGE]),
    ("chenjing", "陈静", "审批人员", "reviewer", ["SCJG"], [COUNTY]),
    ("zhoulei", "周磊", "审批人员", "reviewer", ["BDC"], [COUNTY]),
    ("zhaomin", "赵敏", "事项管理员", "catalogue_officer", ["SCJG"], []),
    ("liuqiang", "刘强", "事项管理员", "catalogue_officer", ["ZRZY"], []),
    ("wuhao", "吴昊", "数据管理员", "data_steward", ["TJJ"], [COUNTY]),
    ("sunli", "孙丽", "领导/督查", "leader", [], [COUNTY]),
    ("admin", "管理员", "系统管理员", "admin", [], [COUNTY]),
]
