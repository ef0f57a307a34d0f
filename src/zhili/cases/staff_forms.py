"""Forms of the back-office case pages: filters, task actions, and the workflow upload.

The forms only parse what was posted; whether an action is allowed is for
``services`` to say, and its ``CaseInvalid`` errors are put back on the form.
"""

from __future__ import annotations

import uuid
from typing import Any

from django import forms
from django.db.models import Q, QuerySet

from zhili.cases.models import IN_PERSON_CHANNELS, Case, CaseStatus, Channel, Task, Warning
from zhili.catalogue.models import ServiceItem

MAX_BATCH = 200
MAX_BPMN_MB = 1

# Deadline colours (电子监察): green / yellow / red from Case.warning, and the
# separate statutory flag.
COLOURS = [
    ("green", "绿灯（正常）"),
    ("yellow", "黄灯预警"),
    ("red", "红灯超期"),
    ("late", "超法定时限"),
]


def colour_q(colour: str, prefix: str = "") -> Q:
    """The cases of one colour; ``prefix`` reaches the case from another model ("case__")."""
    if colour == "late":
        return Q(**{f"{prefix}past_statutory": True})
    value = {"green": Warning.NONE, "yellow": Warning.YELLOW, "red": Warning.RED}[colour]
    return Q(**{f"{prefix}warning": value})


