from __future__ import annotations

import pytest
from django.core.exceptions import ValidationError

from zhili.divisions.codes import parent_code, validate_division_code


@pytest.mark.parametrize(
    ("code", "level"),
    [("330599000000", "county"), ("330599101000", "town"), ("330599101201", "village")],
)
def test_it_tells_the_level_from_the_code(code, level):
    assert validate_division_code(code) == level


@pytest.mark.parametrize(
    ("code", "message"),
    [
        ("33059910120", "12位数字"),
        ("3305991012OI", "12位数字"),
        ("990599101201", "省级代码"),
        ("330500101201", "县级代码"),
        ("330599000201", "村级段必须也为000"),
    ],
)
def test_it_explains_what_is_wrong_with_a_code(code, message):
    with pytest.raises(ValidationError, match=message):
        validate_division_code(code)


def test_it_refuses_a_code_of_another_county():
    with pytest.raises(ValidationError, match="不属于本县"):
        validate_division_code("330521101201", county="330599")


def test_it_derives_the_parent_code():
    assert parent_code("330599101201") == "330599101000"
    assert parent_code("330599101000") == "330599000000"
    assert parent_code("330599000000") is None
