"""Bodies of the REST API (/api/v1/): what comes in, what goes out, as the OpenAPI schema says.

Nothing here decides anything: input serializers check shapes and types, the
services decide; output serializers only show. Identity numbers and phones
go out masked (``id_masked``, ``phone_masked``) and cases and tasks are named
by UUID, never by a guessable number.
"""

from __future__ import annotations

from datetime import date
from typing import Any

from django.utils import timezone
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from zhili.accounts.models import User
from zhili.cases import workflow
from zhili.cases.materials import elicence_may_replace
from zhili.cases.models import (
    Applicant,
    Case,
    CaseMaterial,
    CaseStatus,
    ELicence,
    Outcome,
    Task,
    Warning,
)
from zhili.cases.services import can_act
from zhili.catalogue.selectors import ItemPage, MaterialRow, Situation
from zhili.workdays.calendar import CalendarNotCovered

# The channels a phone app or an integration may file through; the rules of
# each (who may use it for whom) are ``services.check_channel``'s.
API_CHANNELS = [("online", "网上办"), ("mobile", "掌上办"), ("village_point", "村级代办")]
ROLE_LABELS = {"clerk": "窗口人员", "reviewer": "审批人员", "applicant": "申请人"}


# ---- errors ----------------------------------------------------------------


class ErrorsSerializer(serializers.Serializer):
    """400: what is wrong, by field (``applicant.id_number``, ``answers.S1``, ``materials.M2``, ``file``)."""

    errors = serializers.DictField(child=serializers.CharField(), help_text="字段 → 中文说明")


class DetailSerializer(serializers.Serializer):
    """401, 403, 404, 409, 422: one Chinese sentence."""

    detail = serializers.CharField()


# ---- shared pieces ---------------------------------------------------------


class DepartmentRefSerializer(serializers.Serializer):
    code = serializers.CharField()
    name = serializers.CharField()


class ItemRefSerializer(serializers.Serializer):
    impl_code = serializers.CharField(help_text="实施编码")
    name = serializers.CharField()


class ApplicantOutSerializer(serializers.Serializer):
    kind = serializers.ChoiceField(choices=Applicant.KINDS)
    name = serializers.CharField()
    id_masked = serializers.CharField(help_text="证件号码（脱敏）")
    phone_masked = serializers.CharField(help_text="手机号（脱敏）")


class ActionSerializer(serializers.Serializer):
    action = serializers.CharField()
    label = serializers.CharField()


# ---- items -----------------------------------------------------------------


class ItemSummarySerializer(serializers.Serializer):
    impl_code = serializers.CharField(help_text="实施编码")
    name = serializers.CharField()
    department = DepartmentRefSerializer()
    channels = serializers.ListField(
        child=serializers.CharField(), help_text="网上办、掌上办、自助办、就近办、窗口办"
    )
    matched = serializers.CharField(help_text="为何命中（仅检索时）")


class OptionSerializer(serializers.Serializer):
    code = serializers.CharField()
    label = serializers.CharField()


class SituationSerializer(serializers.Serializer):
    code = serializers.CharField()
    question = serializers.CharField()
    options = OptionSerializer(many=True)


class ItemMaterialSerializer(serializers.Serializer):
    """One material of the item document; ``when`` lists the answers it applies to (S1=B)."""

    code = serializers.CharField()
    name = serializers.CharField()
    necessity = serializers.CharField(help_text="必要、非必要或容缺后补")
    source = serializers.CharField()
    elicence = serializers.CharField(help_text="可替代此材料的电子证照类型，空为不可替代")
    form = serializers.ListField(child=serializers.CharField())
    copies = serializers.IntegerField()
    uploadable = serializers.BooleanField()
    standard = serializers.CharField()
    when = serializers.ListField(child=serializers.CharField())


class ChannelMeaningSerializer(serializers.Serializer):
    name = serializers.CharField()
    meaning = serializers.CharField()


