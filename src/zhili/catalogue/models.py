from __future__ import annotations

from typing import Any

from django.conf import settings
from django.db import models

from zhili.catalogue import schema


class Theme(models.Model):
    """主题: a life event of a person or a stage of an enterprise's life cycle."""

    code = models.CharField("主题编码", max_length=32, unique=True)
    name = models.CharField("名称", max_length=32)
    audience = models.CharField(
        "服务对象", max_length=8, choices=[(o, o) for o in schema.SERVICE_OBJECTS]
    )
    order = models.PositiveIntegerField(default=0)

    class Meta:
        ordering = ["audience", "order", "code"]
        verbose_name = "主题"
        verbose_name_plural = "主题"

    def __str__(self) -> str:
        return self.name


class ServiceItem(models.Model):
    """政务服务事项: the lasting identity of an item across its versions."""

    impl_code = models.CharField("实施编码", max_length=64, unique=True)
    basic_code = models.CharField("基本编码", max_length=32, db_index=True)
    name = models.CharField("事项名称", max_length=128)
    department = models.ForeignKey(
        "divisions.Department", on_delete=models.PROTECT, related_name="items"
    )
    parent = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.PROTECT, related_name="children"
    )
    current = models.ForeignKey(
        "ItemVersion", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    draft = models.ForeignKey(
        "ItemVersion", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    popularity = models.PositiveIntegerField("办件热度", default=0)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["impl_code"]
        verbose_name = "事项"
        verbose_name_plural = "事项"

    def __str__(self) -> str:
        return self.name

    def is_published(self) -> bool:
        return self.current_id is not None


class VersionImmutableError(RuntimeError):
    pass


class ItemVersion(models.Model):
    """One version of an item: a draft while edited, immutable once published."""

    DRAFT = "draft"
    PUBLISHED = "published"
    STATUSES = [(DRAFT, "草稿"), (PUBLISHED, "已发布")]

    item = models.ForeignKey(ServiceItem, on_delete=models.CASCADE, related_name="versions")
    number = models.PositiveIntegerField("版本号")
    status = models.CharField("状态", max_length=12, choices=STATUSES, default=DRAFT)
    document = models.JSONField("内容")
    note = models.CharField("修订说明", max_length=200, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)
    published_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    published_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["item", "number"]
        constraints = [models.UniqueConstraint(fields=["item", "number"], name="uniq_item_version")]
        verbose_name = "事项版本"
        verbose_name_plural = "事项版本"

    def __str__(self) -> str:
        return f"{self.item.name} v{self.number}"

    def save(self, *args: Any, **kwargs: Any) -> None:
        # A published version is what cases were filed under: it never changes.
        if self.pk is not None:
            stored = ItemVersion.objects.filter(pk=self.pk).values_list("status", flat=True).first()
            if stored == self.PUBLISHED:
                raise VersionImmutableError(f"{self} is published and cannot change")
        super().save(*args, **kwargs)

    def delete(self, *args: Any, **kwargs: Any) -> Any:
        if self.status == self.PUBLISHED:
            raise VersionImmutableError(f"{self} is published and cannot be deleted")
        return super().delete(*args, **kwargs)

    @property
    def doc(self) -> dict[str, Any]:
        return self.document

    def materials_for(self, answers: dict[str, str]) -> list[dict[str, Any]]:
        return schema.materials_for(self.document, answers)

    def channels(self) -> list[str]:
        """The ways this version can be handled, most convenient first."""
        d = self.document
        supports = set(d.get("supports", []))
        out = []
        if d.get("online_depth") in schema.ONLINE_DEPTHS_APPLY_ONLINE:
            out.append("网上办")
            if "掌上办" in supports:
                out.append("掌上办")
        if "自助终端" in supports:
            out.append("自助办")
        if "村级代办" in supports:
            out.append("就近办")
        out.append("窗口办")
        return out


class Bundle(models.Model):
    """一件事一次办: several items handled as one application."""

    code = models.CharField("一件事编码", max_length=32, unique=True)
    name = models.CharField("名称", max_length=64)
    description = models.TextField("说明", blank=True)
    audience = models.CharField(
        "服务对象", max_length=8, choices=[(o, o) for o in schema.SERVICE_OBJECTS]
    )
    items: models.ManyToManyField[ServiceItem, BundleItem] = models.ManyToManyField(
        ServiceItem, through="BundleItem", related_name="bundles"
    )
    popularity = models.PositiveIntegerField(default=0)

    class Meta:
        ordering = ["code"]
        verbose_name = "一件事"
        verbose_name_plural = "一件事"

    def __str__(self) -> str:
        return self.name


class BundleItem(models.Model):
    bundle = models.ForeignKey(Bundle, on_delete=models.CASCADE)
    item = models.ForeignKey(ServiceItem, on_delete=models.PROTECT)
    order = models.PositiveIntegerField(default=0)

    class Meta:
        ordering = ["order"]
        constraints = [models.UniqueConstraint(fields=["bundle", "item"], name="uniq_bundle_item")]

    def __str__(self) -> str:
        return f"{self.bundle_id}:{self.item_id}"


class ImportRecord(models.Model):
    """Every catalogue import attempt, its raw file kept unchanged, applied or not."""

    file = models.FileField("原始文件", upload_to="imports/%Y/%m/")
    filename = models.CharField("文件名", max_length=255)
    sha256 = models.CharField("SHA-256", max_length=64, db_index=True)
    size = models.PositiveBigIntegerField("字节数")
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.PROTECT, related_name="+"
    )
    publish = models.BooleanField("直接发布", default=False)
    created_at = models.DateTimeField(auto_now_add=True)
    ok = models.BooleanField("已应用", null=True)
    summary = models.CharField("结果", max_length=300, blank=True)
    problems = models.JSONField("问题", default=list)

    class Meta:
        ordering = ["-created_at"]
        verbose_name = "事项导入记录"
        verbose_name_plural = "事项导入记录"

    def __str__(self) -> str:
        return f"{self.filename} ({self.created_at:%Y-%m-%d %H:%M})"
