"""The filter bar of the audit page."""

from __future__ import annotations

from typing import Any

from django import forms


class AuditFilterForm(forms.Form):
    action = forms.CharField(label="操作", required=False, max_length=64)
    actor = forms.CharField(label="操作人", required=False, max_length=64)
    object_type = forms.CharField(label="对象类型", required=False, max_length=64)
    object_id = forms.CharField(label="对象编号", required=False, max_length=64)
    date_from = forms.DateField(
        label="起始日期", required=False, widget=forms.DateInput(attrs={"type": "date"})
    )
    date_to = forms.DateField(
        label="截止日期", required=False, widget=forms.DateInput(attrs={"type": "date"})
    )

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        start, end = data.get("date_from"), data.get("date_to")
        if start and end and start > end:
            self.add_error("date_to", "截止日期不能早于起始日期。")
        return data
