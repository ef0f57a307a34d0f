"""Reading the applicant's forms: identity, situation answers, how each material is provided.

Field names follow the error keys of ``CaseInvalid`` so an error lands next
to its field: ``answers.S1`` (a radio group), ``materials.M2`` (how material
M2 is provided: ``upload``, ``elicence:<id>``, ``file:<id>``, ``promise``,
``paper``), ``materials.M2.file`` and ``materials.M2.promise_by``, and
``id_number``, ``name``, ``phone``, ``village``.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from django import forms
from django.core.files.uploadedfile import UploadedFile
from django.http import QueryDict
from django.utils.datastructures import MultiValueDict

from zhili.cases.materials import MaterialInput, offers
from zhili.cases.models import Applicant, Case, Channel, RatingLevel, StoredFile
from zhili.catalogue import schema
from zhili.divisions.models import Division

# -- identity ----------------------------------------------------------------

REQUIRED = "请填写此项"


class IdentityForm(forms.Form):
    """Who applies: entered once by a citizen, each time by a village agent for a villager
    and by a clerk at the window (who also says whether a person or an enterprise applies)."""

    kind = forms.ChoiceField(
        required=False,
        choices=Applicant.KINDS,
        error_messages={
            "required": "请选择申请人类型",
            "invalid_choice": "申请人类型应为自然人或法人",
        },
    )
    id_number = forms.CharField(max_length=32, error_messages={"required": REQUIRED})
    name = forms.CharField(max_length=100, error_messages={"required": REQUIRED})
    phone = forms.CharField(max_length=20, required=False)
    village = forms.ChoiceField(
        required=False,
        error_messages={
            "required": "请选择所在村（社区）",
            "invalid_choice": "只能选择列出的村（社区）",
        },
    )

    def __init__(
        self,
        data: QueryDict | None = None,
        *,
        kind: str,
        villages: list[Division],
        village_required: bool,
        choose_kind: bool = False,
    ) -> None:
        super().__init__(data)
        self.applicant_kind = kind
        self.villages = {v.code: v for v in villages}
        village = self.fields["village"]
        assert isinstance(village, forms.ChoiceField)
        village.choices = [("", "请选择"), *((v.code, v.name) for v in villages)]
        village.required = village_required
        self.fields["kind"].required = choose_kind
        self.fields["kind"].label = "申请人类型"
        if choose_kind:
            self.fields["id_number"].label = "身份证号/统一社会信用代码"
            self.fields["name"].label = "姓名/名称"
        elif kind == Applicant.ENTERPRISE:
            self.fields["id_number"].label = "统一社会信用代码"
            self.fields["name"].label = "企业名称"
        else:
            self.fields["id_number"].label = "身份证号"
            self.fields["name"].label = "姓名"
        self.fields["phone"].label = "手机号"
        self.fields["village"].label = "所在村（社区）"

    def chosen_village(self) -> Division | None:
        return self.villages.get(self.cleaned_data.get("village") or "")

    def error_dict(self) -> dict[str, str]:
        return {name: "；".join(str(e) for e in errs) for name, errs in self.errors.items()}


def is_filled(data: QueryDict, *names: str) -> bool:
    return any((data.get(n) or "").strip() for n in names)


# -- the channel ---------------------------------------------------------------

# What the applicant's own client may say it is: the form carries it in a hidden
# field (the kiosk sets it in kiosk mode, a phone app's web view may say mobile).
CLIENT_CHANNELS = [Channel.ONLINE, Channel.MOBILE, Channel.KIOSK]


def client_channel(value: str | None) -> tuple[str, str]:
    """(channel, error): the channel the form says, online when it says none."""
    if not value:
        return Channel.ONLINE, ""
    if value in CLIENT_CHANNELS:
        return value, ""
    *first, last = [Channel(c).label for c in CLIENT_CHANNELS]
    return Channel.ONLINE, f"办理渠道只能是{'、'.join(first)}或{last}"


# -- the idempotency key -----------------------------------------------------


def new_key() -> str:
    return str(uuid.uuid4())


def clean_key(value: str | None) -> str | None:
    """The form's idempotency key if it is one we could have issued (a UUID)."""
    try:
        return str(uuid.UUID(str(value)))
    except (TypeError, ValueError):
        return None


# -- situation answers ---------------------------------------------------------


@dataclass
class Question:
    code: str
    question: str
    options: list[tuple[str, str]]
    answer: str
    error: str = ""

    @property
    def field(self) -> str:
        return f"answers.{self.code}"


def parse_answers(
    document: dict[str, Any], data: QueryDict, *, bare: bool = False
) -> dict[str, str]:
    """The answers given (``answers.S1=A``), only for this item's questions.

    ``bare`` also reads ``S1=A``, as the item page's situation form sends them.
    """
    answers = {}
    for s in document.get("situations", []):
        given = (
            data.get(f"answers.{s['code']}") or (data.get(s["code"]) if bare else "") or ""
        ).strip()
        if given:
            answers[s["code"]] = given[:16]
    return answers


