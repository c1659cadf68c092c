"""Pure account rules: input checks with the field they concern, mailed tokens, what drops verification."""

from __future__ import annotations

import hashlib
import re
import secrets
import uuid
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime, timedelta

from voting.domain import DomainError
from voting.i18n import gettext as _

__all__ = ["AccountError", "WrongPassword", "TOKEN_LIFETIMES", "new_token", "token_hash", "normalise_email",
           "check_display_name", "check_birth_date", "HoodChoice", "neighbourhood_for_postcode", "drops_verification",
           "anonymous_email", "sessions_cutoff", "DELETED_NAME"]

EMAIL = re.compile(r"^[^@\s]{1,64}@[^@\s]+\.[^@\s]{2,}$")
TOKEN_LIFETIMES = {"confirm_email": timedelta(days=2), "reset_password": timedelta(hours=1)}
OLDEST_AGE_YEARS = 130
DELETED_NAME = "—"


class AccountError(DomainError):
    """Input that cannot make or change an account; ``field`` names the form field it concerns."""

    status_code = 400

    def __init__(self, message: str, *, field: str | None = None) -> None:
        super().__init__(message, extra={"field": field} if field else None)
        self.field = field


class WrongPassword(AccountError):
    """The account's own password, asked again before a sensitive change, is wrong; the counted try is kept."""

    commit_before_raise = True


def new_token() -> tuple[str, str]:
    """A random link token (256 bits) and the hash that is all the database keeps of it."""
    token = secrets.token_urlsafe(32)
    return token, token_hash(token)


def token_hash(token: str) -> str:
    return hashlib.sha256(token.encode("utf-8", "surrogatepass")).hexdigest()


def normalise_email(email: str) -> str:
    email = email.strip().lower()
    if not EMAIL.match(email) or len(email) > 254:
        raise AccountError(_("Enter a valid email address."), field="email")
    return email


def check_display_name(name: str) -> str:
    name = " ".join(name.split())
    if not name:
        raise AccountError(_("Enter your name."), field="display_name")
    if len(name) > 120:
        raise AccountError(_("The name must be at most 120 characters."), field="display_name")
    return name


def check_birth_date(value: date | str | None, today: date) -> date:
    """A real, past birth date of someone alive (ISO ``YYYY-MM-DD`` when typed)."""
    if value is None or value == "":
        raise AccountError(_("Enter your date of birth."), field="birth_date")
    if isinstance(value, str):
        try:
            value = date.fromisoformat(value.strip())
        except ValueError:
            raise AccountError(_("Enter the date of birth as YYYY-MM-DD."), field="birth_date") from None
    if value > today:
        raise AccountError(_("The date of birth cannot be in the future."), field="birth_date")
    if today.year - value.year > OLDEST_AGE_YEARS:
        raise AccountError(_("Check the year of birth."), field="birth_date")
    return value


@dataclass(frozen=True)
class HoodChoice:
    id: int
    slug: str
    postcodes: tuple[str, ...]


def neighbourhood_for_postcode(postcode: str, hoods: Iterable[HoodChoice]) -> HoodChoice:
    """The one neighbourhood whose postcodes include ``postcode``; refuse unknown or shared postcodes."""
    code = postcode.strip().upper()
    matches = [hood for hood in hoods if code in {c.strip().upper() for c in hood.postcodes}]
    if not code:
        raise AccountError(_("Choose your neighbourhood or enter your postcode."), field="neighbourhood")
    if not matches:
        raise AccountError(_("No neighbourhood of the city has the postcode {code}: choose it in the list.")
                           .format(code=code), field="postcode")
    if len(matches) > 1:
        raise AccountError(_("The postcode {code} covers several neighbourhoods: choose yours in the list.")
                           .format(code=code), field="neighbourhood")
    return matches[0]


def drops_verification(old_hood: int | None, old_birth: date | None, new_hood: int | None,
                       new_birth: date | None) -> bool:
    """A verified residence or age no longer holds once the resident declares another one."""
    return old_hood != new_hood or old_birth != new_birth


def anonymous_email(account_id: uuid.UUID) -> str:
    """What a deleted account's address becomes: unique, never deliverable (``.invalid`` is reserved)."""
    return f"deleted-{account_id.hex}@deleted.invalid"


def sessions_cutoff(now: datetime) -> datetime:
    """Tokens carry their issue time to the millisecond: older sessions end, a token issued now still works."""
    return now.replace(microsecond=now.microsecond // 1000 * 1000)
