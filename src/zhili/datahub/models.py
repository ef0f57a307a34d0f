"""数据中台: datasets of the departments, their versions, indicators and reports.

A dataset's rows are keyed by division and period and typed by a Frictionless
Table Schema. Each published version is an immutable Parquet file (see
``storage.py``); the database holds the catalogue, the raw uploads and the
computed indicator values that the map reads.
"""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.db import models


class Frequency(models.TextChoices):
    MONTHLY = "monthly", "按月"
    QUARTERLY = "quarterly", "按季"
    YEARLY = "yearly", "按年"


class Sharing(models.TextChoices):
    OPEN = "open", "无条件开放"
    SHARED = "shared", "部门间共享"
    RESTRICTED = "restricted", "受限"


class Dataset(models.Model):
    code = models.CharField("数据集编码", max_length=64, unique=True)
    name = models.CharField("名称", max_length=128)
    category = models.CharField("数据分类", max_length=64, db_index=True)
    department = models.ForeignKey(
        "divisions.Department", on_delete=models.PROTECT, related_name="datasets"
    )
    description = models.TextField("说明", blank=True)
    keywords = models.JSONField("关键词", default=list, blank=True)
    frequency = models.CharField("更新频率", max_length=12, choices=Frequency.choices)
    sharing = models.CharField("共享属性", max_length=12, choices=Sharing.choices)
    division_level = models.CharField(
        "区划层级",
        max_length=8,
        choices=[("village", "行政村"), ("town", "乡镇"), ("county", "县")],
    )
    # Frictionless Table Schema: {"fields": [...], "primaryKey": ["division_code", "period"]}
    table_schema = models.JSONField("表结构")
    licence = models.CharField("许可协议", max_length=64, default="CC-BY-4.0")
    current = models.ForeignKey(
        "DatasetVersion", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["code"]
        verbose_name = "数据集"
        verbose_name_plural = "数据集"

    def __str__(self) -> str:
        return self.name

    def fields(self) -> list[dict[str, Any]]:
        return list(self.table_schema.get("fields", []))

    def value_fields(self) -> list[dict[str, Any]]:
        """The measured fields: everything but the keys."""
        keys = {"division_code", "period"}
        return [f for f in self.fields() if f["name"] not in keys]


class Upload(models.Model):
    """A raw upload (CSV, Excel) or an API push, kept unchanged whatever became of it."""

    VALIDATED = "validated"
    PUBLISHED = "published"
    DISCARDED = "discarded"
    FAILED = "failed"
    STATUSES = [
        (VALIDATED, "已校验待发布"),
        (PUBLISHED, "已发布"),
        (DISCARDED, "已放弃"),
        (FAILED, "无法读取"),
    ]

    dataset = models.ForeignKey(Dataset, on_delete=models.PROTECT, related_name="uploads")
    file = models.FileField("原始文件", upload_to="datahub/uploads/%Y/%m/")
    filename = models.CharField("文件名", max_length=255)
    sha256 = models.CharField(max_length=64, db_index=True)
    size = models.PositiveBigIntegerField("字节数")
    source = models.CharField("来源", max_length=8, default="file")  # file | api
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    status = models.CharField("状态", max_length=12, choices=STATUSES, default=VALIDATED)
    total_rows = models.PositiveIntegerField("总行数", default=0)
    valid_rows = models.PositiveIntegerField("有效行数", default=0)
    error_count = models.PositiveIntegerField("错误数", default=0)
    # The first errors, for the page; all of them are in ``errors_path`` (CSV).
    errors = models.JSONField("错误（前若干条）", default=list, blank=True)
    errors_path = models.CharField(max_length=255, blank=True)
    staged_path = models.CharField("校验通过的行", max_length=255, blank=True)
    message = models.CharField("说明", max_length=300, blank=True)

    class Meta:
        ordering = ["-created_at"]
        verbose_name = "数据上传"
        verbose_name_plural = "数据上传"

    def __str__(self) -> str:
        return f"{self.dataset_id}:{self.filename}"


class DatasetVersion(models.Model):
    """A published version: one immutable Parquet file of all the dataset's rows."""

    dataset = models.ForeignKey(Dataset, on_delete=models.PROTECT, related_name="versions")
    number = models.PositiveIntegerField("版本号")
    upload = models.ForeignKey(
        Upload, null=True, blank=True, on_delete=models.PROTECT, related_name="versions"
    )
    path = models.CharField("数据文件", max_length=255)
    sha256 = models.CharField(max_length=64)
    row_count = models.PositiveIntegerField("行数")
    rejected_count = models.PositiveIntegerField("未发布的错误行", default=0)
    period_min = models.CharField(max_length=8, blank=True)
    period_max = models.CharField(max_length=8, blank=True)
    note = models.CharField("说明", max_length=200, blank=True)
    published_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.PROTECT, related_name="+"
    )
    published_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["dataset", "number"]
        constraints = [
            models.UniqueConstraint(fields=["dataset", "number"], name="uniq_dataset_version")
        ]
        verbose_name = "数据集版本"
        verbose_name_plural = "数据集版本"

    def __str__(self) -> str:
        return f"{self.dataset_id} v{self.number}"