def questions(
    document: dict[str, Any], answers: dict[str, str], errors: dict[str, str]
) -> list[Question]:
    return [
        Question(
            code=s["code"],
            question=s["question"],
            options=[schema.parse_option(o) for o in s.get("options", [])],
            answer=answers.get(s["code"], ""),
            error=errors.get(f"answers.{s['code']}", ""),
        )
        for s in document.get("situations", [])
    ]


# -- materials ---------------------------------------------------------------


@dataclass
class MaterialRow:
    """One material of the checklist with the ways it may be provided."""

    code: str
    name: str
    necessity: str
    source: str
    standard: str
    elicence_kind: str
    offers: list[Any] = field(default_factory=list)  # ELicence
    files: list[StoredFile] = field(default_factory=list)
    choice: str = ""
    promise_by: str = ""
    paper_allowed: bool = False
    error: str = ""

    @property
    def field(self) -> str:
        return f"materials.{self.code}"

    @property
    def deferrable(self) -> bool:
        return self.necessity == "容缺后补"

    @property
    def optional(self) -> bool:
        return self.necessity == "非必要"

    @property
    def options(self) -> list[dict[str, Any]]:
        """The radio buttons, in the order they are offered: 免提交 first, paper last."""
        out: list[dict[str, Any]] = [
            {
                "value": f"elicence:{lic.pk}",
                "kind": "elicence",
                "label": "使用电子证照（免提交）",
                "note": f"{lic.kind} {lic.number}",
            }
            for lic in self.offers
        ]
        out += [
            {
                "value": f"file:{f.pk}",
                "kind": "file",
                "label": "使用已上传过的文件",
                "note": f"{f.original_name}（{f.created_at:%Y-%m-%d}）",
            }
            for f in self.files
        ]
        out.append(
            {"value": "upload", "kind": "upload", "label": "上传文件", "note": "PDF、JPG 或 PNG"}
        )
        if self.deferrable:
            out.append(
                {
                    "value": "promise",
                    "kind": "promise",
                    "label": "容缺后补",
                    "note": "先受理，承诺在所填日期前补交",
                }
            )
        if self.paper_allowed:
            out.append(
                {
                    "value": "paper",
                    "kind": "paper",
                    "label": "已收取纸质件",
                    "note": "已收到原件或复印件",
                }
            )
        for o in out:
            o["checked"] = o["value"] == self.choice
            o["id"] = f"m-{self.code}-{o['value'].replace(':', '-')}"
        return out


@dataclass
class Choices:
    """What the form says about each material, to show it again (after an error, or from a draft)."""

    choices: dict[str, str] = field(default_factory=dict)
    promises: dict[str, str] = field(default_factory=dict)

    @classmethod
    def from_post(cls, data: QueryDict) -> Choices:
        out = cls()
        for key in data:
            value = str(data.get(key, ""))
            # "upload" with no file yet is the form's default, not a choice: once the
            # applicant is known, an e-licence they hold should be preselected instead.
            if key.startswith("materials.") and key.count(".") == 1 and value != "upload":
                out.choices[key.split(".", 1)[1]] = value
            elif key.startswith("materials.") and key.endswith(".promise_by"):
                out.promises[key.split(".")[1]] = value[:10]
        return out

    @classmethod
    def from_draft(cls, draft: Case) -> Choices:
        out = cls()
        saved = ((draft.form_data or {}).get("draft") or {}).get("materials") or {}
        for code, how in saved.items():
            if how.get("file_id"):
                out.choices[code] = f"file:{how['file_id']}"
            elif how.get("elicence_id"):
                out.choices[code] = f"elicence:{how['elicence_id']}"
            elif how.get("promise_by"):
                out.choices[code] = "promise"
                out.promises[code] = str(how["promise_by"])
            elif how.get("paper"):
                out.choices[code] = "paper"
        return out


