"""Base errors with stable codes.

A ``DomainError`` is bad input or a forbidden request from outside: it carries
a stable ``code`` that API clients can rely on, a translatable message and the
HTTP status the API maps it to. Our own bugs are ordinary exceptions and fail
loudly.
"""

from typing import Any


class DomainError(Exception):
    code = "invalid"
    status = 400

    def __init__(self, message: str, *, code: str | None = None, **params: Any) -> None:
        super().__init__(message)
        self.message = message
        if code is not None:
            self.code = code
        self.params = params

    def __str__(self) -> str:
        return str(self.message)

    def problem_members(self) -> dict[str, Any]:
        """Return extra members for the API's problem response, such as ``opens_at``."""
        return {}

    def problem_headers(self) -> dict[str, str]:
        """Return extra headers for the API's problem response, such as a 401's challenge."""
        return {}


class ValidationFailed(DomainError):
    code = "invalid"
    status = 422


class NotFound(DomainError):
    code = "not_found"
    status = 404


class PermissionDenied(DomainError):
    code = "forbidden"
    status = 403


class Conflict(DomainError):
    """A request that is valid but not allowed in the record's current state."""

    code = "conflict"
    status = 409
