"""RyzeAPI response bodies: success payloads as given, errors as ``{success:false, error:{message}}``."""

from __future__ import annotations

import re
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
    """Printable ASCII only: a control character (a NUL, a CR from a client's JSON key…) would break the response."""
    ascii_text = text.replace("\n", " ").encode("ascii", "backslashreplace").decode("ascii")
    return _CONTROL.sub(lambda found: f"\\x{ord(found[0]):02x}", ascii_text)[:500].strip()


_CONTROL = re.compile("[\x00-\x1f\x7f]")
