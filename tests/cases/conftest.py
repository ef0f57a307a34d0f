"""Cases of 清溪县: 王芳 applies for a 个体工商户 licence, then a food licence."""

from __future__ import annotations

from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from tests.conftest import County
from tests.factories import PDF_BYTES, food_doc, item_doc
from zhili.cases.materials import MaterialInput
from zhili.cases.models import Applicant, Case
from zhili.cases.services import applicant_get_or_create, case_submit
from zhili.catalogue.models import ServiceItem
from zhili.catalogue.services import item_draft_save, item_publish


def publish(county: County, doc: dict[str, Any]) -> ServiceItem:
    version = item_draft_save(document=doc, actor=county.zhaomin)
    return item_publish(item=version.item, actor=county.zhaomin).item


def pdf(name: str = "材料.pdf", content: bytes = PDF_BYTES) -> SimpleUploadedFile:
    return SimpleUploadedFile(name, content, content_type="application/pdf")


@pytest.fixture
def licence_item(county: County) -> ServiceItem:
    """个体工商户设立登记: concludes with a 营业执照 e-licence."""
    return publish(county, item_doc())


@pytest.fixture
def food_item(county: County, licence_item: ServiceItem) -> ServiceItem:
    return publish(county, food_doc())


@pytest.fixture
def wangfang(county: County) -> Applicant:
    return applicant_get_or_create(
        kind=Applicant.PERSON,
        id_number=county.wangfang_id,
        name="王芳",
        phone="13805720001",
        user=county.wangfang,
        division=county.village,
    )


def apply_online(county: County, item: ServiceItem, applicant: Applicant, **kw: Any) -> Case:
    """王芳 applies online for herself, as the owner of the premises (no proxy, no lease)."""
    materials = kw.pop(
        "materials",
        {
            "M1": MaterialInput("M1", upload=pdf()),
            "M2": MaterialInput("M2", upload=pdf("身份证.pdf", PDF_BYTES + b"id")),
        },
    )
    case, _created = case_submit(
        item=item,
        actor=county.wangfang,
        channel=kw.pop("channel", "online"),
        applicant=applicant,
        answers=kw.pop("answers", {"S1": "A", "S2": "A"}),
        materials=materials,
        **kw,
    )
    return case