class ItemDetailSerializer(serializers.Serializer):
    impl_code = serializers.CharField()
    name = serializers.CharField()
    department = DepartmentRefSerializer()
    version = serializers.IntegerField(help_text="当前发布的版本号")
    published_at = serializers.DateTimeField(allow_null=True)
    promised_days = serializers.IntegerField(help_text="承诺时限（工作日）")
    statutory_days = serializers.IntegerField(help_text="法定时限（工作日）")
    result_type = serializers.CharField()
    result_name = serializers.CharField()
    online_depth = serializers.CharField()
    supports = serializers.ListField(child=serializers.CharField())
    channels = ChannelMeaningSerializer(many=True)
    situations = SituationSerializer(many=True)
    materials = ItemMaterialSerializer(many=True)


def item_detail_data(page: ItemPage) -> dict[str, Any]:
    doc = page.doc
    return {
        "impl_code": page.item.impl_code,
        "name": doc.get("name") or page.item.name,
        "department": page.department,
        "version": page.version.number,
        "published_at": page.version.published_at,
        "promised_days": int(doc.get("promised_days") or 0),
        "statutory_days": int(doc.get("statutory_days") or 0),
        "result_type": doc.get("result_type") or "",
        "result_name": doc.get("result_name") or "",
        "online_depth": doc.get("online_depth") or "",
        "supports": list(doc.get("supports") or []),
        "channels": [{"name": n, "meaning": m} for n, m in page.channels],
        "situations": page.situations,
        "materials": [_doc_material(m) for m in doc.get("materials", [])],
    }


def _doc_material(m: dict[str, Any]) -> dict[str, Any]:
    return {
        "code": m.get("code", ""),
        "name": m.get("name", ""),
        "necessity": m.get("necessity", ""),
        "source": m.get("source", ""),
        "elicence": m.get("elicence", ""),
        "form": list(m.get("form") or []),
        "copies": int(m.get("copies") or 0),
        "uploadable": bool(m.get("uploadable")),
        "standard": m.get("standard", ""),
        "when": list(m.get("when") or []),
    }


class OfferSerializer(serializers.Serializer):
    """免提交: one of the caller's e-licences that may stand in for the material."""

    elicence_id = serializers.IntegerField(
        source="licence.pk", help_text="提交申请时作为 elicence_id"
    )
    kind = serializers.CharField(source="licence.kind")
    number = serializers.CharField(source="licence.number")
    trust = serializers.ChoiceField(source="licence.trust", choices=ELicence.TRUST_LEVELS)
    needs_check = serializers.BooleanField(help_text="C级证照：窗口须核验原件")


class ChecklistMaterialSerializer(serializers.Serializer):
    code = serializers.CharField(source="row.code")
    name = serializers.CharField(source="row.name")
    necessity = serializers.CharField(source="row.necessity")
    source = serializers.CharField(source="row.source")
    elicence = serializers.CharField(source="row.elicence")
    forms = serializers.CharField(source="row.forms")
    copies = serializers.IntegerField(source="row.copies")
    uploadable = serializers.BooleanField(source="row.uploadable")
    standard = serializers.CharField(source="row.standard")
    deferrable = serializers.BooleanField(source="row.deferrable", help_text="容缺后补")
    offers = OfferSerializer(many=True)


class ChecklistSerializer(serializers.Serializer):
    item = ItemRefSerializer()
    answers = serializers.DictField(child=serializers.CharField())
    unanswered = SituationSerializer(many=True, help_text="尚未回答的情形：回答后材料清单可能变化")
    materials = ChecklistMaterialSerializer(many=True)


def checklist_data(
    page: ItemPage, offers: dict[str, list[ELicence]], materials: list[dict[str, Any]], today: date
) -> dict[str, Any]:
    by_code = {m["code"]: m for m in materials}
    rows: list[MaterialRow] = page.materials
    unanswered: list[Situation] = [s for s in page.situations if s.code not in page.answers]
    return {
        "item": page.item,
        "answers": page.answers,
        "unanswered": unanswered,
        "materials": [
            {
                "row": row,
                "offers": [
                    {
                        "licence": lic,
                        "needs_check": elicence_may_replace(lic, by_code[row.code], today=today)[1],
                    }
                    for lic in offers.get(row.code, [])
                ],
            }
            for row in rows
        ],
    }


# ---- cases: in -------------------------------------------------------------


