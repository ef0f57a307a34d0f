"""办件: one case model for every channel, with its tasks, materials and ratings.

A case is filed under one published item version and never changes version.
Personal identifiers are stored encrypted with a blind index for look-ups
(``zhili.accounts.pii``); only masked forms are listed.
"""

from __future__ import annotations

import uuid
from datetime import date
from typing import Any

from django.conf import settings
from django.db import models
from django.db.models import Q

from zhili.accounts import pii


class Channel(models.TextChoices):
    ONLINE = "online", "网上办"
    MOBILE = "mobile", "掌上办"
    KIOSK = "kiosk", "自助终端"
    WINDOW = "window", "窗口"
    VILLAGE_POINT = "village_point", "村级代办"
    API = "api", "接口"


IN_PERSON_CHANNELS = {Channel.KIOSK, Channel.WINDOW, Channel.VILLAGE_POINT}


class Applicant(models.Model):
    """A person (by resident identity number) or an enterprise (by credit code)."""

    PERSON = "person"
    ENTERPRISE = "enterprise"
    KINDS = [(PERSON, "自然人"), (ENTERPRISE, "法人")]

    kind = models.CharField("类型", max_length=12, choices=KINDS)
    name = models.CharField("姓名/名称", max_length=100)
    id_enc = models.TextField("证件号码（加密）")
    id_index = models.CharField("证件号码索引", max_length=64)
    id_masked = models.CharField("证件号码", max_length=32)
    phone_enc = models.TextField("手机号（加密）", blank=True)
    phone_masked = models.CharField("手机号", max_length=16, blank=True)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="applicants",
        verbose_name="账号",
    )
    division = models.ForeignKey(
        "divisions.Division",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name="所在村（社区）",
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["kind", "id_index"], name="uniq_applicant_identity")
        ]
        verbose_name = "申请人"
        verbose_name_plural = "申请人"

    def __str__(self) -> str:
        return f"{self.name}（{self.id_masked}）"

    def id_number(self) -> str:
        """The identifier in full: callers must record why (``case_read_identity``)."""
        return pii.decrypt(self.id_enc)

    def phone(self) -> str:
        return pii.decrypt(self.phone_enc) if self.phone_enc else ""


class CaseStatus(models.TextChoices):
    DRAFT = "draft", "草稿"
    SUBMITTED = "submitted", "待受理"
    CORRECTING = "correcting", "补正中"
    IN_PROGRESS = "in_progress", "办理中"
    CONCLUDED = "concluded", "已办结"
    NOT_ACCEPTED = "not_accepted", "不予受理"
    WITHDRAWN = "withdrawn", "已撤回"


OPEN_STATUSES = [CaseStatus.SUBMITTED, CaseStatus.CORRECTING, CaseStatus.IN_PROGRESS]


class Outcome(models.TextChoices):
    NONE = "", "—"
    APPROVED = "approved", "准予"
    REFUSED = "refused", "不予许可"
    NOT_ACCEPTED = "not_accepted", "不予受理"


class Warning(models.TextChoices):
    NONE = "", "正常"
    YELLOW = "yellow", "黄灯预警"
    RED = "red", "红灯超期"


class BundleApplication(models.Model):
    """一件事: one application that created the linked cases of a bundle's items."""

    ref = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    bundle = models.ForeignKey("catalogue.Bundle", on_delete=models.PROTECT, related_name="+")
    applicant = models.ForeignKey(Applicant, on_delete=models.PROTECT, related_name="+")
    filed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    channel = models.CharField("渠道", max_length=16, choices=Channel.choices)
    idempotency_key = models.CharField(max_length=64, null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["filed_by", "idempotency_key"], name="uniq_bundle_app_idempotency"
            )
        ]

    def __str__(self) -> str:
        return f"一件事申请 {self.ref}"


