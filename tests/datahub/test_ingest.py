"""Checking files against 村人口's schema: every error by row, column and rule, valid rows typed.

No database: the dataset is described by a ``Spec``, as jobs and benchmarks describe it.
"""

from __future__ import annotations

import codecs
import io
from datetime import datetime
from pathlib import Path
from typing import Any

import frictionless
import openpyxl
import pyarrow as pa
import pytest

from tests.datahub.conftest import DONGSHAN, FIELDS, HEADER, XIWU, csv_bytes
from zhili.datahub.ingest import (
    Result,
    Spec,
    ingest_file,
    ingest_records,
    read_errors,
    read_staged,
)
from zhili.datahub.schema import schema_normalise

ARROW = pa.schema(
    [
        ("division_code", pa.string()),
        ("period", pa.string()),
        ("population", pa.int64()),
        ("households", pa.int64()),
        ("migrant_workers", pa.int64()),
    ]
)


def spec(**over: Any) -> Spec:
    schema = schema_normalise({"fields": over.pop("fields", FIELDS)}, frequency="monthly")
    return Spec(
        fields=schema["fields"],
        frequency="monthly",
        level="village",
        division_codes={DONGSHAN, XIWU},
        arrow_schema=over.pop("arrow_schema", ARROW),
    )


def ingest(tmp_path: Path, content: bytes, name: str = "村人口.csv", **kw: Any) -> Result:
    path = tmp_path / name
    path.write_bytes(content)
    return ingest_file(
        path,
        name,
        kw.pop("spec", None) or spec(),
        staged=tmp_path / "staged.arrow",
        errors_csv=tmp_path / "errors.csv",
    )


def staged(tmp_path: Path) -> list[dict[str, Any]]:
    return read_staged(tmp_path / "staged.arrow").to_pylist()


def messages(result: Result) -> list[str]:
    return [e["message"] for e in result.errors]


def test_it_names_the_row_column_and_rule_of_each_error(tmp_path: Path) -> None:
    result = ingest(
        tmp_path,
        csv_bytes(
            f"{DONGSHAN},2025-01,1200,400,30",
            f"{XIWU},2025-01,800,260,12",
            f"{DONGSHAN},2025-02,1210,401,31",
            f"{XIWU},2025-02,-3,1.5,abc",
        ),
    )
    assert (result.total_rows, result.valid_rows, result.error_count) == (4, 3, 3)
    assert messages(result) == [
        "第5行 C列“常住人口”：值“-3”小于最小值0",
        "第5行 D列“户数”：值“1.5”不是整数",
        "第5行 E列“外出务工人数”：值“abc”不是整数",
    ]
    first = result.errors[0]
    assert (first["row"], first["column"], first["header"], first["field"]) == (
        5, "C", "常住人口", "population",
    )  # fmt: skip
    assert (first["rule"], first["rule_label"], first["value"]) == ("minimum", "最小值", "-3")


def test_it_stages_the_valid_rows_typed_as_the_version_will_be(tmp_path: Path) -> None:
    ingest(tmp_path, csv_bytes(f"{DONGSHAN},2025-01,1200,,30", f"{XIWU},2025-01,-1,2,3"))
    table = read_staged(tmp_path / "staged.arrow")
    assert table.schema == ARROW
    assert table.to_pylist() == [
        {"division_code": DONGSHAN, "period": "2025-01", "population": 1200,
         "households": None, "migrant_workers": 30},
    ]  # fmt: skip


def test_it_checks_villages_periods_and_required_cells(tmp_path: Path) -> None:
    result = ingest(
        tmp_path,
        csv_bytes(
            "330599999999,2025-01,1,1,1",
            f"{DONGSHAN},2025-13,1,1,1",
            f"{DONGSHAN},2025-3,1,1,1",
            ",2025-04,1,1,1",
            f"{DONGSHAN},2025-05,,1,1",
        ),
    )
    assert messages(result) == [
        "第2行 A列“区划代码”：区划代码“330599999999”不是本地已登记的行政村",
        "第3行 B列“统计期”：统计期“2025-13”格式不对，按月数据应写作“2025-03”",
        "第4行 B列“统计期”：统计期“2025-3”格式不对，按月数据应写作“2025-03”",
        "第5行 A列“区划代码”：必填，不能为空",
        "第6行 C列“常住人口”：必填，不能为空",
    ]
    assert [e["rule"] for e in result.errors] == [
        "division", "period", "period", "required", "required",
    ]  # fmt: skip
    assert result.valid_rows == 0


