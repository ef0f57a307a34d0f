"""A report's three files from its facts: HTML (Django template), PDF (WeasyPrint), Excel.

The PDF is the same HTML printed by WeasyPrint with Noto Sans SC embedded.
Fonts: the vendored ``@fontsource/noto-sans-sc`` package splits the font into
a hundred files by unicode-range, all with the family "Noto Sans SC". With
the Pango of Debian 12 (1.50) WeasyPrint files every face of one family and
weight under a single PDF font, so glyphs of one subset are drawn with
another subset's outlines (东山村 printed as nonsense). The PDF therefore
uses the package's one-file "chinese-simplified" face (7,900 characters:
ASCII, punctuation and the GB 2312 hanzi) as "Noto Sans SC", and for a rare
character outside it (垟) adds the numbered subset that holds it under a
family name of its own ("Noto Sans SC 57"), so no two faces share a PDF font.

Reading a font face costs time, so one ``FontConfiguration`` and its
stylesheets are made once per process and every PDF reuses them: a report
then prints in tens of milliseconds.
"""

from __future__ import annotations

import atexit
import base64
import hashlib
import io
import os
import re
import tempfile
import threading
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from django.contrib.staticfiles import finders
from django.template.loader import render_to_string
from django.utils.safestring import mark_safe

from zhili.datahub import report_charts as charts
from zhili.datahub.reports import (
    IndicatorFacts,
    ReportFacts,
    anomaly_sentence,
    change_text,
    indicator_sentence,
    period_label,
    verdict,
)

FONT_CSS = ("vendor/noto-sans-sc/400.css", "vendor/noto-sans-sc/700.css")
FONT_FAMILY = "Noto Sans SC"
BASE_FACE = "noto-sans-sc-chinese-simplified-{weight}-normal.woff2"
WEIGHTS = (400, 700)
SCREEN_FONTS = f"'{FONT_FAMILY}', sans-serif"
_font_lock = threading.RLock()


def report_title(facts: ReportFacts, kind: str = "monthly") -> str:
    return (
        f"{facts.division_name}{facts.period_label}数据{'专报' if kind == 'on_demand' else '月报'}"
    )


# ---- HTML ----


@dataclass
class Row:
    """One line of the indicator table, formatted."""

    item: IndicatorFacts
    value: str
    mom: str
    yoy: str
    verdict: str
    rank: str
    rank_in_parent: str
    compare: str
    sentence: str


def _signed(
    item: IndicatorFacts, current: float | None, base: float | None, pct: float | None
) -> str:
    change = change_text(item, current, base, pct)
    if not change:
        return "—"
    if change == "持平":
        return change
    sign = "+" if change.startswith(("增长", "上升")) else "-"
    return sign + change[2:]


def _rows(facts: ReportFacts) -> list[Row]:
    rows = []
    for item in facts.indicators:
        compare = ""
        if facts.division_level != "county":
            if item.ratio:
                parts = []
                if facts.division_level == "village":
                    parts.append(f"{facts.parent_name} {item.fmt(item.parent_value)}")
                parts.append(f"全县 {item.fmt(item.county_value)}")
                compare = "；".join(parts)
            elif item.share_of_parent is not None:
                compare = f"占{facts.parent_name} {item.share_of_parent:.1f}%"
        rows.append(
            Row(
                item=item,
                value=item.fmt(item.value),
                mom=_signed(item, item.value, item.previous, item.mom),
                yoy=_signed(item, item.value, item.year_ago, item.yoy)
                if item.frequency != "yearly"
                else "—",
                verdict=verdict(item),
                rank=f"{item.rank}/{item.rank_of}" if item.rank else "—",
                rank_in_parent=f"{item.rank_in_parent}/{item.rank_in_parent_of}"
                if item.rank_in_parent
                else "—",
                compare=compare or "—",
                sentence=indicator_sentence(facts, item),
            )
        )
    return rows


def _image(svg: str) -> str:
    return "data:image/svg+xml;base64," + base64.b64encode(svg.encode()).decode()


