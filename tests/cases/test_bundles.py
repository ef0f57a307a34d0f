"""一件事: 王芳 opens a shop — a business licence and the premises registration in one go."""

from __future__ import annotations

from typing import Any

import pytest
from django.core.exceptions import PermissionDenied

from tests.cases.conftest import pdf
from tests.conftest import County
from tests.factories import PDF_BYTES, item_doc
from zhili.audit.models import AuditEntry
from zhili.cases.bundles import bundle_cases, bundle_materials, bundle_submit
from zhili.cases.materials import MaterialInput
from zhili.cases.models import Applicant, BundleApplication, Case, CaseMaterial, StoredFile
from zhili.cases.services import CaseInvalid
from zhili.catalogue.models import Bundle, BundleItem, ServiceItem

PREMISES = "11330599MB0000002X000112233004001"


def premises_doc() -> dict[str, Any]:
    """不动产登记（经营场所）of 自然资源局: asks for 经营者身份证 too, as its M1."""
    return item_doc(
        impl_code=PREMISES, basic_code="000112233004", name="不动产登记（经营场所）",
        department="ZRZY", keywords=[], themes=[], result_type="其他", result_name="",
        online_depth="三级（网上预审）", situations=[],
        materials=[
            {
                "code": "M1", "name": "经营者 身份证", "form": ["原件"], "copies": 0,
                "necessity": "必要", "source": "电子证照库调取", "elicence": "居民身份证",
                "uploadable": True, "blank_form": "", "sample": "", "standard": "", "when": [],
            },
            {
                "code": "M2", "name": "不动产权属证明", "form": ["原件"], "copies": 1,
                "necessity": "必要", "source": "政府部门核发", "elicence": "", "uploadable": True,
                "blank_form": "", "sample": "", "standard": "", "when": [],
            },
        ],
    )  # fmt: skip


@pytest.fixture
def premises_item(county: County) -> ServiceItem:
    doc = premises_doc()
    from zhili.catalogue.services import item_draft_save, item_publish

    version = item_draft_save(document=doc, actor=county.liuqiang)
    return item_publish(item=version.item, actor=county.liuqiang).item


@pytest.fixture
def shop(county: County, licence_item: ServiceItem, premises_item: ServiceItem) -> Bundle:
    bundle = Bundle.objects.create(code="B_KD", name="我要开小店", audience="自然人")
    BundleItem.objects.create(bundle=bundle, item=licence_item, order=1)
    BundleItem.objects.create(bundle=bundle, item=premises_item, order=2)
    return bundle


def answers(licence_item: ServiceItem) -> dict[str, dict[str, str]]:
    return {licence_item.impl_code: {"S1": "A", "S2": "A"}, PREMISES: {}}


def papers(*leave_out: str) -> dict[str, MaterialInput]:
    """The three papers of the bundle, each uploaded once under its shared key."""
    given = {
        "个体工商户登记申请书": MaterialInput("个体工商户登记申请书", upload=pdf("申请书.pdf")),
        "经营者身份证": MaterialInput("经营者身份证", upload=pdf("身份证.pdf", PDF_BYTES + b"id")),
        "不动产权属证明": MaterialInput("不动产权属证明", upload=pdf("产权证.pdf", PDF_BYTES + b"bdc")),
    }  # fmt: skip
    return {k: v for k, v in given.items() if k not in leave_out}


def submit(
    county: County, bundle: Bundle, licence_item: ServiceItem, **kw: Any
) -> BundleApplication:
    return bundle_submit(
        bundle=bundle,
        actor=kw.pop("actor", county.wangfang),
        channel=kw.pop("channel", "online"),
        applicant=kw.pop("applicant"),
        answers=kw.pop("answers", answers(licence_item)),
        materials=kw.pop("materials", papers()),
        idempotency_key=kw.pop("idempotency_key", "kd-1"),
    )


def test_it_lists_a_material_two_items_need_once(shop: Bundle, licence_item: ServiceItem) -> None:
    checklist = bundle_materials(shop, {licence_item.impl_code: {"S1": "B", "S2": "A"}})
    by_key = {e.key: e for e in checklist}
    assert list(by_key) == [
        "个体工商户登记申请书",
        "经营者身份证",
        "委托书及受托人身份证",
        "不动产权属证明",
    ]
    assert by_key["经营者身份证"].codes == [(licence_item.impl_code, "M2"), (PREMISES, "M1")]
    assert by_key["经营者身份证"].error_fields() == [
        f"items.{licence_item.impl_code}.materials.M2", f"items.{PREMISES}.materials.M1",
    ]  # fmt: skip
    # Without the answer that asks for a proxy, no 委托书.
    plain = bundle_materials(shop, answers(licence_item))
    assert "委托书及受托人身份证" not in {e.key for e in plain}


