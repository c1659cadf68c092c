"""The base of every refusal by the domain: a message for the user and the HTTP status it maps to."""

from __future__ import annotations

from typing import Any

__all__ = ["DomainError", "NotFound", "Forbidden", "Conflict", "Invalid"]


class DomainError(Exception):
    """A refusal by the domain, with the HTTP status it maps to and a message for the user (pure: no web import)."""

    status_code = 400
    commit_before_raise = False

    def __init__(self, message: str, *, extra: Any = None) -> None:
        super().__init__(message)
        self.message = message
        self.extra = extra


class NotFound(DomainError):
    status_code = 404


class Forbidden(DomainError):
    status_code = 403


class Conflict(DomainError):
    status_code = 409


class Invalid(DomainError):
    status_code = 422