class ApplicantInSerializer(serializers.Serializer):
    kind = serializers.ChoiceField(
        choices=Applicant.KINDS,
        required=False,
        help_text="默认：企业账号为 enterprise，其他为 person",
    )
    id_number = serializers.CharField(help_text="居民身份证号或统一社会信用代码")
    name = serializers.CharField(help_text="姓名或名称")
    phone = serializers.CharField(required=False, allow_blank=True, default="")
    village = serializers.CharField(
        required=False,
        allow_blank=True,
        default="",
        help_text="村代办员登记新村民时：所在村的12位区划代码（只服务一个村时可不填）",
    )


class MaterialChoiceSerializer(serializers.Serializer):
    """How one material is provided: exactly one of the three."""

    file_id = serializers.IntegerField(
        required=False, min_value=1, help_text="POST /api/v1/materials/ 返回的文件编号"
    )
    elicence_id = serializers.IntegerField(
        required=False, min_value=1, help_text="申请人的电子证照（免提交）"
    )
    promise_by = serializers.DateField(required=False, help_text="容缺后补：承诺补交日期")

    def validate(self, attrs: dict[str, Any]) -> dict[str, Any]:
        if len(attrs) != 1:
            raise serializers.ValidationError(
                "请在 file_id、elicence_id、promise_by 中选择一种提供方式"
            )
        return attrs


class CaseCreateSerializer(serializers.Serializer):
    item = serializers.CharField(help_text="事项实施编码")
    channel = serializers.ChoiceField(
        choices=API_CHANNELS,
        required=False,
        help_text="默认：村代办员为 village_point，其他人为 mobile",
    )
    applicant = ApplicantInSerializer(
        required=False, help_text="申请人；本人已登记过时可省略（使用本人的申请人信息）"
    )
    answers = serializers.DictField(
        child=serializers.CharField(), required=False, default=dict, help_text="情形编号 → 选项编号"
    )
    materials = serializers.DictField(
        child=MaterialChoiceSerializer(),
        required=False,
        default=dict,
        help_text="材料编号 → 提供方式",
    )


class TaskCompleteSerializer(serializers.Serializer):
    action = serializers.CharField(help_text="该环节可执行的动作之一，见办件的 pending[].actions")
    comment = serializers.CharField(required=False, allow_blank=True, default="")


@extend_schema_field({"type": "string", "enum": [k for k, _ in Applicant.KINDS]})
class _InlineKindField(serializers.ChoiceField):
    """The applicant kind under another field name, documented inline (one named enum is enough)."""


class UploadSerializer(serializers.Serializer):
    file = serializers.FileField(help_text="PDF、JPG 或 PNG（按内容识别，不看扩展名）")
    material_name = serializers.CharField(required=False, allow_blank=True, default="")
    applicant = serializers.CharField(
        required=False, allow_blank=True, default="", help_text="村代办员：村民的证件号码"
    )
    applicant_kind = _InlineKindField(
        choices=Applicant.KINDS,
        required=False,
        help_text="默认：企业账号为 enterprise，其他为 person",
    )
    applicant_name = serializers.CharField(
        required=False, allow_blank=True, default="", help_text="首次登记申请人时：姓名或名称"
    )


# ---- cases: out ------------------------------------------------------------


class StoredFileSerializer(serializers.Serializer):
    id = serializers.IntegerField(help_text="提交申请时作为 file_id")
    name = serializers.CharField(source="original_name")
    material_name = serializers.CharField()
    mime = serializers.CharField()
    size = serializers.IntegerField()
    sha256 = serializers.CharField()
    created_at = serializers.DateTimeField()
    applicant = ApplicantOutSerializer()


class FileRefSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    name = serializers.CharField(source="original_name")
    mime = serializers.CharField()
    size = serializers.IntegerField()


class ELicenceRefSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    kind = serializers.CharField()
    number = serializers.CharField()


class CaseMaterialSerializer(serializers.Serializer):
    code = serializers.CharField()
    name = serializers.CharField()
    necessity = serializers.CharField()
    via = serializers.ChoiceField(choices=CaseMaterial.PROVIDED_VIA)
    via_label = serializers.CharField(source="get_via_display")
    file = FileRefSerializer(allow_null=True)
    elicence = ELicenceRefSerializer(allow_null=True)
    needs_check = serializers.BooleanField()
    promised_by = serializers.DateField(allow_null=True)
    received_at = serializers.DateTimeField(allow_null=True)