class Case(models.Model):
    ref = models.UUIDField("访问码", default=uuid.uuid4, unique=True, editable=False)
    number = models.CharField("办件编号", max_length=32, unique=True)
    item = models.ForeignKey(
        "catalogue.ServiceItem", on_delete=models.PROTECT, related_name="cases"
    )
    # Fewer indexes, faster inserts and sweeps: department and division lead the
    # composite indexes below, filed_by the idempotency constraint; versions and
    # service points are never deleted, and nothing lists cases by them.
    version = models.ForeignKey(
        "catalogue.ItemVersion", on_delete=models.PROTECT, related_name="+", db_index=False
    )
    department = models.ForeignKey(
        "divisions.Department", on_delete=models.PROTECT, related_name="cases", db_index=False
    )
    bundle_application = models.ForeignKey(
        BundleApplication, null=True, blank=True, on_delete=models.PROTECT, related_name="cases"
    )
    channel = models.CharField("渠道", max_length=16, choices=Channel.choices)
    applicant = models.ForeignKey(Applicant, on_delete=models.PROTECT, related_name="cases")
    filed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="cases_filed",
        db_index=False,
    )
    division = models.ForeignKey(
        "divisions.Division",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name="申请人所在村",
        db_index=False,
    )
    service_point = models.ForeignKey(
        "divisions.ServicePoint",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        db_index=False,
    )
    answers = models.JSONField("情形选择", default=dict)
    form_data = models.JSONField("申请表", default=dict, blank=True)
    status = models.CharField(
        "状态", max_length=16, choices=CaseStatus.choices, default=CaseStatus.DRAFT
    )
    stage = models.CharField("当前环节", max_length=32, blank=True)
    outcome = models.CharField(
        "结果", max_length=16, choices=Outcome.choices, default="", blank=True
    )
    outcome_reason = models.TextField("理由", blank=True)
    idempotency_key = models.CharField(max_length=64, null=True, blank=True)

    # The BPMN engine's serialized state; ``workflow_rev`` is bumped on every
    # change so two clerks acting at once cannot both succeed.
    process_id = models.CharField(max_length=64, blank=True)
    # Text, not JSON: SpiffWorkflow rebuilds its task tree in the order the
    # serialized tasks come, and PostgreSQL's jsonb does not keep key order.
    workflow_state = models.TextField(blank=True, default="")
    workflow_rev = models.PositiveIntegerField(default=0)
    wake_at = models.DateTimeField("定时器", null=True, blank=True)

    # 时限: working days. The clock counts from ``clock_from`` (not itself
    # counted, 行政许可法 第82条) plus ``days_used`` before the last stop.
    promised_days = models.PositiveIntegerField("承诺时限", default=0)
    statutory_days = models.PositiveIntegerField("法定时限", default=0)
    days_used = models.PositiveIntegerField("已用工作日", default=0)
    clock_from = models.DateField(null=True, blank=True)
    clock_stopped_at = models.DateTimeField("计时暂停", null=True, blank=True)
    warn_on = models.DateField("黄灯日期", null=True, blank=True)
    due_promised = models.DateField("承诺期限", null=True, blank=True)
    due_statutory = models.DateField("法定期限", null=True, blank=True)
    warning = models.CharField(
        "预警", max_length=8, choices=Warning.choices, default="", blank=True
    )
    past_statutory = models.BooleanField("超过法定时限", default=False)
    held_for_materials = models.BooleanField("容缺待补", default=False)
    materials_saved = models.PositiveIntegerField("免提交材料数", default=0)

    created_at = models.DateTimeField(auto_now_add=True)
    submitted_at = models.DateTimeField(null=True, blank=True)
    accepted_at = models.DateTimeField(null=True, blank=True)
    concluded_at = models.DateTimeField(null=True, blank=True)
    delivered_at = models.DateTimeField(null=True, blank=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["-created_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["filed_by", "idempotency_key"], name="uniq_case_idempotency"
            )
        ]
        indexes = [
            models.Index(fields=["status", "warn_on"], name="case_open_warn"),
            models.Index(fields=["department", "status"], name="case_dept_status"),
            models.Index(fields=["division", "status"], name="case_division_status"),
        ]
        verbose_name = "办件"
        verbose_name_plural = "办件"

    def __str__(self) -> str:
        return self.number

    def is_open(self) -> bool:
        return self.status in OPEN_STATUSES

    def clock_running(self) -> bool:
        return self.is_open() and self.clock_from is not None and self.clock_stopped_at is None

    def document(self) -> dict[str, Any]:
        return self.version.document

    def days_left(self, today: date) -> int | None:
        """Working days left to the promised limit (negative when late), or None."""
        from zhili.cases.deadlines import days_left

        return days_left(self, today)