def test_it_files_one_linked_case_per_item_with_materials_entered_once(
    county: County, shop: Bundle, licence_item: ServiceItem, premises_item: ServiceItem,
    wangfang: Applicant,
) -> None:  # fmt: skip
    app = submit(county, shop, licence_item, applicant=wangfang)
    cases = bundle_cases(app)
    assert [c.item for c in cases] == [licence_item, premises_item]
    assert [c.department for c in cases] == [county.scjg, county.zrzy]
    assert all(c.bundle_application == app and c.applicant == wangfang for c in cases)
    id_card = CaseMaterial.objects.filter(
        case__in=cases, name__in=["经营者身份证", "经营者 身份证"]
    )
    assert sorted(id_card.values_list("code", flat=True)) == ["M1", "M2"]
    assert len({m.file_id for m in id_card}) == 1  # one file, handed to both items
    assert {m.via for m in id_card} == {CaseMaterial.UPLOAD}
    assert StoredFile.objects.filter(applicant=wangfang).count() == 3
    assert AuditEntry.objects.filter(action="bundle.submit", object_id=str(app.ref)).exists()


def test_it_files_a_retried_application_once(
    county: County, shop: Bundle, licence_item: ServiceItem, wangfang: Applicant
) -> None:
    first = submit(county, shop, licence_item, applicant=wangfang)
    again = submit(county, shop, licence_item, applicant=wangfang)
    assert again.pk == first.pk
    assert BundleApplication.objects.count() == 1
    assert Case.objects.count() == 2


def test_it_files_nothing_when_one_item_misses_a_material(
    county: County, shop: Bundle, licence_item: ServiceItem, wangfang: Applicant
) -> None:
    with pytest.raises(CaseInvalid) as exc:
        submit(county, shop, licence_item, applicant=wangfang, materials=papers("不动产权属证明"))
    assert exc.value.errors == {f"items.{PREMISES}.materials.M2": "必要材料，请上传或选择电子证照"}
    assert not Case.objects.exists()
    assert not BundleApplication.objects.exists()
    assert not CaseMaterial.objects.exists()
    # The same key once the paper is there: filed, not “already seen”.
    app = submit(county, shop, licence_item, applicant=wangfang)
    assert app.cases.count() == 2


def test_it_names_the_item_of_every_error(
    county: County, shop: Bundle, licence_item: ServiceItem, wangfang: Applicant
) -> None:
    bad = pdf("身份证.pdf", b"MZ\x90\x00 not a document")
    materials = papers() | {"经营者身份证": MaterialInput("经营者身份证", upload=bad)}
    with pytest.raises(CaseInvalid) as exc:
        submit(
            county, shop, licence_item, applicant=wangfang, materials=materials,
            answers={licence_item.impl_code: {"S1": "A"}},
        )  # fmt: skip
    errors = exc.value.errors
    assert (
        errors[f"items.{licence_item.impl_code}.answers.S2"] == "请回答“经营场所是否为自有房产？”"
    )
    assert "文件内容不是" in errors[f"items.{licence_item.impl_code}.materials.M2"]
    assert "文件内容不是" in errors[f"items.{PREMISES}.materials.M1"]
    assert not Case.objects.exists()


def test_it_refuses_a_material_or_an_item_the_bundle_does_not_have(
    county: County, shop: Bundle, licence_item: ServiceItem, wangfang: Applicant
) -> None:
    extra = papers() | {"房屋租赁合同": MaterialInput("房屋租赁合同", upload=pdf())}
    with pytest.raises(CaseInvalid) as exc:
        submit(
            county, shop, licence_item, applicant=wangfang, materials=extra,
            answers=answers(licence_item) | {"X123": {}},
        )  # fmt: skip
    assert exc.value.errors == {
        "materials.房屋租赁合同": "所选情形下本一件事不需要此材料",
        "items.X123": "本一件事不包含此事项",
    }
    assert not StoredFile.objects.exists()  # refused before anything was stored


def test_it_keeps_a_clerk_from_filing_a_bundle_online(
    county: County, shop: Bundle, licence_item: ServiceItem, wangfang: Applicant
) -> None:
    with pytest.raises(PermissionDenied):
        submit(county, shop, licence_item, applicant=wangfang, actor=county.zhangwei)
    assert not StoredFile.objects.exists() and not Case.objects.exists()