def test_it_reports_a_repeated_village_and_month_on_every_row(tmp_path: Path) -> None:
    result = ingest(
        tmp_path,
        csv_bytes(
            f"{DONGSHAN},2025-01,1200,400,30",
            f"{XIWU},2025-01,800,260,12",
            f"{DONGSHAN},2025-01,1201,400,30",
            f"{DONGSHAN},2025-01,-5,400,30",
        ),
    )
    repeat = "区划代码“330599101201”、统计期“2025-01”的数据重复，共3行（第2、4、5行）"
    assert messages(result) == [
        f"第2行：{repeat}",
        f"第4行：{repeat}",
        f"第5行：{repeat}",
        "第5行 C列“常住人口”：值“-5”小于最小值0",
    ]
    assert [r["division_code"] for r in staged(tmp_path)] == [XIWU]


def test_it_matches_headers_by_title_with_the_unit_or_by_name_in_any_order(tmp_path: Path) -> None:
    header = "period,外出务工人数,常住人口（人）,division_code,户数"
    result = ingest(tmp_path, csv_bytes(f"2025-01,7,1200,{DONGSHAN},400", header=header))
    assert result.error_count == 0
    assert staged(tmp_path)[0] == {
        "division_code": DONGSHAN, "period": "2025-01", "population": 1200,
        "households": 400, "migrant_workers": 7,
    }  # fmt: skip


def test_it_stops_at_a_header_that_does_not_fit_naming_each_column(tmp_path: Path) -> None:
    header = "区划代码,村名,统计期,常住人口,常住人口"
    result = ingest(tmp_path, csv_bytes(f"{DONGSHAN},东山村,2025-01,1,1", header=header))
    assert result.fatal.startswith("表头与数据集的字段不符（4处）")
    assert messages(result) == [
        "第1行：缺少列“户数”（字段 households）",
        "第1行：缺少列“外出务工人数”（字段 migrant_workers）",
        "第1行 B列“村名”：不是本数据集的列，请删除或核对名称",
        "第1行 E列“常住人口”：与D列重复",
    ]
    assert result.valid_rows == 0


def test_it_reads_gbk_as_chinese_excel_saves_it(tmp_path: Path) -> None:
    content = csv_bytes(f"{DONGSHAN},2025-01,1200,400,30", f"{XIWU},2025-01,-1,2,3", encoding="gbk")
    result = ingest(tmp_path, content)
    assert result.encoding == "GBK/GB18030"
    assert messages(result) == ["第3行 C列“常住人口”：值“-1”小于最小值0"]


def test_it_reads_utf8_with_a_byte_order_mark_and_crlf(tmp_path: Path) -> None:
    content = codecs.BOM_UTF8 + f"{HEADER}\r\n{DONGSHAN},2025-01,1,2,3\r\n".encode()
    result = ingest(tmp_path, content)
    assert (result.encoding, result.valid_rows, result.error_count) == ("UTF-8", 1, 0)


def test_it_counts_rows_as_the_file_shows_them_across_blank_lines(tmp_path: Path) -> None:
    content = (
        f"{HEADER}\n{DONGSHAN},2025-01,1,1,1\n\n,,,,\n{XIWU},2025-01,-1,1,1\n\n"
        f"{DONGSHAN},2025-02,x,1,1\n"
    ).encode()
    result = ingest(tmp_path, content)
    assert messages(result) == [
        "第5行 C列“常住人口”：值“-1”小于最小值0",
        "第7行 C列“常住人口”：值“x”不是整数",
    ]
    assert (result.total_rows, result.valid_rows) == (3, 1)


def test_it_checks_every_cell_of_a_record_the_reader_could_not_parse(tmp_path: Path) -> None:
    result = ingest(
        tmp_path,
        csv_bytes(
            f"{DONGSHAN},2025-01,abc,-2,1",
            f"{XIWU},2025-01,1,2",
            f"{XIWU},2025-02,1,2,3,4",
        ),
    )
    assert messages(result) == [
        "第2行 C列“常住人口”：值“abc”不是整数",
        "第2行 D列“户数”：值“-2”小于最小值0",
        "第3行：列数不足，应有5列",
        "第4行：列数过多，应有5列",
    ]
    assert result.total_rows == 3 and result.valid_rows == 0


