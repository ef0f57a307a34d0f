"""Personal data protection: encryption at rest, blind indexes, masks and validators.

DESIGN.md: personal data (身份证号, phone, address) is encrypted at rest, masked in
lists, logs and exports (110***********1234), and read only with a reason that
the audit trail records. Identifiers are validated to their standards: GB 11643
for the resident identity number, GB 32100 for the unified social credit code.

Keys come from ``settings.ZHILI_PII_KEYS`` (Fernet keys; the first encrypts, all
decrypt, so a new key is put first and old tokens are re-encrypted with
``rotate``). With no keys configured one is derived from ``SECRET_KEY``, so the
demo works; a production deployment sets its own.
"""

from __future__ import annotations

import base64
import datetime
import functools
import hashlib
import hmac
import re
import unicodedata
from collections.abc import Callable
from typing import Any

from cryptography.fernet import Fernet, InvalidToken, MultiFernet
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.kdf.hkdf import HKDF
from django.conf import settings
from django.core.exceptions import ImproperlyConfigured, ValidationError
from django.utils import timezone
from stdnum.cn import ric, uscc
from stdnum.exceptions import ValidationError as StdnumInvalid

__all__ = [
    "InvalidToken",
    "blind_index",
    "blind_indexes",
    "decrypt",
    "encrypt",
    "mask_address",
    "mask_id",
    "mask_name",
    "mask_phone",
    "redact",
    "redact_text",
    "rotate",
    "validate_credit_code",
    "validate_phone",
    "validate_resident_id",
]

_ENCRYPTION_INFO = b"zhili-pii"
_INDEX_INFO = b"zhili-pii-blind-index"


# ---- keys ----


def _hkdf(material: bytes, info: bytes) -> bytes:
    return HKDF(algorithm=hashes.SHA256(), length=32, salt=None, info=info).derive(material)


def _configured() -> tuple[tuple[str, ...], str]:
    return tuple(getattr(settings, "ZHILI_PII_KEYS", None) or ()), settings.SECRET_KEY


@functools.lru_cache(maxsize=8)
def _fernets(keys: tuple[str, ...], secret: str) -> tuple[MultiFernet, tuple[bytes, ...]]:
    """The MultiFernet and each key's raw material, first key first."""
    if not keys:
        derived = base64.urlsafe_b64encode(_hkdf(secret.encode(), _ENCRYPTION_INFO))
        return MultiFernet([Fernet(derived)]), (secret.encode(),)
    fernets = []
    for position, key in enumerate(keys, start=1):
        try:
            fernets.append(Fernet(key.strip()))
        except (ValueError, TypeError) as exc:
            # Never echo the key itself: this message can reach a log.
            raise ImproperlyConfigured(
                f"ZHILI_PII_KEYS: key {position} is not a Fernet key "
                "(32 bytes, url-safe base64; make one with Fernet.generate_key())."
            ) from exc
    return MultiFernet(fernets), tuple(base64.urlsafe_b64decode(k.strip()) for k in keys)


def _multi() -> MultiFernet:
    return _fernets(*_configured())[0]


def encrypt(text: str) -> str:
    """A Fernet token for ``text`` under the first key; "" stays "" (nothing to protect)."""
    if not text:
        return ""
    return _multi().encrypt(text.encode()).decode("ascii")


def decrypt(token: str) -> str:
    """The text of a token made under any configured key.

    Raises ``InvalidToken`` (re-exported here) when no key opens it.
    """
    if not token:
        return ""
    return _multi().decrypt(token.encode("ascii")).decode()


def rotate(token: str) -> str:
    """The same text re-encrypted under the first key, for key rotation."""
    if not token:
        return ""
    return _multi().rotate(token.encode("ascii")).decode("ascii")


# ---- blind indexes ----


def _normalise(kind: str, value: str) -> str:
    text = re.sub(r"[\s\-]", "", unicodedata.normalize("NFKC", value)).upper()
    if kind == "phone":
        text = re.sub(r"^(\+?86|0086)(?=1\d{10}$)", "", text)
    return text


def _index(material: bytes, kind: str, value: str) -> str:
    key = _hkdf(material, _INDEX_INFO)
    message = kind.encode() + b"\x00" + _normalise(kind, value).encode()
    return hmac.new(key, message, hashlib.sha256).hexdigest()


