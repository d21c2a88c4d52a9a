"""The one exception the world and the handlers raise to answer with a RyzeAPI error envelope."""

from __future__ import annotations

from mockryze.core.literals import ErrorLiteral


class ApiError(Exception):
    """A refusal with a documented (status, literal) pair.

    ``detail`` never reaches the body (clients compare ``error.message`` literally); the server
    sends it in the ``X-Mockryze-Detail`` header so a developer can see *why*.
    """

    def __init__(self, literal: ErrorLiteral, detail: str | None = None) -> None:
        super().__init__(literal.message)
        self.status = literal.status
        self.message = literal.message
        self.detail = detail
