from __future__ import annotations

import json
from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import RegexValidator
from django.db import models
from stdnum.cn import uscc
from stdnum.exceptions import ValidationError as StdnumError

from zhili.divisions.codes import (
    LEVEL_COUNTY,
    LEVEL_TOWN,
    LEVEL_VILLAGE,
    parent_code,
    validate_division_code,
)


class Division(models.Model):
    """行政区划: county, town (乡镇/街道) or village (行政村/社区)."""

    LEVELS = [(LEVEL_COUNTY, "县"), (LEVEL_TOWN, "乡镇"), (LEVEL_VILLAGE, "行政村")]

    code = models.CharField("区划代码", max_length=12, unique=True)
    name = models.CharField("名称", max_length=64)
    level = models.CharField("层级", max_length=8, choices=LEVELS)
    parent = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.PROTECT, related_name="children"
    )
    boundary = models.JSONField("边界(GeoJSON)", null=True, blank=True)
    centroid_lon = models.FloatField("中心经度", null=True, blank=True)
    centroid_lat = models.FloatField("中心纬度", null=True, blank=True)

    class Meta:
        ordering = ["code"]
        verbose_name = "行政区划"
        verbose_name_plural = "行政区划"

    def __str__(self) -> str:
        return self.name

    def clean(self) -> None:
        try:
            level = validate_division_code(self.code, county=settings.ZHILI_COUNTY_CODE)
        except ValidationError as exc:
            raise ValidationError({"code": exc.messages}) from exc
        if level != self.level:
            raise ValidationError({"level": f"区划代码“{self.code}”表示{level}级，与所填层级不符"})
        expected = parent_code(self.code)
        actual = self.parent.code if self.parent is not None else None
        if expected != actual:
            raise ValidationError({"parent": f"区划代码“{self.code}”的上级应为“{expected}”"})

    def full_name(self) -> str:
        parts = []
        node: Division | None = self
        while node is not None:
            parts.append(node.name)
            node = node.parent
        return "".join(reversed(parts))

    def feature(self) -> dict[str, Any]:
        return {
            "type": "Feature",
            "properties": {"code": self.code, "name": self.name, "level": self.level},
            "geometry": self.boundary,
        }

    def boundary_json(self) -> str:
        return json.dumps(self.boundary, ensure_ascii=False)


class Department(models.Model):
    """部门: a county department, or a town government's office."""

    code = models.CharField("部门编码", max_length=32, unique=True)
    name = models.CharField("名称", max_length=64)
    short_name = models.CharField("简称", max_length=32, blank=True)
    credit_code = models.CharField("统一社会信用代码", max_length=18, blank=True)
    division = models.ForeignKey(Division, on_delete=models.PROTECT, related_name="departments")
    phone = models.CharField("电话", max_length=32, blank=True)
    order = models.PositiveIntegerField("排序", default=0)

    class Meta:
        ordering = ["order", "code"]
        verbose_name = "部门"
        verbose_name_plural = "部门"

    def __str__(self) -> str:
        return self.name

    def clean(self) -> None:
        # GB 32100-2015: 18 characters with a check character.
        if self.credit_code:
            try:
                uscc.validate(self.credit_code)
            except StdnumError as exc:
                raise ValidationError(
                    {"credit_code": f"统一社会信用代码“{self.credit_code}”无效：{exc}"}
                ) from exc


class ServicePoint(models.Model):
    """服务网点: the county hall, a town centre or a village service point."""

    HALL = "hall"
    TOWN_CENTRE = "town_centre"
    VILLAGE_POINT = "village_point"
    KINDS = [
        (HALL, "县政务服务中心"),
        (TOWN_CENTRE, "乡镇便民服务中心"),
        (VILLAGE_POINT, "村便民服务站"),
    ]

    code = models.CharField("网点编码", max_length=32, unique=True)
    name = models.CharField("名称", max_length=64)
    kind = models.CharField("类型", max_length=16, choices=KINDS)
    division = models.ForeignKey(Division, on_delete=models.PROTECT, related_name="service_points")
    address = models.CharField("地址", max_length=128)
    hours = models.CharField("办公时间", max_length=128)
    phone = models.CharField(
        "电话", max_length=32, blank=True, validators=[RegexValidator(r"^[0-9\-]*$")]
    )
    lon = models.FloatField("经度")
    lat = models.FloatField("纬度")

    class Meta:
        ordering = ["code"]
        verbose_name = "服务网点"
        verbose_name_plural = "服务网点"

    def __str__(self) -> str:
        return self.name
