"""Personal data: 王芳's identity number and phone are stored encrypted, indexed blind,
shown masked, and checked against their standards before they are stored."""

from __future__ import annotations

from typing import Any

import pytest
from cryptography.fernet import Fernet
from django.core.exceptions import ImproperlyConfigured, ValidationError

from tests.accounts.ids import credit_code, resident_id
from zhili.accounts import pii

WANGFANG_ID = resident_id("19850317", "024")
WANGFANG_PHONE = "13812345678"


# ---- encryption ----


def test_it_encrypts_and_decrypts_with_the_key_derived_from_the_secret(settings: Any) -> None:
    settings.ZHILI_PII_KEYS = []
    token = pii.encrypt(WANGFANG_ID)
    assert WANGFANG_ID not in token
    assert pii.decrypt(token) == WANGFANG_ID


def test_it_leaves_the_empty_string_empty() -> None:
    assert pii.encrypt("") == ""
    assert pii.decrypt("") == ""


def test_it_encrypts_each_time_differently() -> None:
    assert pii.encrypt(WANGFANG_PHONE) != pii.encrypt(WANGFANG_PHONE)


def test_it_keeps_non_ascii_text() -> None:
    assert pii.decrypt(pii.encrypt("清溪县人民路1号")) == "清溪县人民路1号"


def test_it_cannot_read_a_token_from_another_secret(settings: Any) -> None:
    settings.ZHILI_PII_KEYS = []
    token = pii.encrypt(WANGFANG_ID)
    settings.SECRET_KEY = "another deployment's secret key, quite long enough"
    with pytest.raises(pii.InvalidToken):
        pii.decrypt(token)


def test_it_encrypts_with_the_first_key_and_decrypts_with_any(settings: Any) -> None:
    old, new = Fernet.generate_key().decode(), Fernet.generate_key().decode()
    settings.ZHILI_PII_KEYS = [old]
    under_old = pii.encrypt(WANGFANG_ID)

    settings.ZHILI_PII_KEYS = [new, old]
    assert pii.decrypt(under_old) == WANGFANG_ID
    rotated = pii.rotate(under_old)
    settings.ZHILI_PII_KEYS = [new]
    assert pii.decrypt(rotated) == WANGFANG_ID
    with pytest.raises(pii.InvalidToken):
        pii.decrypt(under_old)


def test_it_names_a_malformed_key_without_showing_it(settings: Any) -> None:
    settings.ZHILI_PII_KEYS = [Fernet.generate_key().decode(), "not-a-key"]
    with pytest.raises(ImproperlyConfigured, match="key 2") as exc:
        pii.encrypt("x")
    assert "not-a-key" not in str(exc.value)


# ---- blind index ----


def test_it_indexes_the_same_number_the_same_way_however_written() -> None:
    index = pii.blind_index("id_number", WANGFANG_ID)
    assert len(index) == 64
    assert WANGFANG_ID not in index
    spaced = f" {WANGFANG_ID[:6]} {WANGFANG_ID[6:14]} {WANGFANG_ID[14:]} "
    assert pii.blind_index("id_number", spaced) == index
    full_width = WANGFANG_ID.translate(str.maketrans("0123456789", "０１２３４５６７８９"))
    assert pii.blind_index("id_number", full_width) == index


def test_it_indexes_a_lower_case_x_as_upper_case() -> None:
    number = resident_id("19491231", "002", region="110105")
    assert number.endswith("X")
    assert pii.blind_index("id_number", number.lower()) == pii.blind_index("id_number", number)


def test_it_indexes_a_value_differently_for_each_kind() -> None:
    assert pii.blind_index("phone", WANGFANG_PHONE) != pii.blind_index("id_number", WANGFANG_PHONE)


def test_it_indexes_a_phone_with_or_without_the_country_code() -> None:
    plain = pii.blind_index("phone", WANGFANG_PHONE)
    assert pii.blind_index("phone", "+86 138 1234 5678") == plain


