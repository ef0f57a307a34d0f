from __future__ import annotations

from django import forms

from zhili.workdays.services import FIRST_YEAR, LAST_YEAR, SOURCE_MAX


class NoticeForm(forms.Form):
    """One year's State Council holiday notice, as an administrator types it in."""

    year = forms.IntegerField(label="年份", min_value=FIRST_YEAR, max_value=LAST_YEAR)
    source = forms.CharField(
        label="依据",
        max_length=SOURCE_MAX,
        help_text="通知文号，如：国办发明电〔2026〕X号",
    )
    notice = forms.CharField(
        label="放假与调休安排",
        strip=False,
        widget=forms.Textarea(attrs={"rows": 14, "spellcheck": "false"}),
        help_text=(
            "每行一项：日期或日期范围、名称、“休”或“班”。"
            "例如“2027-10-01~2027-10-07 国庆节 休”“2027-09-26 国庆节调休 班”。"
            "以 # 开头的行不读。"
        ),
    )
