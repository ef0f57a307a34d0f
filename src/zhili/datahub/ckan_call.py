"""One call of the CKAN-compatible API: who is calling, the parameters, and CKAN's errors.

The caller is the user of a DRF token (``Authorization: Token <key>``, or CKAN's bare
``Authorization: <key>`` / ``X-CKAN-API-Key``) or else the session's user, anonymous
included. Every dataset read goes through ``Call.visible`` (``access.datasets_visible_to``):
one the caller may not read is "Not found", exactly like one that does not exist.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from django.db.models import QuerySet
from django.http import HttpRequest, HttpResponse, QueryDict
from django.middleware.csrf import CsrfViewMiddleware
from rest_framework.authtoken.models import Token

from zhili.datahub.access import datasets_visible_to
from zhili.datahub.models import Dataset, DatasetVersion

# ---- errors, as CKAN reports them ----


class ActionError(Exception):
    status = 400
    kind = "Bad Request"
    prefix = "Bad request"

    def __init__(self, detail: str = "", **fields: list[str]) -> None:
        super().__init__(detail)
        self.detail = detail
        self.fields = fields

    def error(self) -> dict[str, Any]:
        message = f"{self.prefix}: {self.detail}" if self.detail else self.prefix
        return {"__type": self.kind, "message": message, **self.fields}


class NotFound(ActionError):
    status, kind, prefix = 404, "Not Found Error", "Not found"


class Invalid(ActionError):
    status, kind, prefix = 409, "Validation Error", "Validation error"

    def __init__(self, key: str, detail: str) -> None:
        super().__init__(detail, **{key: [detail]})

    def error(self) -> dict[str, Any]:
        return {"__type": self.kind, "message": self.detail, **self.fields}


class Denied(ActionError):
    status, kind, prefix = 403, "Authorization Error", "Access denied"


# ---- who is calling ----


class _CsrfCheck(CsrfViewMiddleware):
    def _reject(self, request: HttpRequest, reason: str) -> Any:
        return reason


def _api_key(request: HttpRequest) -> str | None:
    header = request.headers.get("Authorization", "").strip()
    if header:
        scheme, _, rest = header.partition(" ")
        if not rest.strip():
            return scheme  # CKAN's API tokens come bare
        if scheme.lower() in ("token", "bearer"):
            return rest.strip()
    return request.headers.get("X-CKAN-API-Key", "").strip() or None


def caller(request: HttpRequest) -> Any:
    """The token's user, else the session's (anonymous included); Denied for a bad token."""
    key = _api_key(request)
    if key is not None:
        token = Token.objects.select_related("user").filter(key=key).first()
        if token is None or not token.user.is_active:
            raise Denied("令牌无效或已停用")
        return token.user
    if request.method == "POST" and request.user.is_authenticated:
        # Signed in by cookie: a POST must carry the CSRF token, as in the rest of the site.
        check = _CsrfCheck(lambda r: HttpResponse())
        check.process_request(request)
        reason = check.process_view(request, None, (), {})  # type: ignore[arg-type]
        if reason is not None:
            raise Denied(f"CSRF 校验未通过（{reason}）；程序调用请使用令牌")
    return request.user


# ---- one call ----


def _mixed(data: QueryDict) -> dict[str, Any]:
    return {k: v[0] if len(v) == 1 else v for k, v in data.lists()}


def params_of(request: HttpRequest) -> dict[str, Any]:
    """The call's parameters like CKAN reads them: the query string, or the POST body (JSON or form)."""
    data = _mixed(request.GET)
    if request.method == "POST":
        if request.content_type in ("application/x-www-form-urlencoded", "multipart/form-data"):
            form = _mixed(request.POST)
            if len(form) == 1 and next(iter(form.values())) in ("", "1"):
                form = json.loads(next(iter(form)))  # CKAN: a JSON object sent as the only key
            body: Any = form
        else:
            body = json.loads(request.body) if request.body.strip() else {}
        if not isinstance(body, dict):
            raise ValueError("请求数据应为 JSON 对象")
        data.update(body)
    data.pop("callback", None)
    return data


@dataclass
class Call:
    request: HttpRequest
    user: Any
    params: dict[str, Any]

    def visible(self) -> QuerySet[Dataset]:
        return datasets_visible_to(self.user).select_related("department", "current")

    def text(self, key: str, default: str = "") -> str:
        value = self.params.get(key, default)
        if isinstance(value, list):
            value = " ".join(str(v) for v in value)
        return str(value).strip() if value is not None else default

    def integer(self, key: str, default: int, maximum: int | None = None) -> int:
        raw = self.params.get(key)
        if raw is None or raw == "":
            return default
        try:
            value = int(raw)
            if isinstance(raw, bool) or value < 0 or (isinstance(raw, float) and raw != value):
                raise ValueError
        except (TypeError, ValueError) as exc:
            raise Invalid(key, f"“{key}”应为非负整数，收到“{raw}”") from exc
        return min(value, maximum) if maximum is not None else value

    def boolean(self, key: str, default: bool) -> bool:
        raw = self.params.get(key)
        if raw is None or raw == "":
            return default
        if isinstance(raw, bool):
            return raw
        text = str(raw).strip().lower()
        if text not in ("true", "false", "1", "0", "yes", "no"):
            raise Invalid(key, f"“{key}”应为 true 或 false")
        return text in ("true", "1", "yes")

    def json(self, key: str) -> Any:
        """A parameter that CKAN takes as JSON: already an object in a JSON body, a string in a URL."""
        raw = self.params.get(key)
        if isinstance(raw, str) and raw.strip()[:1] in ("{", "["):
            try:
                return json.loads(raw)
            except json.JSONDecodeError as exc:
                raise Invalid(key, f"“{key}”不是有效的 JSON：{exc.msg}") from exc
        return raw

    def dataset(self, key: str) -> Dataset:
        code = self.text(key)
        if not code:
            raise Invalid(key, "Missing value")
        found = self.visible().filter(code=code).first()
        if found is None:
            raise NotFound(f"数据集“{code}”不存在或您无权查看")
        return found

    def absolute(self, path: str) -> str:
        return self.request.build_absolute_uri(path)


ACTIONS: dict[str, Callable[[Call], Any]] = {}


def ckan_action(fn: Callable[[Call], Any]) -> Callable[[Call], Any]:
    ACTIONS[fn.__name__] = fn
    return fn


def version_of(dataset: Dataset, raw: Any, key: str = "version") -> DatasetVersion:
    if raw in (None, ""):
        if dataset.current is None:
            raise NotFound(f"资源“{dataset.code}”还没有发布数据")
        return dataset.current
    try:
        number = int(raw)
    except (TypeError, ValueError) as exc:
        raise Invalid(key, f"版本号应为正整数，收到“{raw}”") from exc
    version = dataset.versions.filter(number=number).first()
    if version is None:
        raise NotFound(f"数据集“{dataset.code}”没有第{number}版")
    return version