def _charts(facts: ReportFacts, font: str, *, pdf: bool) -> list[dict[str, Any]]:
    """The key indicators' charts; for WeasyPrint as images (it parses them faster than inline)."""
    out = []
    for item in facts.key_indicators():
        periods = [p for p, _ in item.series]
        line = charts.line_chart(
            periods=periods,
            values=[v for _, v in item.series],
            unit=item.unit,
            decimals=item.decimals,
            label=f"{item.name}近{len(periods)}期走势",
            font=font,
        )
        bars = charts.bar_chart(
            items=[(p.name, p.value, p.code == facts.division_code) for p in item.peers],
            unit=item.unit,
            decimals=item.decimals,
            label=f"{facts.peers_title}{item.name}排名",
            font=font,
        )
        out.append(
            {
                "item": item,
                "line": _image(line) if pdf else mark_safe(line),  # every text escaped
                "bars": _image(bars) if pdf else mark_safe(bars),
                "first": period_label(periods[0]) if periods else "",
                "last": period_label(item.period),
            }
        )
    return out


def _mover_lines(facts: ReportFacts) -> list[str]:
    """乡村旅游接待人次：12,345人次，环比增长45.2%（向好）."""
    lines = []
    for code in facts.movers:
        item = facts.indicator(code)
        word = verdict(item)
        change = change_text(item, item.value, item.previous, item.mom)
        lines.append(
            f"{item.name}：{item.fmt(item.value)}，环比{change}" + (f"（{word}）" if word else "")
        )
    return lines


def report_context(
    facts: ReportFacts, *, kind: str = "monthly", pdf: bool = False
) -> dict[str, Any]:
    """What the template shows: sentences, charts and the formatted table.

    ``pdf``: for WeasyPrint, with the font families that cover every character
    of the report and without the web font links.
    """
    fonts = pdf_fonts(facts_text(facts)) if pdf else SCREEN_FONTS
    return {
        "facts": facts,
        "title": report_title(facts, kind),
        "kind": kind,
        "pdf": pdf,
        "fonts": fonts,
        "summary": [indicator_sentence(facts, i) for i in facts.key_indicators()],
        "movers": _mover_lines(facts),
        "anomalies": [anomaly_sentence(facts, facts.indicator(c)) for c in facts.anomalies],
        "charts": _charts(facts, fonts, pdf=pdf),
        "rows": _rows(facts),
        "village": facts.division_level == "village",
        "county": facts.division_level == "county",
        "font_css": FONT_CSS,
    }


def render_html(facts: ReportFacts, *, kind: str = "monthly", pdf: bool = False) -> str:
    """The report as one HTML document (``pdf``: the variant WeasyPrint prints)."""
    return render_to_string("reports/report.html", report_context(facts, kind=kind, pdf=pdf))


def facts_text(facts: ReportFacts) -> str:
    """Every name a report prints that the template does not: what the fonts must cover."""
    names = [facts.division_full_name, facts.parent_name, facts.county_name, facts.peers_title]
    for item in facts.indicators:
        names += [item.name, item.unit, item.category, item.anomaly]
        names += [p.name for p in item.peers]
    return "".join(names)


# ---- PDF ----


@dataclass
class _Fonts:
    config: Any  # weasyprint.text.fonts.FontConfiguration
    sheets: list[Any]  # weasyprint.CSS
    folder: Path
    covered: frozenset[int]  # code points of the base face
    subsets: list[tuple[str, list[tuple[int, int]]]]  # (file stem, unicode ranges) of 400.css
    families: dict[str, str]  # file stem → family name, for the subsets loaded so far


def _font_dir() -> Path:
    found = finders.find(FONT_CSS[0])
    if not found:
        raise RuntimeError(
            "中文字体 Noto Sans SC 缺失（static/vendor/noto-sans-sc/）：请先运行 zhili assets"
        )
    return Path(str(found)).parent


