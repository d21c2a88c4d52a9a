"""RyzeAPI response bodies: success payloads as given, errors as ``{success:false, error:{message}}``."""

from __future__ import annotations

from typing import Any

from starlette.responses import JSONResponse

from mockryze.core.errors import ApiError
from mockryze.core.literals import ErrorLiteral

DETAIL_HEADER = "X-Mockryze-Detail"


def error_body(message: str) -> dict[str, Any]:
    return {"success": False, "error": {"message": message}}


def error_response(error: ApiError | ErrorLiteral, headers: dict[str, str] | None = None) -> JSONResponse:
    headers = dict(headers or {})
    detail = getattr(error, "detail", None)
    if detail:
        headers[DETAIL_HEADER] = _header_safe(detail)
    return JSONResponse(error_body(error.message), status_code=error.status, headers=headers)


def _header_safe(text: str) -> str:
    return text.encode("ascii", "backslashreplace").decode("ascii").replace("\n", " ")[:500]