class DeadlinesSerializer(serializers.Serializer):
    """时限 in working days; the colour is 电子监察's: yellow at 80% of the promised limit, red at it."""

    promised_days = serializers.IntegerField()
    statutory_days = serializers.IntegerField()
    due_promised = serializers.DateField(allow_null=True, help_text="承诺期限（受理后才有）")
    due_statutory = serializers.DateField(allow_null=True)
    days_left = serializers.SerializerMethodField(
        help_text="距承诺期限的工作日，负数为已超期；未受理或已办结为 null"
    )
    clock_stopped = serializers.SerializerMethodField(help_text="补正期间计时暂停")
    warning = serializers.ChoiceField(choices=Warning.choices, help_text="''、yellow 或 red")
    warning_label = serializers.CharField(source="get_warning_display")
    past_statutory = serializers.BooleanField()
    held_for_materials = serializers.BooleanField(help_text="容缺材料未补齐")

    @extend_schema_field(serializers.IntegerField(allow_null=True))
    def get_days_left(self, case: Case) -> int | None:
        try:
            return case.days_left(timezone.localdate())
        except CalendarNotCovered:  # a year nobody entered: the dates stand, the count does not
            return None

    @extend_schema_field(OpenApiTypes.BOOL)
    def get_clock_stopped(self, case: Case) -> bool:
        return case.clock_stopped_at is not None


class TaskSerializer(serializers.Serializer):
    """An open step of the case; ``can_act`` says whether the caller may complete it."""

    id = serializers.UUIDField(source="spiff_id", help_text="用于 tasks/{id}/complete")
    activity = serializers.CharField()
    name = serializers.CharField()
    role = serializers.CharField(help_text="clerk、reviewer 或 applicant")
    role_label = serializers.SerializerMethodField()
    department = serializers.CharField(source="department.name", allow_null=True, default=None)
    since = serializers.DateTimeField(source="created_at")
    actions = serializers.SerializerMethodField()
    can_act = serializers.SerializerMethodField()

    def get_role_label(self, task: Task) -> str:
        return ROLE_LABELS.get(task.role, task.role)

    @extend_schema_field(ActionSerializer(many=True))
    def get_actions(self, task: Task) -> list[dict[str, str]]:
        return [{"action": a, "label": label} for a, label in workflow.actions_for(task.activity)]

    def get_can_act(self, task: Task) -> bool:
        user = _user(self.context)
        return user is not None and can_act(user, task)


def _user(context: dict[str, Any]) -> User | None:
    request = context.get("request")
    user = getattr(request, "user", None)
    return user if user is not None and user.is_authenticated else None


class CaseSummarySerializer(serializers.Serializer):
    ref = serializers.UUIDField(help_text="办件访问码")
    number = serializers.CharField(help_text="办件编号")
    item = ItemRefSerializer()
    department = DepartmentRefSerializer()
    channel = serializers.CharField()
    channel_label = serializers.CharField(source="get_channel_display")
    status = serializers.ChoiceField(choices=CaseStatus.choices)
    status_label = serializers.CharField(source="get_status_display")
    stage = serializers.CharField(help_text="当前环节")
    warning = serializers.ChoiceField(choices=Warning.choices)
    due_promised = serializers.DateField(allow_null=True)
    applicant = ApplicantOutSerializer()
    submitted_at = serializers.DateTimeField(allow_null=True)


class CaseSerializer(CaseSummarySerializer):
    version = serializers.IntegerField(source="version.number", help_text="申请时的事项版本")
    outcome = serializers.ChoiceField(choices=Outcome.choices)
    outcome_label = serializers.CharField(source="get_outcome_display")
    outcome_reason = serializers.CharField()
    answers = serializers.DictField(child=serializers.CharField())
    materials = CaseMaterialSerializer(many=True)
    materials_saved = serializers.IntegerField(help_text="电子证照免提交的材料数")
    deadlines = DeadlinesSerializer(source="*")
    pending = serializers.SerializerMethodField(help_text="待办环节")
    elicences = ELicenceRefSerializer(many=True, help_text="本办件签发的电子证照")
    accepted_at = serializers.DateTimeField(allow_null=True)
    concluded_at = serializers.DateTimeField(allow_null=True)
    delivered_at = serializers.DateTimeField(allow_null=True)

    @extend_schema_field(TaskSerializer(many=True))
    def get_pending(self, case: Case) -> Any:
        tasks = case.tasks.filter(state=Task.OPEN).select_related("department", "case__applicant")
        return TaskSerializer(tasks, many=True, context=self.context).data