def _face(family: str, path: Path, weight: int) -> str:
    kind = "woff2" if path.suffix == ".woff2" else "truetype"
    return (
        f"@font-face {{ font-family: '{family}'; font-style: normal; font-weight: {weight};"
        f" src: url('{path.as_uri()}') format('{kind}'); }}\n"
    )


def _truetype(woff2: Path) -> Path:
    """The face as a plain TrueType file, decompressed once per machine.

    Unpacking the 1 MB woff2 takes fontTools several seconds (it rebuilds
    every glyph in Python); WeasyPrint would do it in every process.
    """
    data = woff2.read_bytes()
    digest = hashlib.sha256(data).hexdigest()[:16]
    target = Path(tempfile.gettempdir()) / "zhili-fonts" / f"{woff2.stem}-{digest}.ttf"
    if not target.exists():
        from fontTools.ttLib import woff2 as codec

        target.parent.mkdir(parents=True, exist_ok=True)
        out = io.BytesIO()
        codec.decompress(io.BytesIO(data), out)
        partial = target.with_suffix(f".{os.getpid()}.tmp")
        partial.write_bytes(out.getvalue())
        os.replace(partial, target)  # atomic: another process never reads half a font
    return target


def _subsets(css: str) -> list[tuple[str, list[tuple[int, int]]]]:
    out = []
    for block in re.findall(r"@font-face\s*{([^}]*)}", css):
        src = re.search(r"url\(\./files/([\w-]+)-400-normal\.woff2\)", block)
        ranges = re.search(r"unicode-range:\s*([^;]+);", block)
        if not src or not ranges:
            continue
        parsed = []
        for part in ranges.group(1).split(","):
            lo, _, hi = part.strip().removeprefix("U+").partition("-")
            parsed.append((int(lo, 16), int(hi or lo, 16)))
        out.append((src.group(1), parsed))
    return out


_FONTS: list[_Fonts] = []
# Let the font configuration remove its temporary folder before the interpreter tears down.
atexit.register(_FONTS.clear)


def _fonts() -> _Fonts:
    """The process's font configuration with the base face in both weights (a second, once)."""
    from fontTools.ttLib import TTFont
    from weasyprint import CSS
    from weasyprint.text.fonts import FontConfiguration

    with _font_lock:
        if _FONTS:
            return _FONTS[0]
        folder = _font_dir()
        config = FontConfiguration()
        files = {w: _truetype(folder / "files" / BASE_FACE.format(weight=w)) for w in WEIGHTS}
        sheet = CSS(
            string="".join(_face(FONT_FAMILY, path, w) for w, path in files.items()),
            font_config=config,
        )
        covered = frozenset(TTFont(files[400], lazy=True).getBestCmap())
        subsets = _subsets((folder / "400.css").read_text(encoding="utf-8"))
        _FONTS.append(_Fonts(config, [sheet], folder, covered, subsets, {}))
        return _FONTS[0]


def pdf_fonts(text: str) -> str:
    """The CSS font-family list that covers ``text``: the base face, then any subset it needs."""
    fonts = _fonts()
    stems: set[str] = set()
    for cp in {ord(ch) for ch in text}:
        if cp < 0x80 or cp in fonts.covered:
            continue
        stem = next(
            (s for s, ranges in fonts.subsets if any(a <= cp <= b for a, b in ranges)), None
        )
        if stem is not None:
            stems.add(stem)
    families = [FONT_FAMILY]
    for stem in sorted(stems):
        families.append(_subset_family(fonts, stem))
    return ", ".join(f"'{f}'" for f in families) + ", sans-serif"


def _subset_family(fonts: _Fonts, stem: str) -> str:
    from weasyprint import CSS

    with _font_lock:
        if stem not in fonts.families:
            family = f"{FONT_FAMILY} {stem.rsplit('-', 1)[-1]}"
            paths = {w: fonts.folder / "files" / f"{stem}-{w}-normal.woff2" for w in WEIGHTS}
            faces = "".join(_face(family, p, w) for w, p in paths.items() if p.exists())
            fonts.sheets.append(CSS(string=faces, font_config=fonts.config))
            fonts.families[stem] = family
        return fonts.families[stem]