def test_it_numbers_rows_right_through_a_file_read_in_many_batches(tmp_path: Path) -> None:
    villages = [f"3305991012{v:02d}" for v in range(10)]
    rows = [f"{villages[i % 10]},{1000 + i // 120:04d}-{i // 10 % 12 + 1:02d},1,1,1"
            for i in range(300_000)]  # fmt: skip
    bad = {7: "-1", 150_001: "1.5", 299_998: "abc"}
    for i, value in bad.items():
        rows[i] = rows[i].replace(",1,1,1", f",{value},1,1")
    rows.insert(200_000, "")  # an empty line in the middle
    many = spec()
    many.division_codes = set(villages)
    result = ingest(tmp_path, csv_bytes(*rows), spec=many)
    assert [e["row"] for e in result.errors] == [9, 150_003, 300_001]
    assert [e["value"] for e in result.errors] == ["-1", "1.5", "abc"]
    assert result.valid_rows == 300_000 - 3


def test_it_reads_the_first_sheet_of_an_excel_workbook(tmp_path: Path) -> None:
    book = openpyxl.Workbook()
    sheet = book.active
    sheet.title = "一月"
    sheet.append(["清溪县村人口统计表"])
    sheet.append(["区划代码", "统计期", "常住人口", "户数", "外出务工人数"])
    sheet.append([330599101201, datetime(2025, 1, 1), 1200, 400.0, 30])
    sheet.append([None, None, None, None, None])
    sheet.append(["330599101202", "2025-01", -4, 260, "十二"])
    out = io.BytesIO()
    book.save(out)
    result = ingest(tmp_path, out.getvalue(), name="村人口.xlsx")
    assert messages(result) == [
        "工作表“一月”第5行 C列“常住人口”：值“-4”小于最小值0",
        "工作表“一月”第5行 E列“外出务工人数”：值“十二”不是整数",
    ]
    assert result.errors[0]["sheet"] == "一月"
    assert staged(tmp_path) == [
        {"division_code": DONGSHAN, "period": "2025-01", "population": 1200,
         "households": 400, "migrant_workers": 30},
    ]  # fmt: skip


@pytest.mark.parametrize(
    ("content", "name", "fatal"),
    [
        (b"", "a.csv", "文件是空的"),
        (b"\xff\xfea\x00", "a.csv", "文件是UTF-16编码"),
        (b"not a workbook", "a.xlsx", "无法打开Excel文件"),
        (b"PK\x03\x04 broken zip", "a.xlsx", "无法打开Excel文件"),
    ],
)
def test_it_says_why_a_file_cannot_be_read(
    tmp_path: Path, content: bytes, name: str, fatal: str
) -> None:
    result = ingest(tmp_path, content, name=name)
    assert result.fatal.startswith(fatal), result.fatal
    assert result.valid_rows == 0


def test_it_writes_every_error_to_a_csv_that_excel_opens(tmp_path: Path) -> None:
    rows = [f"{DONGSHAN},2025-{m:02d},-{m},1,1" for m in range(1, 13)]
    rows += [f"{XIWU},{y}-01,-1,1,1" for y in range(1800, 2050)]
    result = ingest(tmp_path, csv_bytes(*rows))
    assert result.error_count == 262 and len(result.errors) == 200
    raw = (tmp_path / "errors.csv").read_bytes()
    assert raw.startswith(codecs.BOM_UTF8)
    assert (
        raw.decode("utf-8-sig").splitlines()[0]
        == "行号,工作表,列,表头,字段,规则,规则说明,值,错误说明"
    )
    page = read_errors(tmp_path / "errors.csv", offset=250, limit=50)
    assert len(page) == 12
    assert page[-1]["row"] == 263 and page[-1]["message"].startswith("第263行 C列")


def test_it_checks_pushed_records_by_their_position(tmp_path: Path) -> None:
    result = ingest_records(
        [
            {"division_code": DONGSHAN, "period": "2025-01", "常住人口": 1200, "户数": 400},
            {"division_code": XIWU, "period": "2025-01", "常住人口": 1.5},
            {"division_code": XIWU, "period": "2025-02"},
            "not a record",
        ],
        spec(),
        staged=tmp_path / "staged.arrow",
        errors_csv=tmp_path / "errors.csv",
    )
    assert messages(result) == [
        "第2条记录 字段“常住人口”：值“1.5”不是整数",
        "第3条记录 字段“常住人口”：必填，不能为空",
        "第4条记录：应为一个对象（{字段: 值}）",
        "第4条记录 字段“division_code”：必填，不能为空",
        "第4条记录 字段“period”：必填，不能为空",
        "第4条记录 字段“常住人口”：必填，不能为空",
    ]
    assert staged(tmp_path) == [
        {"division_code": DONGSHAN, "period": "2025-01", "population": 1200,
         "households": 400, "migrant_workers": None},
    ]  # fmt: skip