class EventSerializer(serializers.Serializer):
    at = serializers.DateTimeField()
    step = serializers.CharField(help_text="环节：提交申请、受理、审查……办结")
    action = serializers.CharField()
    action_label = serializers.CharField()
    comment = serializers.CharField()
    department = serializers.CharField()


class TimelineSerializer(serializers.Serializer):
    ref = serializers.UUIDField()
    number = serializers.CharField()
    status = serializers.ChoiceField(choices=CaseStatus.choices)
    status_label = serializers.CharField(source="get_status_display")
    stage = serializers.CharField()
    deadlines = DeadlinesSerializer(source="*")
    events = serializers.SerializerMethodField()
    pending = serializers.SerializerMethodField()

    @extend_schema_field(EventSerializer(many=True))
    def get_events(self, case: Case) -> Any:
        return EventSerializer(timeline_events(case), many=True).data

    @extend_schema_field(TaskSerializer(many=True))
    def get_pending(self, case: Case) -> Any:
        tasks = case.tasks.filter(state=Task.OPEN).select_related("department", "case__applicant")
        return TaskSerializer(tasks, many=True, context=self.context).data


def timeline_events(case: Case) -> list[dict[str, Any]]:
    """What happened, oldest first: the filing, each completed step, the conclusion."""
    events: list[dict[str, Any]] = []
    if case.submitted_at:
        events.append(
            _event(case.submitted_at, "提交申请", "submit", f"经{case.get_channel_display()}提交")
        )
    done = (
        case.tasks.filter(state=Task.DONE)
        .select_related("department")
        .order_by("completed_at", "id")
    )
    for t in done:
        assert t.completed_at is not None
        label = dict(workflow.actions_for(t.activity)).get(t.action, t.action)
        dept = t.department.name if t.department else ""
        events.append(_event(t.completed_at, t.name, t.action, label, t.comment, dept))
    if case.concluded_at:
        events.append(
            _event(
                case.concluded_at,
                "办结",
                case.outcome,
                case.get_outcome_display(),
                case.outcome_reason,
            )
        )
    events.sort(key=lambda e: e["at"])
    return events


def _event(
    at: Any, step: str, action: str, label: str, comment: str = "", department: str = ""
) -> dict[str, Any]:
    return {
        "at": at,
        "step": step,
        "action": action,
        "action_label": label,
        "comment": comment,
        "department": department,
    }


# ---- e-licences ------------------------------------------------------------


class ELicenceSerializer(serializers.Serializer):
    id = serializers.IntegerField(help_text="提交申请时作为 elicence_id")
    number = serializers.CharField()
    kind = serializers.CharField()
    trust = serializers.ChoiceField(choices=ELicence.TRUST_LEVELS)
    trust_label = serializers.CharField(source="get_trust_display")
    issuer = serializers.CharField(source="issuer.name", allow_null=True, default=None)
    issued_on = serializers.DateField()
    valid_until = serializers.DateField(allow_null=True)
    verify_code = serializers.CharField(help_text="他人可凭此码在线核验")
    holder = ApplicantOutSerializer()
    data = serializers.DictField(help_text="照面信息")


class VerifySerializer(serializers.Serializer):
    """核验: whether a code names a licence in the library, and what it says (holder masked)."""

    genuine = serializers.BooleanField()
    validity = serializers.ChoiceField(
        choices=[("valid", "有效"), ("revoked", "已注销"), ("expired", "已过期")], allow_null=True
    )
    validity_label = serializers.CharField(allow_null=True)
    kind = serializers.CharField(allow_null=True)
    number = serializers.CharField(allow_null=True)
    issuer = serializers.CharField(allow_null=True)
    issued_on = serializers.DateField(allow_null=True)
    valid_until = serializers.DateField(allow_null=True)
    holder = serializers.CharField(allow_null=True, help_text="持证者（脱敏）")