def test_it_indexes_under_the_first_key_and_offers_the_old_ones(settings: Any) -> None:
    old, new = Fernet.generate_key().decode(), Fernet.generate_key().decode()
    settings.ZHILI_PII_KEYS = [old]
    stored = pii.blind_index("id_number", WANGFANG_ID)
    settings.ZHILI_PII_KEYS = [new, old]
    assert pii.blind_index("id_number", WANGFANG_ID) != stored
    assert pii.blind_indexes("id_number", WANGFANG_ID)[1] == stored


def test_it_indexes_differently_in_another_deployment(settings: Any) -> None:
    settings.ZHILI_PII_KEYS = []
    derived = pii.blind_index("id_number", WANGFANG_ID)
    settings.SECRET_KEY = "another deployment's secret key, quite long enough"
    assert pii.blind_index("id_number", WANGFANG_ID) != derived


# ---- masks ----


@pytest.mark.parametrize(
    ("value", "masked"),
    [
        ("110105194912310021", "110***********0021"),
        ("", ""),
        ("1234567", "*******"),
        ("12345678", "123*5678"),
    ],
)
def test_it_masks_identity_numbers(value: str, masked: str) -> None:
    assert pii.mask_id(value) == masked


@pytest.mark.parametrize(
    ("value", "masked"),
    [("13812345678", "138****5678"), ("", ""), ("110", "***"), ("12345", "*****")],
)
def test_it_masks_phones(value: str, masked: str) -> None:
    assert pii.mask_phone(value) == masked


@pytest.mark.parametrize(
    ("value", "masked"),
    [
        ("王芳", "王*"),
        ("张伟", "张*"),
        ("欧阳娜娜", "欧阳**"),
        ("欧阳修", "欧阳*"),
        ("欧阳", "欧*"),
        ("李", "*"),
        ("", ""),
        ("阿卜杜拉·买买提", "阿*******"),
    ],
)
def test_it_masks_names(value: str, masked: str) -> None:
    assert pii.mask_name(value) == masked


def test_it_masks_addresses_down_to_the_county() -> None:
    assert pii.mask_address("浙江省清溪县东山镇东山村12号") == "浙江省清溪县****"
    assert pii.mask_address("东山村") == "东****"
    assert pii.mask_address("") == ""


def test_masking_twice_changes_nothing() -> None:
    for mask, value in [
        (pii.mask_id, WANGFANG_ID),
        (pii.mask_phone, WANGFANG_PHONE),
        (pii.mask_address, "浙江省清溪县东山镇东山村12号"),
    ]:
        assert mask(mask(value)) == mask(value)


# ---- validators ----


def test_it_accepts_a_valid_resident_id_and_normalises_it() -> None:
    assert pii.validate_resident_id(f"  {WANGFANG_ID} ") == WANGFANG_ID
    assert pii.validate_resident_id("11010519491231002x") == "11010519491231002X"


def _error(validate: Any, value: str) -> ValidationError:
    with pytest.raises(ValidationError) as exc:
        validate(value)
    return exc.value


@pytest.mark.parametrize(
    ("value", "code", "says"),
    [
        ("", "required", "请填写身份证号"),
        (WANGFANG_ID[:-1], "length", "长度应为18位，现为17位"),
        (WANGFANG_ID + "1", "length", "长度应为18位"),
        ("330599850317024", "length", "15位的旧身份证号"),
        ("33059919850317A24X", "format", "前17位应为数字"),
        (WANGFANG_ID[:-1] + ("0" if WANGFANG_ID[-1] != "0" else "1"), "checksum", "校验位"),
        (resident_id("19851317", "024"), "birth_date", "出生日期"),
        (resident_id("19850230", "024"), "birth_date", "不是有效日期"),
        (resident_id("20991231", "024"), "birth_date", "晚于今天"),
        (resident_id("10850317", "024"), "birth_date", "早于1800年"),
        (resident_id("19850317", "024", region="990599"), "region", "地址码"),
    ],
)
def test_it_says_what_is_wrong_with_a_resident_id(value: str, code: str, says: str) -> None:
    error = _error(pii.validate_resident_id, value)
    assert error.code == code
    assert says in error.messages[0]


