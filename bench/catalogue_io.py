"""Time to import and export 1,000 catalogue items, in Excel and JSON.

    .venv/bin/python bench/catalogue_io.py [--items 1000]

Runs against a fresh SQLite file under /tmp (never the project's database),
prints the figures and asserts nothing.
"""

from __future__ import annotations

import argparse
import copy
import os
import shutil
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parents[1]


def setup_django(db_path: Path) -> None:
    os.environ["DATABASE_URL"] = f"sqlite:///{db_path}"
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "zhili.settings")
    os.environ.setdefault("ZHILI_BASIC_CODE_PATTERN", r"\d{12}")
    os.environ.setdefault("ZHILI_IMPL_CODE_PATTERN", r"[0-9A-HJ-NPQRTUWXY]{18}<basic>\d{3}")
    sys.path.insert(0, str(REPO / "src"))
    sys.path.insert(0, str(REPO))
    import django

    django.setup()
    from django.core.management import call_command

    call_command("migrate", verbosity=0)


def documents(n: int) -> list[dict[str, Any]]:
    from tests.factories import item_doc

    base = item_doc()
    out = []
    for i in range(n):
        doc = copy.deepcopy(base)
        basic = f"{i + 1:012d}"
        doc["basic_code"] = basic
        doc["impl_code"] = f"11330599MB0000001U{basic}001"
        doc["name"] = f"{base['name']}（{i + 1}）"
        doc["department"] = "SCJG" if i % 2 else "ZRZY"
        out.append(doc)
    return out


def timed(label: str, func: Callable[[], Any]) -> Any:
    start = time.perf_counter()
    result = func()
    print(f"  {label:<44} {time.perf_counter() - start:7.2f} s")
    return result


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--items", type=int, default=1000)
    args = parser.parse_args()
    tmp = Path(tempfile.mkdtemp(prefix="zhili-bench-"))
    try:
        setup_django(tmp / "bench.sqlite3")
        run(args.items, tmp)
    finally:
        shutil.rmtree(tmp, ignore_errors=True)


def run(count: int, tmp: Path) -> None:

    from zhili.catalogue.imports import export_items, import_upload
    from zhili.catalogue.io_excel import documents_workbook, export_workbook
    from zhili.catalogue.io_json import documents_json, export_json
    from zhili.catalogue.models import ItemVersion, ServiceItem
    from zhili.divisions.models import Department, Division

    county = Division.objects.create(code="330599000000", name="清溪县", level="county")
    for code in ("SCJG", "ZRZY"):
        Department.objects.create(code=code, name=code, division=county)

    docs = documents(count)
    n = len(docs)
    print(f"{n} items, SQLite at {tmp / 'bench.sqlite3'}")
    xlsx = timed("build workbook from documents", lambda: documents_workbook(docs))
    print(f"  (workbook {len(xlsx) / 1024:.0f} KiB)")

    def import_xlsx(publish: bool) -> Any:
        return import_upload(data=xlsx, filename="目录.xlsx", actor=None, publish=publish)

    report = timed("import xlsx, publish, into an empty catalogue", lambda: import_xlsx(True))
    assert report.ok, report.problems[:5]
    report = timed("import the same xlsx again (all unchanged)", lambda: import_xlsx(True))
    assert report.unchanged == n
    items = list(export_items())
    timed("export xlsx", lambda: export_workbook(export_items()))
    text = timed("export json", lambda: export_json(export_items()))
    print(f"  (json {len(text.encode()) / 1024:.0f} KiB, {len(items)} items)")

    ServiceItem.objects.update(current=None, draft=None, parent=None)
    ItemVersion.objects.all().delete()
    ServiceItem.objects.all().delete()
    data = documents_json(docs).encode()
    report = timed(
        "import json, publish, into an empty catalogue",
        lambda: import_upload(data=data, filename="目录.json", actor=None, publish=True),
    )
    assert report.ok
    report = timed(
        "import json, drafts only, every item changed",
        lambda: import_upload(
            data=documents_json([dict(d, promised_days=2) for d in docs]).encode(),
            filename="目录.json",
            actor=None,
            publish=False,
        ),
    )
    assert report.updated == n


if __name__ == "__main__":
    main()