class Indicator(models.Model):
    """指标: a formula over dataset fields, by division and period, rolled up the tree.

    ``numerator`` and ``denominator`` are {"dataset": code, "field": name,
    "agg": "sum"|"avg"|"count"|"max"|"min", "filters": [{"field", "op", "value"}]}.
    Rolled up as a ratio of sums, never as an average of ratios.
    """

    UP = "up"
    DOWN = "down"

    code = models.CharField("指标编码", max_length=64, unique=True)
    name = models.CharField("名称", max_length=128)
    category = models.CharField("分类", max_length=64, blank=True)
    unit = models.CharField("单位", max_length=16, blank=True)
    direction = models.CharField(
        "方向", max_length=4, choices=[(UP, "越大越好"), (DOWN, "越小越好")], default=UP
    )
    description = models.TextField("口径说明", blank=True)
    numerator = models.JSONField("分子")
    denominator = models.JSONField("分母", null=True, blank=True)
    scale = models.FloatField("倍数", default=1.0)
    decimals = models.PositiveSmallIntegerField("小数位", default=1)
    frequency = models.CharField(max_length=12, choices=Frequency.choices, default="monthly")
    key = models.BooleanField("重点指标", default=False)
    owner = models.ForeignKey(
        "divisions.Department", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.PROTECT, related_name="+"
    )
    computed_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["category", "code"]
        verbose_name = "指标"
        verbose_name_plural = "指标"

    def __str__(self) -> str:
        return self.name

    def datasets(self) -> list[str]:
        parts = [self.numerator, self.denominator or {}]
        return sorted({p["dataset"] for p in parts if p.get("dataset")})


class IndicatorValue(models.Model):
    """A computed value, kept so the map and the reports read without recomputing."""

    indicator = models.ForeignKey(Indicator, on_delete=models.CASCADE, related_name="values")
    division_code = models.CharField(max_length=12)
    level = models.CharField(max_length=8)
    period = models.CharField(max_length=8)  # 2025-03 | 2025Q1 | 2025
    value = models.FloatField(null=True)
    numerator = models.FloatField(null=True)
    denominator = models.FloatField(null=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["indicator", "division_code", "period"], name="uniq_indicator_value"
            )
        ]
        indexes = [models.Index(fields=["indicator", "level", "period"], name="ivalue_map")]

    def __str__(self) -> str:
        return f"{self.indicator_id} {self.division_code} {self.period}"


class Report(models.Model):
    """An automatic report of one division for one period, in HTML, PDF and Excel."""

    division = models.ForeignKey("divisions.Division", on_delete=models.PROTECT, related_name="+")
    period = models.CharField("报告期", max_length=8)
    kind = models.CharField(
        max_length=12, choices=[("monthly", "月报"), ("on_demand", "专报")], default="monthly"
    )
    html = models.FileField(upload_to="datahub/reports/%Y/%m/", blank=True)
    pdf = models.FileField(upload_to="datahub/reports/%Y/%m/", blank=True)
    xlsx = models.FileField(upload_to="datahub/reports/%Y/%m/", blank=True)
    summary = models.TextField("摘要", blank=True)
    facts = models.JSONField("数据", default=dict, blank=True)
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-period", "division__code"]
        verbose_name = "数据报告"
        verbose_name_plural = "数据报告"

    def __str__(self) -> str:
        return f"{self.division_id} {self.period}"


class Subscription(models.Model):
    """A department (or a person) receives the reports of a division when they are made."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="report_subscriptions"
    )
    department = models.ForeignKey(
        "divisions.Department", null=True, blank=True, on_delete=models.CASCADE, related_name="+"
    )
    division = models.ForeignKey("divisions.Division", on_delete=models.CASCADE, related_name="+")
    include_children = models.BooleanField("含下级区划", default=False)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["user", "division"], name="uniq_report_subscription")
        ]

    def __str__(self) -> str:
        return f"{self.user_id}→{self.division_id}"


class ConsistencyRule(models.Model):
    """Two datasets that must agree (the same village's population in both)."""

    name = models.CharField(max_length=128)
    left_dataset = models.ForeignKey(Dataset, on_delete=models.CASCADE, related_name="+")
    left_field = models.CharField(max_length=64)
    right_dataset = models.ForeignKey(Dataset, on_delete=models.CASCADE, related_name="+")
    right_field = models.CharField(max_length=64)
    tolerance = models.FloatField("允许相对偏差", default=0.02)

    def __str__(self) -> str:
        return self.name
