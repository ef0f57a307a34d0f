from __future__ import annotations

import pytest
from django.core.exceptions import ValidationError
from stdnum.cn import uscc

from zhili.divisions.models import Department, Division


def test_it_accepts_a_village_under_its_town(county):
    county.village.full_clean()
    assert county.village.full_name() == "清溪县东山镇东山村"


def test_it_refuses_a_village_filed_under_the_wrong_town(county):
    other_town = Division.objects.create(
        code="330599102000", name="西山镇", level="town", parent=county.county
    )
    stray = Division(code="330599101203", name="南坞村", level="village", parent=other_town)
    with pytest.raises(ValidationError) as exc:
        stray.full_clean()
    assert "330599101000" in str(exc.value.message_dict["parent"])


def test_it_refuses_a_level_that_contradicts_the_code(county):
    wrong = Division(code="330599101205", name="错层村", level="town", parent=county.town)
    with pytest.raises(ValidationError) as exc:
        wrong.full_clean()
    assert "level" in exc.value.message_dict


def test_it_checks_the_department_credit_code(county):
    good = "11330599" + "MB0000002"
    good += uscc.calc_check_digit(good)
    Department(
        code="MZ", name="清溪县民政局", division=county.county, credit_code=good
    ).full_clean()
    bad = Department(
        code="MZ2", name="清溪县民政局", division=county.county, credit_code=good[:-1] + "0"
    )
    if good[-1] == "0":
        bad.credit_code = good[:-1] + "1"
    with pytest.raises(ValidationError, match="统一社会信用代码"):
        bad.full_clean()