class Task(models.Model):
    """A BPMN user task waiting in the work queue of a role and department."""

    OPEN = "open"
    DONE = "done"
    CANCELLED = "cancelled"
    STATES = [(OPEN, "待办"), (DONE, "已办"), (CANCELLED, "已取消")]

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="tasks")
    spiff_id = models.UUIDField()
    activity = models.CharField("环节标识", max_length=64)
    name = models.CharField("环节", max_length=64)
    role = models.CharField("角色", max_length=24)
    department = models.ForeignKey(
        "divisions.Department", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    state = models.CharField(max_length=12, choices=STATES, default=OPEN)
    claimed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    claimed_at = models.DateTimeField(null=True, blank=True)
    completed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    completed_at = models.DateTimeField(null=True, blank=True)
    action = models.CharField("处理结果", max_length=16, blank=True)
    comment = models.TextField("意见", blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["created_at", "id"]
        constraints = [
            models.UniqueConstraint(fields=["case", "spiff_id"], name="uniq_task_spiff"),
        ]
        indexes = [models.Index(fields=["state", "role", "department"], name="task_queue")]
        verbose_name = "待办任务"
        verbose_name_plural = "待办任务"

    def __str__(self) -> str:
        return f"{self.case_id}:{self.name}"


class Visit(models.Model):
    """Every visit in person the applicant made, so visits per case are measured."""

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="visits")
    channel = models.CharField(max_length=16, choices=Channel.choices)
    service_point = models.ForeignKey(
        "divisions.ServicePoint", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    purpose = models.CharField("事由", max_length=32)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.PROTECT, related_name="+"
    )
    at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["at"]
        verbose_name = "到场记录"
        verbose_name_plural = "到场记录"

    def __str__(self) -> str:
        return f"{self.case_id} {self.purpose}"


class StoredFile(models.Model):
    """A material file, stored once per applicant and reused by later cases."""

    applicant = models.ForeignKey(Applicant, on_delete=models.PROTECT, related_name="files")
    sha256 = models.CharField(max_length=64)
    file = models.FileField(upload_to="materials/%Y/%m/")
    original_name = models.CharField("文件名", max_length=255)
    mime = models.CharField("类型", max_length=64)
    size = models.PositiveBigIntegerField("字节数")
    material_name = models.CharField("材料名称", max_length=128, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["applicant", "sha256"], name="uniq_applicant_file")
        ]

    def __str__(self) -> str:
        return self.original_name