def blind_index(kind: str, value: str) -> str:
    """HMAC-SHA256 (hex) of the normalised value, keyed from the first key.

    ``kind`` ("id_number", "phone", ...) is part of the message, so one value
    indexes differently as a phone and as an identity number. Store it next to
    the ciphertext and look records up by it.
    """
    return _index(_fernets(*_configured())[1][0], kind, value)


def blind_indexes(kind: str, value: str) -> list[str]:
    """The value's index under every configured key, first key first.

    While a new first key is being rolled out, stored indexes were made under
    the old one: look up with ``__in=blind_indexes(...)`` until they are rebuilt.
    """
    return [_index(m, kind, value) for m in _fernets(*_configured())[1]]


# ---- masks ----


def _mask_middle(v: str, head: int, tail: int) -> str:
    if len(v) <= head + tail:
        # Too short to keep both ends without showing (nearly) all of it.
        return "*" * len(v)
    return v[:head] + "*" * (len(v) - head - tail) + v[len(v) - tail :]


def mask_id(v: str) -> str:
    """110***********1234: the first 3 and the last 4 characters kept."""
    return _mask_middle(v or "", 3, 4)


def mask_phone(v: str) -> str:
    """138****5678: the first 3 and the last 4 digits kept."""
    return _mask_middle(v or "", 3, 4)


# Compound surnames (复姓) keep both characters: 欧阳娜娜 -> 欧阳**.
_COMPOUND_SURNAMES = frozenset(
    "欧阳 司马 诸葛 上官 东方 皇甫 尉迟 公孙 慕容 长孙 宇文 司徒 夏侯 轩辕 令狐 钟离 独孤 "
    "南宫 西门 端木 百里 呼延 澹台 公羊 太史 申屠 闻人 赫连 万俟 拓跋 完颜 濮阳 单于 "
    "司空 东郭 左丘 微生 羊舌 梁丘 公冶 谷梁 宰父 仲孙 叔孙 乐正 壤驷 段干 东门".split()
)


def mask_name(v: str) -> str:
    """王* / 欧阳**: the surname kept, every other character starred."""
    v = (v or "").strip()
    if len(v) <= 1:
        return "*" * len(v)
    keep = 2 if len(v) > 2 and v[:2] in _COMPOUND_SURNAMES else 1
    return v[:keep] + "*" * (len(v) - keep)


