"""Table Schemas: what a steward may declare, how it is stored, and how it reads in Chinese."""

from __future__ import annotations

import pytest

from tests.datahub.conftest import FIELDS
from zhili.datahub.schema import (
    SchemaInvalid,
    field_rows,
    header_aliases,
    schema_normalise,
    schema_problems,
)


def test_it_puts_the_key_fields_first_and_declares_the_primary_key() -> None:
    schema = schema_normalise({"fields": FIELDS}, frequency="quarterly")
    names = [f["name"] for f in schema["fields"]]
    assert names == ["division_code", "period", "population", "households", "migrant_workers"]
    assert schema["primaryKey"] == ["division_code", "period"]
    period = schema["fields"][1]
    assert period["constraints"]["pattern"] == "[0-9]{4}Q[1-4]"
    assert period["title"] == "统计期"


def test_it_ignores_key_fields_a_steward_declares_again() -> None:
    mine = [{"name": "period", "type": "integer"}, *FIELDS]
    schema = schema_normalise({"fields": mine}, frequency="monthly")
    assert schema["fields"][1]["type"] == "string"
    assert len(schema["fields"]) == 5


def test_it_reads_a_schema_given_as_json_text() -> None:
    text = '{"fields": [{"name": "收入", "type": "number", "constraints": {"minimum": 0}}]}'
    schema = schema_normalise(text, frequency="yearly")
    assert schema["fields"][2] == {"name": "收入", "type": "number", "constraints": {"minimum": 0}}


@pytest.mark.parametrize(
    ("fields", "expected"),
    [
        ([], "至少需要一个数据字段"),
        ([{"name": "1人口", "type": "integer"}], "字段名须以字母或汉字开头"),
        ([{"name": "a", "type": "integer"}, {"name": "a", "type": "number"}], "字段名与第1个字段重复"),
        ([{"name": "a", "type": "geopoint"}], "不支持类型“geopoint”"),
        ([{"name": "a", "type": "integer", "constraints": {"minimum": "零"}}], "“最小值”应为数字"),
        ([{"name": "a", "type": "integer", "constraints": {"minimum": 5, "maximum": 1}}], "最小值5大于最大值1"),
        ([{"name": "a", "type": "integer", "constraints": {"pattern": "x"}}], "不支持约束“格式”"),
        ([{"name": "a", "type": "string", "constraints": {"pattern": "(["}}], "不是有效的正则表达式"),
        ([{"name": "a", "type": "string", "constraints": {"enum": []}}], "“可选值”应为非空列表"),
        ([{"name": "a", "title": "甲"}, {"name": "b", "title": "甲"}], "标题“甲”与第1个字段重复"),
    ],
)  # fmt: skip
def test_it_names_what_is_wrong_with_a_schema_in_chinese(fields: list, expected: str) -> None:
    problems = schema_problems({"fields": fields})
    assert any(expected in p for p in problems), problems
    with pytest.raises(SchemaInvalid) as caught:
        schema_normalise({"fields": fields}, frequency="monthly")
    assert caught.value.problems == problems


def test_it_refuses_json_that_does_not_parse() -> None:
    with pytest.raises(SchemaInvalid) as caught:
        schema_normalise('{"fields": [', frequency="monthly")
    assert "不是有效的 JSON" in caught.value.problems[0]


def test_it_labels_types_and_constraints_in_chinese() -> None:
    rows = field_rows(schema_normalise({"fields": FIELDS}, frequency="monthly"))
    population = rows[2]
    assert population["title"] == "常住人口"
    assert population["type_label"] == "整数"
    assert population["constraints"] == ["必填", "≥ 0"]
    assert population["unit"] == "人"
    assert rows[0]["key"] and not population["key"]
    enum = field_rows(
        {"fields": [{"name": "等级", "type": "string", "constraints": {"enum": ["甲", "乙"]}}]}
    )
    assert enum[0]["constraints"] == ["可选值：甲、乙"]


def test_it_lets_a_header_name_a_field_by_its_title_with_or_without_the_unit() -> None:
    aliases = header_aliases(FIELDS[0])
    assert {"population", "常住人口", "常住人口（人）", "常住人口(人)"} <= aliases
