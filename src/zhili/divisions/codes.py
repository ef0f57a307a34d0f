"""Statistical division codes: GB/T 2260 county prefix + 3 town + 3 village digits.

The 12-digit 统计用区划代码 of the National Bureau of Statistics extends the
6-digit GB/T 2260 code of the county with three digits for the town (乡级)
and three for the village (村级). A county is ``xxxxxx000000``, a town
``xxxxxxTTT000`` and a village ``xxxxxxTTTVVV``.
"""

from __future__ import annotations

from django.core.exceptions import ValidationError

# GB/T 2260 province-level codes (省级), the first two digits of every code.
PROVINCES = {
    "11", "12", "13", "14", "15", "21", "22", "23", "31", "32", "33", "34", "35", "36", "37",
    "41", "42", "43", "44", "45", "46", "50", "51", "52", "53", "54", "61", "62", "63", "64",
    "65", "71", "81", "82",
}  # fmt: skip

LEVEL_COUNTY = "county"
LEVEL_TOWN = "town"
LEVEL_VILLAGE = "village"


def level_of(code: str) -> str:
    """The level a well-formed 12-digit code denotes."""
    if code[6:] == "000000":
        return LEVEL_COUNTY
    if code[9:] == "000":
        return LEVEL_TOWN
    return LEVEL_VILLAGE


def parent_code(code: str) -> str | None:
    level = level_of(code)
    if level == LEVEL_VILLAGE:
        return code[:9] + "000"
    if level == LEVEL_TOWN:
        return code[:6] + "000000"
    return None


def validate_division_code(code: str, *, county: str | None = None) -> str:
    """Return the code's level, or raise ValidationError saying what is wrong."""
    if len(code) != 12 or not code.isdigit():
        raise ValidationError(f"区划代码应为12位数字，实际为“{code}”")
    if code[:2] not in PROVINCES:
        raise ValidationError(f"区划代码“{code}”的前两位“{code[:2]}”不是GB/T 2260省级代码")
    if code[4:6] == "00":
        raise ValidationError(f"区划代码“{code}”的第5-6位不能为00：前六位应是县级代码")
    if code[6:9] == "000" and code[9:] != "000":
        raise ValidationError(f"区划代码“{code}”的乡级段为000，村级段必须也为000")
    if county is not None and code[:6] != county:
        raise ValidationError(f"区划代码“{code}”不属于本县（{county}）")
    return level_of(code)