def mask_address(v: str) -> str:
    """浙江省清溪县****: at most the first 6 characters (county level) kept."""
    v = v or ""
    if not v or v.endswith("****"):
        return v
    return v[: min(6, len(v) // 2)] + "****"


# ---- validators ----

# GB/T 2260 province-level codes, plus 81-83 of the residence permits of
# Hong Kong, Macao and Taiwan residents (港澳台居民居住证), which follow GB 11643.
_PROVINCES = frozenset(
    "11 12 13 14 15 21 22 23 31 32 33 34 35 36 37 41 42 43 44 45 46 "
    "50 51 52 53 54 61 62 63 64 65 71 81 82 83".split()
)


def _clean(v: str, drop: str = r"[\s\-]") -> str:
    return re.sub(drop, "", unicodedata.normalize("NFKC", v or "")).upper()


def validate_resident_id(v: str) -> str:
    """The normalised 18-character number, or ``ValidationError`` saying what is wrong.

    GB 11643-1999: 6-digit address code, 8-digit birth date, 3-digit sequence,
    ISO 7064 MOD 11-2 check character (0-9 or X). The address code is checked
    only at province level: stdnum's county table is historical and misses
    counties (and fails on codes it knows only by province).
    """
    number = _clean(v)
    if not number:
        raise ValidationError("请填写身份证号。", code="required")
    if len(number) == 15 and number.isdigit():
        raise ValidationError("这是15位的旧身份证号，请填写18位的居民身份证号。", code="length")
    if len(number) != 18:
        raise ValidationError(f"身份证号长度应为18位，现为{len(number)}位。", code="length")
    if not re.fullmatch(r"\d{17}[\dX]", number):
        raise ValidationError(
            "身份证号格式不正确：前17位应为数字，末位为数字或字母X。", code="format"
        )
    if number[-1] != ric.calc_check_digit(number):
        # Not "the last digit should be N": the slip is as likely in any other digit.
        raise ValidationError("身份证号校验位不符，请逐位核对是否有数字抄错。", code="checksum")
    try:
        born = ric.get_birth_date(number)
    except StdnumInvalid as exc:  # InvalidComponent: no such day
        raise ValidationError(
            "身份证号中的出生日期（第7至14位）不是有效日期。", code="birth_date"
        ) from exc
    if born > timezone.localdate():
        raise ValidationError("身份证号中的出生日期（第7至14位）晚于今天。", code="birth_date")
    if born < datetime.date(1800, 1, 1):
        raise ValidationError("身份证号中的出生日期（第7至14位）早于1800年。", code="birth_date")
    if number[:2] not in _PROVINCES:
        raise ValidationError(
            "身份证号的地址码（前6位）不是有效的省级行政区划代码开头。", code="region"
        )
    return number


def validate_credit_code(v: str) -> str:
    """The normalised 18-character unified social credit code (GB 32100-2015).

    stdnum insists on 8 leading digits, but registration authority codes include
    letters (A, N for village collective economic organisations, Y): only
    positions 3-8 (the GB/T 2260 division code) must be digits.
    """
    code = uscc.compact(unicodedata.normalize("NFKC", v or ""))
    if not code:
        raise ValidationError("请填写统一社会信用代码。", code="required")
    if len(code) != 18:
        raise ValidationError(f"统一社会信用代码长度应为18位，现为{len(code)}位。", code="length")
    alphabet = "0123456789ABCDEFGHJKLMNPQRTUWXY"
    if any(c not in alphabet for c in code) or not code[2:8].isdigit():
        raise ValidationError(
            "统一社会信用代码格式不正确：只能含数字和大写字母（不含I、O、Z、S、V），"
            "第3至8位为行政区划代码。",
            code="format",
        )
    if code[-1] != uscc.calc_check_digit(code):
        raise ValidationError("统一社会信用代码校验位不符，请逐位核对是否抄错。", code="checksum")
    return code


def validate_phone(v: str) -> str:
    """An 11-digit mainland mobile number (1[3-9]xxxxxxxxx); +86 and spaces dropped."""
    number = _clean(v, r"[\s\-()]")
    number = re.sub(r"^(\+?86|0086)(?=\d{11}$)", "", number)
    if not number:
        raise ValidationError("请填写手机号。", code="required")
    if not re.fullmatch(r"1[3-9]\d{9}", number):
        raise ValidationError("手机号应为11位数字，以13至19开头。", code="format")
    return number


# ---- redaction for logs and the audit trail ----

_ID_KEYS = ("idnumber", "idno", "idcard", "身份证", "证件号")
_PHONE_KEYS = ("phone", "mobile", "手机", "电话")
_ADDRESS_KEYS = ("address", "addr", "地址", "住址")
_ID_IN_TEXT = re.compile(r"(?<![0-9A-Za-z])\d{17}[\dXx](?![0-9A-Za-z])")
_PHONE_IN_TEXT = re.compile(r"(?<!\d)1[3-9]\d{9}(?!\d)")


def _masker_for(key: Any) -> Callable[[str], str] | None:
    name = re.sub(r"[\s_\-]", "", str(key)).lower()
    if any(k in name for k in _ID_KEYS):
        return mask_id
    if any(k in name for k in _PHONE_KEYS) or name == "tel":
        return mask_phone
    if any(k in name for k in _ADDRESS_KEYS):
        return mask_address
    return None


def redact_text(text: str) -> str:
    """Free text with identity numbers and mobile numbers in it masked."""
    text = _ID_IN_TEXT.sub(lambda m: mask_id(m.group()), text)
    return _PHONE_IN_TEXT.sub(lambda m: mask_phone(m.group()), text)


def _redact(value: Any, masker: Callable[[str], str] | None) -> Any:
    if isinstance(value, dict):
        return {k: _redact(v, masker or _masker_for(k)) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_redact(v, masker) for v in value]
    if isinstance(value, str):
        return masker(value) if masker else redact_text(value)
    if masker and isinstance(value, int) and not isinstance(value, bool):
        return masker(str(value))
    return value


def redact(data: dict[str, Any]) -> dict[str, Any]:
    """A deep copy with personal values masked, for logs and the audit trail.

    Everything under a key named like id_number / 身份证号 / phone / 手机 /
    address / 地址 is masked, however deep; identity and mobile numbers found
    in any other text are masked too.
    """
    result: dict[str, Any] = _redact(data, None)
    return result
