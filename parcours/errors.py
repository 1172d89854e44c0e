"""The one exception type services raise, and its codes.

The API turns a `ServiceError` into `{"error": {"code", "message", "details"}}` with the
code's HTTP status; the realtime gateway turns it into an `error` frame. Clients switch on
the code, people read the message.
"""

from enum import StrEnum
from typing import Any


class ErrorCode(StrEnum):
    INVALID = "invalid"
    UNAUTHENTICATED = "unauthenticated"
    FORBIDDEN = "forbidden"
    NOT_FOUND = "not_found"
    CONFLICT = "conflict"
    FROZEN = "frozen"
    RATE_LIMITED = "rate_limited"
    TOO_LARGE = "too_large"
    # Something failed on the server's side (a bug): nothing was changed.
    INTERNAL = "internal"
    # A service the request needs (Redis) cannot be reached for now: try again later.
    UNAVAILABLE = "unavailable"


HTTP_STATUS = {
    ErrorCode.INVALID: 422,
    ErrorCode.UNAUTHENTICATED: 401,
    ErrorCode.FORBIDDEN: 403,
    ErrorCode.NOT_FOUND: 404,
    ErrorCode.CONFLICT: 409,
    ErrorCode.FROZEN: 409,
    ErrorCode.RATE_LIMITED: 429,
    ErrorCode.TOO_LARGE: 413,
    ErrorCode.INTERNAL: 500,
    ErrorCode.UNAVAILABLE: 503,
}


class ServiceError(Exception):
    def __init__(
        self, code: ErrorCode, message: str, details: dict[str, Any] | None = None
    ) -> None:
        super().__init__(message)
        self.code = code
        self.message = message
        self.details = details or {}

    @property
    def http_status(self) -> int:
        return HTTP_STATUS[self.code]

    def as_dict(self) -> dict[str, Any]:
        return {"code": str(self.code), "message": self.message, "details": self.details}


def not_found(what: str, ident: object) -> ServiceError:
    return ServiceError(
        ErrorCode.NOT_FOUND, f"{what} {ident} introuvable.", {"resource": what, "id": ident}
    )