def render_pdf(facts: ReportFacts, *, kind: str = "monthly") -> bytes:
    from weasyprint import HTML

    html = render_html(facts, kind=kind, pdf=True)  # first: it loads any font the report needs
    fonts = _fonts()
    document = HTML(string=html, base_url=fonts.folder.as_uri() + "/")
    pdf: bytes = document.write_pdf(stylesheets=list(fonts.sheets), font_config=fonts.config)
    return pdf


# ---- Excel ----


def _number_format(decimals: int) -> str:
    return "#,##0" + ("." + "0" * decimals if decimals else "")


def render_xlsx(facts: ReportFacts, *, kind: str = "monthly") -> bytes:
    """Two kinds of sheet: every indicator with its comparisons, and the series by frequency."""
    from openpyxl import Workbook
    from openpyxl.styles import Alignment, Font, PatternFill
    from openpyxl.utils import get_column_letter

    header_font = Font(bold=True, color="FFFFFF")
    header_fill = PatternFill("solid", fgColor="1D4ED8")
    pct = "+0.0%;-0.0%;0.0%"

    def header(ws: Any, titles: list[str], widths: list[int]) -> None:
        ws.append(titles)
        for col, width in enumerate(widths, start=1):
            cell = ws.cell(row=1, column=col)
            cell.font, cell.fill = header_font, header_fill
            cell.alignment = Alignment(horizontal="center", vertical="center", wrap_text=True)
            ws.column_dimensions[get_column_letter(col)].width = width
        ws.row_dimensions[1].height = 30

    wb = Workbook()
    ws = wb.active
    ws.title = "指标"
    titles = [
        "指标编码", "指标名称", "分类", "指标期", "数值", "单位", "上期值", "环比",
        "去年同期值", "同比", "全县排名", "参与排名数", "上级内排名", "上级值", "全县值", "异常提示",
    ]  # fmt: skip
    header(ws, titles, [16, 24, 12, 12, 14, 8, 14, 10, 14, 10, 10, 10, 10, 14, 14, 40])
    for item in facts.indicators:
        fmt = _number_format(item.decimals)
        ws.append(
            [
                item.code,
                item.name,
                item.category,
                period_label(item.period),
                item.value,
                item.unit,
                item.previous,
                None if item.mom is None else item.mom / 100,
                item.year_ago,
                None if item.yoy is None else item.yoy / 100,
                item.rank,
                item.rank_of or None,
                item.rank_in_parent,
                item.parent_value,
                item.county_value,
                item.anomaly or None,
            ]
        )
        r = ws.max_row
        for col in (5, 7, 9, 14, 15):
            ws.cell(row=r, column=col).number_format = fmt
        for col in (8, 10):
            ws.cell(row=r, column=col).number_format = pct
    ws.freeze_panes = "C2"
    ws.auto_filter.ref = f"A1:{get_column_letter(len(titles))}{max(ws.max_row, 1)}"

    names = {"monthly": "月度序列", "quarterly": "季度序列", "yearly": "年度序列"}
    for frequency, sheet_name in names.items():
        items = [i for i in facts.indicators if i.frequency == frequency]
        if not items:
            continue
        ws = wb.create_sheet(sheet_name)
        header(
            ws,
            ["期别", *(f"{i.name}（{i.unit}）" if i.unit else i.name for i in items)],
            [12, *(max(12, min(24, len(i.name) * 2 + 6)) for i in items)],
        )
        periods = sorted({p for i in items for p, _ in i.series})
        by_item = [dict(i.series) for i in items]
        for p in periods:
            ws.append([period_label(p), *(values.get(p) for values in by_item)])
            r = ws.max_row
            for col, item in enumerate(items, start=2):
                ws.cell(row=r, column=col).number_format = _number_format(item.decimals)
        ws.freeze_panes = "B2"

    wb.properties.title = report_title(facts, kind)
    wb.properties.creator = "智理数据中台"
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()
