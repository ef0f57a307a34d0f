from django.apps import AppConfig


class AuditConfig(AppConfig):
    name = "zhili.audit"
    verbose_name = "审计日志"