class QueueFilterForm(forms.Form):
    stage = forms.ChoiceField(label="环节", required=False)
    colour = forms.ChoiceField(label="时限", choices=[("", "全部"), *COLOURS], required=False)
    mine = forms.BooleanField(label="只看我认领的", required=False)

    def __init__(self, *args: Any, stages: list[str], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["stage"].choices = [("", "全部环节"), *((s, s) for s in stages)]  # type: ignore[attr-defined]

    def filter(self, tasks: QuerySet[Task], *, user_id: int) -> QuerySet[Task]:
        data = self.cleaned_data
        if data.get("stage"):
            tasks = tasks.filter(name=data["stage"])
        if data.get("colour"):
            tasks = tasks.filter(colour_q(data["colour"], "case__"))
        if data.get("mine"):
            tasks = tasks.filter(claimed_by_id=user_id)
        return tasks


class CaseFilterForm(forms.Form):
    q = forms.CharField(label="办件编号", required=False, max_length=32)
    status = forms.ChoiceField(
        label="状态",
        choices=[("", "全部"), *((v, label) for v, label in CaseStatus.choices if v != "draft")],
        required=False,
    )
    item = forms.ModelChoiceField(
        label="事项",
        queryset=ServiceItem.objects.none(),
        required=False,
        empty_label="全部事项",
        to_field_name="impl_code",
    )
    colour = forms.ChoiceField(label="时限", choices=[("", "全部"), *COLOURS], required=False)
    submitted_from = forms.DateField(
        label="申请日期自", required=False, widget=forms.DateInput(attrs={"type": "date"})
    )
    submitted_to = forms.DateField(
        label="至", required=False, widget=forms.DateInput(attrs={"type": "date"})
    )

    def __init__(self, *args: Any, items: QuerySet[ServiceItem], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["item"].queryset = items  # type: ignore[attr-defined]

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        start, end = data.get("submitted_from"), data.get("submitted_to")
        if start and end and start > end:
            self.add_error("submitted_to", "结束日期不能早于开始日期")
        return data

    def filter(self, cases: QuerySet[Case]) -> QuerySet[Case]:
        data = self.cleaned_data
        if data.get("q"):
            cases = cases.filter(number__icontains=data["q"].strip())
        if data.get("status"):
            cases = cases.filter(status=data["status"])
        if data.get("item"):
            cases = cases.filter(item=data["item"])
        if data.get("colour"):
            cases = cases.filter(colour_q(data["colour"]))
        if data.get("submitted_from"):
            cases = cases.filter(submitted_at__date__gte=data["submitted_from"])
        if data.get("submitted_to"):
            cases = cases.filter(submitted_at__date__lte=data["submitted_to"])
        return cases


class UUIDListField(forms.Field):
    """Task ids ticked in the queue: any well-formed UUIDs (a task gone from the queue is
    reported row by row, not refused as an invalid choice)."""

    widget = forms.MultipleHiddenInput

    def to_python(self, value: Any) -> list[uuid.UUID]:
        if not value:
            return []
        values = value if isinstance(value, list | tuple) else [value]
        try:
            out = list(dict.fromkeys(uuid.UUID(str(v)) for v in values))
        except ValueError as exc:
            raise forms.ValidationError("所选任务无效，请刷新页面后重试") from exc
        if len(out) > MAX_BATCH:
            raise forms.ValidationError(f"一次最多处理{MAX_BATCH}件")
        return out

    def validate(self, value: Any) -> None:
        if self.required and not value:
            raise forms.ValidationError("请先勾选要处理的办件")


class BatchForm(forms.Form):
    OPS = [("claim", "批量认领"), ("accept", "批量受理")]

    op = forms.ChoiceField(label="操作", choices=OPS, error_messages={"required": "请选择操作"})
    task = UUIDListField(label="任务")


class TaskForm(forms.Form):
    task = forms.UUIDField(error_messages={"required": "缺少任务", "invalid": "任务无效"})


class ActForm(TaskForm):
    action = forms.CharField(max_length=16, error_messages={"required": "请选择处理结果"})
    comment = forms.CharField(
        label="意见",
        max_length=2000,
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text="不予受理、不予许可、退回补正须写明理由",
    )


class IdentityForm(forms.Form):
    reason = forms.CharField(
        label="查看理由",
        max_length=200,
        error_messages={"required": "查看完整证件号码须填写理由"},
        help_text="如：核对身份、制作证照。查看将记入审计日志。",
    )


VISIT_PURPOSES = ["补正材料", "领取结果", "核验原件", "咨询", "其他"]


class VisitForm(forms.Form):
    channel = forms.ChoiceField(
        label="到场地点",
        choices=[(c.value, c.label) for c in Channel if c in IN_PERSON_CHANNELS],
        initial=Channel.WINDOW,
    )
    purpose = forms.ChoiceField(label="事由", choices=[(p, p) for p in VISIT_PURPOSES])
    # One token per rendered form: a double click or a retried POST records one visit.
    token = forms.UUIDField(
        widget=forms.HiddenInput, error_messages={"required": "表单已过期，请刷新"}
    )

    def __init__(self, *args: Any, offered: list[str], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        # The select offers where this person may record a visit (services.visit_channels);
        # any in-person channel parses, and the service says no to the others.
        labels = dict(Channel.choices)
        widget = self.fields["channel"].widget
        assert isinstance(widget, forms.Select)
        widget.choices = [(c, labels[c]) for c in offered]


class SupplyForm(forms.Form):
    code = forms.CharField(max_length=32, error_messages={"required": "缺少材料编号"})


class CallbackForm(forms.Form):
    note = forms.CharField(
        label="回访记录",
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 3}),
        error_messages={"required": "请填写回访记录"},
    )


class RespondForm(forms.Form):
    response = forms.CharField(
        label="整改情况",
        max_length=4000,
        widget=forms.Textarea(attrs={"rows": 4}),
        error_messages={"required": "请填写整改情况"},
        help_text="申请人将看到这段答复，并可再评价一次。",
    )


class WorkflowUploadForm(forms.Form):
    file = forms.FileField(
        label="BPMN 文件",
        help_text="BPMN 2.0 XML（.bpmn 或 .xml），UTF-8 编码，不超过 1 MB",
        error_messages={"required": "请选择流程文件"},
    )

    def clean_file(self) -> str:
        upload = self.cleaned_data["file"]
        name = (upload.name or "").lower()
        if not name.endswith((".bpmn", ".xml")):
            raise forms.ValidationError("请上传 .bpmn 或 .xml 文件")
        if upload.size > MAX_BPMN_MB * 1024 * 1024:
            raise forms.ValidationError(f"流程文件超过 {MAX_BPMN_MB} MB")
        try:
            text: str = upload.read().decode("utf-8-sig")
        except UnicodeDecodeError as exc:
            raise forms.ValidationError("文件不是 UTF-8 编码的文本") from exc
        return text