def test_its_resident_id_errors_never_repeat_the_number() -> None:
    bad = WANGFANG_ID[:-1] + ("0" if WANGFANG_ID[-1] != "0" else "1")
    assert bad not in _error(pii.validate_resident_id, bad).messages[0]


def test_it_accepts_valid_credit_codes() -> None:
    code = credit_code()
    assert pii.validate_credit_code(code.lower()) == code
    assert pii.validate_credit_code("91110000600037341L") == "91110000600037341L"
    # A village collective economic organisation: registered by 农业 (N).
    village = credit_code("N2330599MF1234567")
    assert pii.validate_credit_code(village) == village


@pytest.mark.parametrize(
    ("value", "code", "says"),
    [
        ("", "required", "请填写统一社会信用代码"),
        ("9133059912345", "length", "长度应为18位，现为13位"),
        ("91AB0599MA2B3C4D5X", "format", "第3至8位为行政区划代码"),
        ("91330599MA2B3C4DIX", "format", "不含I、O、Z、S、V"),
        ("91110000600037341K", "checksum", "校验位"),
    ],
)
def test_it_says_what_is_wrong_with_a_credit_code(value: str, code: str, says: str) -> None:
    error = _error(pii.validate_credit_code, value)
    assert error.code == code
    assert says in error.messages[0]


@pytest.mark.parametrize(
    ("value", "normalised"),
    [
        ("13812345678", "13812345678"),
        (" 138 1234 5678 ", "13812345678"),
        ("+86 138-1234-5678", "13812345678"),
        ("19912345678", "19912345678"),
    ],
)
def test_it_accepts_mainland_mobile_numbers(value: str, normalised: str) -> None:
    assert pii.validate_phone(value) == normalised


@pytest.mark.parametrize("value", ["1381234567", "12812345678", "0571-88881234", "138123456789"])
def test_it_refuses_what_is_not_a_mainland_mobile_number(value: str) -> None:
    assert "11位数字" in _error(pii.validate_phone, value).messages[0]


# ---- redaction ----


def test_it_redacts_personal_values_by_key_and_leaves_the_input_alone() -> None:
    data = {
        "name": "王芳",
        "id_number": WANGFANG_ID,
        "applicant": {
            "身份证号": WANGFANG_ID,
            "手机": WANGFANG_PHONE,
            "地址": "浙江省清溪县东山镇东山村12号",
        },
        "contacts": [{"phone": WANGFANG_PHONE}, {"mobilePhone": 13812345678}],
        "homeAddress": "浙江省清溪县东山镇东山村12号",
        "count": 3,
        "flag": True,
        "missing": None,
    }
    copy = {**data, "applicant": dict(data["applicant"])}  # type: ignore[call-overload]
    redacted = pii.redact(data)
    assert redacted["id_number"] == pii.mask_id(WANGFANG_ID)
    assert redacted["applicant"] == {
        "身份证号": pii.mask_id(WANGFANG_ID),
        "手机": "138****5678",
        "地址": "浙江省清溪县****",
    }
    assert redacted["contacts"] == [{"phone": "138****5678"}, {"mobilePhone": "138****5678"}]
    assert redacted["homeAddress"] == "浙江省清溪县****"
    assert (redacted["name"], redacted["count"], redacted["flag"], redacted["missing"]) == (
        "王芳", 3, True, None,
    )  # fmt: skip
    assert data == copy


def test_it_masks_everything_under_a_personal_key() -> None:
    redacted = pii.redact({"phones": {"home": WANGFANG_PHONE, "work": [WANGFANG_PHONE]}})
    assert redacted == {"phones": {"home": "138****5678", "work": ["138****5678"]}}


def test_it_masks_numbers_found_in_free_text() -> None:
    redacted = pii.redact({"note": f"王芳（身份证{WANGFANG_ID}，电话{WANGFANG_PHONE}）来电"})
    assert WANGFANG_ID not in redacted["note"]
    assert WANGFANG_PHONE not in redacted["note"]
    assert pii.mask_id(WANGFANG_ID) in redacted["note"]


def test_it_leaves_other_numbers_in_text_alone() -> None:
    text = "办件 QX2024000123，金额 13800 元，编号 330599101201"
    assert pii.redact_text(text) == text