class ELicence(models.Model):
    """电子证照 in the e-licence library; the trust level decides where it may stand in."""

    TRUST_LEVELS = [
        ("A", "A级：部门签发，可直接使用"),
        ("B", "B级：经工作人员核验"),
        ("C", "C级：申请人上传，需核验原件"),
        ("D", "D级：申请人自行声明"),
    ]

    number = models.CharField("证照编号", max_length=64, unique=True)
    kind = models.CharField("证照类型", max_length=64, db_index=True)
    holder = models.ForeignKey(Applicant, on_delete=models.PROTECT, related_name="elicences")
    issuer = models.ForeignKey(
        "divisions.Department", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    case = models.ForeignKey(
        Case, null=True, blank=True, on_delete=models.PROTECT, related_name="elicences"
    )
    trust = models.CharField("可信等级", max_length=1, choices=TRUST_LEVELS)
    data = models.JSONField("照面信息", default=dict)
    verify_code = models.CharField("核验码", max_length=16, unique=True)
    issued_on = models.DateField("签发日期")
    valid_until = models.DateField("有效期至", null=True, blank=True)
    revoked_at = models.DateTimeField("注销时间", null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-issued_on", "-id"]
        verbose_name = "电子证照"
        verbose_name_plural = "电子证照"

    def __str__(self) -> str:
        return f"{self.kind} {self.number}"

    def is_valid(self, today: date) -> bool:
        return self.revoked_at is None and (self.valid_until is None or self.valid_until >= today)


class CaseMaterial(models.Model):
    """One material of a case and how it was provided."""

    UPLOAD = "upload"
    REUSED = "reused"
    ELICENCE = "elicence"
    PAPER = "paper"
    PROMISED = "promised"
    PROVIDED_VIA = [
        (UPLOAD, "上传"),
        (REUSED, "复用已交材料"),
        (ELICENCE, "电子证照免提交"),
        (PAPER, "窗口收取纸质件"),
        (PROMISED, "容缺后补"),
    ]

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="materials")
    code = models.CharField("材料编号", max_length=32)
    name = models.CharField("材料名称", max_length=128)
    necessity = models.CharField("必要性", max_length=8)
    via = models.CharField("提供方式", max_length=12, choices=PROVIDED_VIA)
    file = models.ForeignKey(
        StoredFile, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    elicence = models.ForeignKey(
        ELicence, null=True, blank=True, on_delete=models.PROTECT, related_name="uses"
    )
    needs_check = models.BooleanField("需核验原件", default=False)
    checked_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    promised_by = models.DateField("承诺补交日期", null=True, blank=True)
    received_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["id"]
        constraints = [models.UniqueConstraint(fields=["case", "code"], name="uniq_case_material")]

    def __str__(self) -> str:
        return f"{self.case_id}:{self.code}"

    def is_outstanding(self) -> bool:
        return self.via == self.PROMISED and self.received_at is None


class RatingLevel(models.IntegerChoices):
    VERY_SATISFIED = 5, "非常满意"
    SATISFIED = 4, "满意"
    BASIC = 3, "基本满意"
    DISSATISFIED = 2, "不满意"
    VERY_DISSATISFIED = 1, "非常不满意"


BAD_RATINGS = {RatingLevel.DISSATISFIED, RatingLevel.VERY_DISSATISFIED}


class RatingImmutableError(RuntimeError):
    pass


class Rating(models.Model):
    """好差评: one per case online, one per visit in person; a second round after rectification."""

    case = models.ForeignKey(Case, on_delete=models.PROTECT, related_name="ratings")
    visit = models.ForeignKey(
        Visit, null=True, blank=True, on_delete=models.PROTECT, related_name="ratings"
    )
    rater = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    round = models.PositiveSmallIntegerField("评价轮次", default=1)
    level = models.PositiveSmallIntegerField("评价", choices=RatingLevel.choices)
    tags = models.JSONField("标签", default=list, blank=True)
    reason = models.TextField("理由", blank=True)
    channel = models.CharField(max_length=16, choices=Channel.choices)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["created_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["case", "round"],
                condition=Q(visit__isnull=True),
                name="uniq_rating_case_round",
            ),
            models.UniqueConstraint(fields=["visit", "round"], name="uniq_rating_visit_round"),
        ]
        verbose_name = "好差评"
        verbose_name_plural = "好差评"

    def __str__(self) -> str:
        return f"{self.case_id} {self.get_level_display()}"

    def save(self, *args: Any, **kwargs: Any) -> None:
        # Nobody changes a rating once given, not even its author: a new round is a new row.
        if self.pk is not None:
            raise RatingImmutableError("评价提交后不能修改")
        super().save(*args, **kwargs)

    def delete(self, *args: Any, **kwargs: Any) -> Any:
        raise RatingImmutableError("评价不能删除")

    def is_bad(self) -> bool:
        return self.level in BAD_RATINGS


class Rectification(models.Model):
    """差评整改: call back the applicant, fix, respond, by a deadline."""

    OPEN = "open"
    CALLED_BACK = "called_back"
    DONE = "done"
    STATES = [(OPEN, "待回访"), (CALLED_BACK, "已回访待整改"), (DONE, "已整改")]

    rating = models.OneToOneField(Rating, on_delete=models.PROTECT, related_name="rectification")
    department = models.ForeignKey(
        "divisions.Department", on_delete=models.PROTECT, related_name="rectifications"
    )
    state = models.CharField(max_length=16, choices=STATES, default=OPEN)
    due_on = models.DateField("整改期限")
    overdue = models.BooleanField("整改超期", default=False)
    callback_at = models.DateTimeField("回访时间", null=True, blank=True)
    callback_note = models.TextField("回访记录", blank=True)
    response = models.TextField("整改情况", blank=True)
    done_at = models.DateTimeField(null=True, blank=True)
    handled_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["due_on"]
        verbose_name = "差评整改"
        verbose_name_plural = "差评整改"

    def __str__(self) -> str:
        return f"整改 {self.rating_id}"


class ItemWorkflow(models.Model):
    """An item's own BPMN process, replacing the standard template for new cases."""

    item = models.ForeignKey(
        "catalogue.ServiceItem", on_delete=models.CASCADE, related_name="workflows"
    )
    process_id = models.CharField(max_length=64)
    bpmn = models.TextField("BPMN 2.0 XML")
    active = models.BooleanField(default=True)
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-created_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["item"], condition=Q(active=True), name="one_active_workflow"
            )
        ]

    def __str__(self) -> str:
        return f"{self.item_id}:{self.process_id}"
