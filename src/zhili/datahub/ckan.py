"""A CKAN-compatible read API over the dataset catalogue (CKAN 2.10 action API under /api/).

``/api/3/action/<name>`` answers GET (query parameters) and POST (a JSON object or a form),
as CKAN does, with ``{"help": …, "success": true, "result": …}`` or, on failure,
``{"help": …, "success": false, "error": {"__type": …, "message": …}}`` and CKAN's status
(404 Not Found Error, 409 Validation Error, 403 Authorization Error, 400 for an unknown
action). The actions live in ``ckan_packages`` and ``ckan_datastore``; who is calling and
what they may read in ``ckan_call``.
"""

from __future__ import annotations

import logging
from typing import Any
from urllib.parse import urlencode

from django.http import FileResponse, HttpRequest, JsonResponse, StreamingHttpResponse
from django.http.response import HttpResponseBase
from django.urls import reverse
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_GET, require_http_methods

from zhili.datahub import ckan_datastore, ckan_packages, storage
from zhili.datahub.access import datasets_visible_to
from zhili.datahub.ckan_call import (
    ACTIONS,
    ActionError,
    Call,
    NotFound,
    caller,
    params_of,
    version_of,
)
from zhili.datahub.models import DatasetVersion

log = logging.getLogger(__name__)

# ``ckan_datastore`` and ``ckan_packages`` register their actions in ``ACTIONS`` when imported.


def _respond(body: Any, status: int = 200) -> JsonResponse:
    return JsonResponse(
        body,
        status=status,
        safe=False,
        json_dumps_params={"ensure_ascii": False},
        content_type="application/json;charset=utf-8",
    )


@csrf_exempt  # read-only actions; a cookie-signed POST is still CSRF-checked in ``caller``
@require_http_methods(["GET", "POST"])
def action(request: HttpRequest, name: str) -> JsonResponse:
    """/api/3/action/<name>: one CKAN action."""
    fn = ACTIONS.get(name)
    if fn is None:
        return _respond(f"Bad request - Action name not known: {name}", 400)
    help_url = request.build_absolute_uri(reverse("ckan:action", args=["help_show"]))
    body: dict[str, Any] = {"help": f"{help_url}?{urlencode({'name': name})}"}
    try:
        user = caller(request)
        try:
            params = params_of(request)
        except ValueError as exc:
            return _respond(f"Bad request - JSON Error: {exc}", 400)
        result = fn(Call(request, user, params))
    except ActionError as exc:
        body.update(success=False, error=exc.error())
        return _respond(body, exc.status)
    except Exception:  # CKAN answers 500 in its envelope too; the log keeps the traceback
        log.exception("CKAN action %s failed", name)
        error = {"__type": "Internal Server Error", "message": "Internal Server Error"}
        body.update(success=False, error=error)
        return _respond(body, 500)
    body.update(success=True, result=result)
    return _respond(body)


@require_GET
def api_root(request: HttpRequest) -> JsonResponse:
    return _respond({"version": 3})


# ---- downloads ----


def _download(request: HttpRequest, code: str) -> DatasetVersion:
    dataset = datasets_visible_to(caller(request)).filter(code=code).first()
    if dataset is None:
        raise NotFound(f"数据集“{code}”不存在或您无权查看")
    return version_of(dataset, request.GET.get("version"))


def _failed(exc: ActionError) -> JsonResponse:
    return _respond({"success": False, "error": exc.error()}, exc.status)


@require_GET
def download_csv(request: HttpRequest, code: str) -> HttpResponseBase:
    """/api/3/download/<code>.csv?version=N: a version's rows as CSV (the current one by default)."""
    try:
        version = _download(request, code)
    except ActionError as exc:
        return _failed(exc)
    response = StreamingHttpResponse(
        ckan_datastore.csv_chunks(version), content_type="text/csv; charset=utf-8"
    )
    response["Content-Disposition"] = f'attachment; filename="{code}-v{version.number}.csv"'
    response["ETag"] = f'"{version.sha256}-csv"'
    return response


@require_GET
def download_parquet(request: HttpRequest, code: str) -> HttpResponseBase:
    """/api/3/download/<code>.parquet?version=N: a version's immutable Parquet file."""
    try:
        version = _download(request, code)
    except ActionError as exc:
        return _failed(exc)
    response = FileResponse(
        storage.absolute(version.path).open("rb"),
        as_attachment=True,
        filename=f"{code}-v{version.number}.parquet",
        content_type=ckan_packages.PARQUET_TYPE,
    )
    response["ETag"] = f'"{version.sha256}"'
    return response