def test_it_refuses_pushed_keys_that_are_not_fields(tmp_path: Path) -> None:
    result = ingest_records(
        [{"division_code": DONGSHAN, "period": "2025-01", "population": 1, "村名": "东山村"}],
        spec(),
        staged=tmp_path / "staged.arrow",
        errors_csv=tmp_path / "errors.csv",
    )
    assert result.fatal
    assert messages(result) == ["字段“村名”：不是本数据集的字段，请删除或核对名称"]


def test_it_checks_strings_dates_booleans_and_enums(tmp_path: Path) -> None:
    fields = [
        {"name": "grade", "title": "等级", "type": "string",
         "constraints": {"enum": ["甲", "乙"], "maxLength": 1}},
        {"name": "checked_on", "title": "核查日期", "type": "date",
         "constraints": {"minimum": "2025-01-01"}},
        {"name": "ok", "title": "达标", "type": "boolean"},
        {"name": "rate", "title": "比率", "type": "number",
         "constraints": {"minimum": 0.1, "maximum": 1}},
    ]  # fmt: skip
    arrow = pa.schema(
        [("division_code", pa.string()), ("period", pa.string()), ("grade", pa.string()),
         ("checked_on", pa.date32()), ("ok", pa.bool_()), ("rate", pa.float64())]
    )  # fmt: skip
    header = "区划代码,统计期,等级,核查日期,达标,比率"
    result = ingest(
        tmp_path,
        csv_bytes(
            f"{DONGSHAN},2025-01,甲,2025-02-03,是,0.5",
            f"{XIWU},2025-01,丙,2024-12-31,也许,0",
            f"{XIWU},2025-02,乙,2025-13-01,false,1.01",
            header=header,
        ),
        spec=spec(fields=fields, arrow_schema=arrow),
    )
    assert messages(result) == [
        "第3行 C列“等级”：值“丙”不在可选值（甲、乙）之中",
        "第3行 D列“核查日期”：值“2024-12-31”小于最小值2025-01-01",
        "第3行 E列“达标”：值“也许”不是是/否（true/false、1/0、是/否）",
        "第3行 F列“比率”：值“0”小于最小值0.1",
        "第4行 D列“核查日期”：值“2025-13-01”不是日期（如2025-03-01）",
        "第4行 F列“比率”：值“1.01”大于最大值1",
    ]
    row = staged(tmp_path)[0]
    assert (row["grade"], str(row["checked_on"]), row["ok"], row["rate"]) == (
        "甲", "2025-02-03", True, 0.5,
    )  # fmt: skip


def test_it_finds_the_errors_frictionless_finds(tmp_path: Path) -> None:
    """The SQL checks against the reference implementation, on type and constraint errors."""
    content = csv_bytes(
        f"{DONGSHAN},2025-01,1200,400,30",
        f"{XIWU},2025-01,-3,260,12",
        f"{DONGSHAN},2025-02,abc,401,31",
        f"{XIWU},2025-02,800,1.5,",
        f"{DONGSHAN},2025-03,,-7,x",
        f"{XIWU},2025-03,5,5,5",
        header="division_code,period,population,households,migrant_workers",
    )
    path = tmp_path / "data.csv"
    path.write_bytes(content)
    schema = schema_normalise({"fields": FIELDS}, frequency="monthly")
    resource = frictionless.Resource(
        path=path.name, basepath=str(tmp_path), schema=frictionless.Schema.from_descriptor(schema)
    )
    report = frictionless.validate(resource)
    theirs = {
        (e.row_number, e.field_number, "type" if e.type == "type-error" else "constraint")
        for e in report.tasks[0].errors
    }
    result = ingest(tmp_path, content, name="data.csv")
    columns = "ABCDE"
    ours = {
        (e["row"], columns.index(e["column"]) + 1, "type" if e["rule"] == "type" else "constraint")
        for e in result.errors
    }
    assert ours == theirs
    assert len(ours) == 6