def checklist(
    *,
    document: dict[str, Any],
    answers: dict[str, str],
    applicant: Applicant | None,
    today: date,
    paper_allowed: bool,
    given: Choices | None = None,
    errors: dict[str, str] | None = None,
) -> list[MaterialRow]:
    """The materials these answers need, each with its e-licence offers and reusable files."""
    given = given or Choices()
    errors = errors or {}
    materials = schema.materials_for(document, answers)
    offered = offers(applicant, materials, today=today)
    rows = []
    for m in materials:
        code = m["code"]
        files: list[StoredFile] = []
        if applicant is not None:
            files = list(
                StoredFile.objects.filter(applicant=applicant, material_name=m["name"]).order_by(
                    "-created_at"
                )[:3]
            )
        kept = given.choices.get(code, "")
        kept_id = _int(kept[5:]) if kept.startswith("file:") else None
        if kept_id is not None and applicant is not None and all(f.pk != kept_id for f in files):
            # A file stored in an earlier attempt under another material's name.
            files += list(StoredFile.objects.filter(applicant=applicant, pk=kept_id))
        row = MaterialRow(
            code=code,
            name=m["name"],
            necessity=m.get("necessity", "必要"),
            source=m.get("source", ""),
            standard=m.get("standard", ""),
            elicence_kind=m.get("elicence", ""),
            offers=offered.get(code, []),
            files=files,
            promise_by=given.promises.get(code, ""),
            paper_allowed=paper_allowed,
            error=errors.get(f"materials.{code}", ""),
        )
        row.choice = kept if _valid_choice(row, kept) else _default_choice(row)
        rows.append(row)
    return rows


def _int(value: str) -> int | None:
    try:
        return int(value)
    except ValueError:
        return None


def _valid_choice(row: MaterialRow, choice: str) -> bool:
    if choice in {"upload", "none"}:
        return True
    if choice == "promise":
        return row.deferrable
    if choice == "paper":
        return row.paper_allowed
    if choice.startswith("elicence:"):
        return any(choice == f"elicence:{lic.pk}" for lic in row.offers)
    if choice.startswith("file:"):
        return any(choice == f"file:{f.pk}" for f in row.files)
    return False


def _default_choice(row: MaterialRow) -> str:
    # 免提交 first: an e-licence the applicant holds is used unless they choose otherwise.
    if row.offers:
        return f"elicence:{row.offers[0].pk}"
    return "upload"


def material_inputs(
    *,
    document: dict[str, Any],
    answers: dict[str, str],
    data: QueryDict,
    files: MultiValueDict[str, UploadedFile],
) -> tuple[dict[str, MaterialInput], dict[str, str]]:
    """How the form provides each material these answers need, and what could not be read.

    A chosen file always counts as an upload, whatever the radio says: the
    applicant picked it on purpose.
    """
    inputs: dict[str, MaterialInput] = {}
    errors: dict[str, str] = {}
    for m in schema.materials_for(document, answers):
        code = m["code"]
        upload = files.get(f"materials.{code}.file")
        choice = data.get(f"materials.{code}", "")
        if upload is not None:
            inputs[code] = MaterialInput(code, upload=upload)
        elif choice.startswith("elicence:") and _int(choice[9:]):
            inputs[code] = MaterialInput(code, elicence_id=_int(choice[9:]))
        elif choice.startswith("file:") and _int(choice[5:]):
            inputs[code] = MaterialInput(code, file_id=_int(choice[5:]))
        elif choice == "paper":
            inputs[code] = MaterialInput(code, paper=True)
        elif choice == "promise":
            try:
                inputs[code] = MaterialInput(
                    code, promise_by=promise_date(data.get(f"materials.{code}.promise_by", ""))
                )
            except ValueError as exc:
                errors[f"materials.{code}"] = str(exc)
    return inputs, errors


def promise_date(value: str) -> date | None:
    """A 容缺 promise date (YYYY-MM-DD), None when blank; ValueError when malformed."""
    value = (value or "").strip()
    if not value:
        return None
    try:
        return date.fromisoformat(value)
    except ValueError as exc:
        raise ValueError("承诺补交日期格式应为“年-月-日”，例如 2025-06-30") from exc


def correction_uploads(
    files: MultiValueDict[str, UploadedFile], codes: list[str]
) -> dict[str, UploadedFile]:
    """The files sent in for 补正 (``materials.M1.file``), for the case's materials only."""
    out = {}
    for code in codes:
        upload = files.get(f"materials.{code}.file")
        if upload is not None:
            out[code] = upload
    return out


# -- rating and verification ---------------------------------------------------


class RatingForm(forms.Form):
    level = forms.TypedChoiceField(
        label="评价",
        coerce=int,
        choices=[(level.value, level.label) for level in RatingLevel],
        error_messages={"required": "请选择满意程度", "invalid_choice": "请选择列出的满意程度"},
    )
    tags = forms.MultipleChoiceField(label="标签", required=False)
    reason = forms.CharField(label="理由", required=False, max_length=500, widget=forms.Textarea)

    def __init__(self, data: QueryDict | None = None, *, tags: list[str]) -> None:
        super().__init__(data)
        field = self.fields["tags"]
        assert isinstance(field, forms.MultipleChoiceField)
        field.choices = [(t, t) for t in tags]
        field.error_messages["invalid_choice"] = "请选择列出的标签"


class VerifyForm(forms.Form):
    code = forms.CharField(
        label="核验码",
        max_length=32,
        error_messages={"required": "请输入证照上的核验码"},
    )

    def clean_code(self) -> str:
        return "".join(str(self.cleaned_data["code"]).split()).upper()
