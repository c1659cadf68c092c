"""Accounts, role grants, moderator scopes, revoked tokens, mailed single-use tokens and attempt throttles."""

from __future__ import annotations

import uuid
from datetime import date, datetime

from sqlalchemy import Boolean, CheckConstraint, Column, DateTime, ForeignKey, Index, Integer, String, text
from sqlalchemy.dialects.postgresql import UUID
from sqlmodel import Field, SQLModel

__all__ = ["ROLES", "Account", "RoleGrant", "ModeratorScope", "PollOfficerScope", "RevokedToken", "AccountToken",
           "Throttle"]

ROLES = ("citizen", "moderator", "poll_officer", "auditor", "admin")


class Account(SQLModel, table=True):
    __tablename__ = "account"
    __table_args__ = (
        Index("account_email_lower", text("lower(email)"), unique=True),
        CheckConstraint("language IN ('fr', 'en')", name="account_language"),
    )

    id: uuid.UUID = Field(default_factory=uuid.uuid4, sa_column=Column(UUID(as_uuid=True), primary_key=True))
    email: str = Field(max_length=254)
    display_name: str = Field(max_length=120)
    password_hash: str = Field(max_length=200)
    is_active: bool = True
    birth_date: date | None = None
    neighbourhood_id: int | None = Field(
        default=None, sa_column=Column(Integer, ForeignKey("neighbourhood.id"), nullable=True)
    )
    verified_at: datetime | None = Field(default=None, sa_column=Column(DateTime(timezone=True), nullable=True))
    verified_how: str | None = Field(default=None, max_length=200)
    email_confirmed_at: datetime | None = Field(default=None, sa_column=Column(DateTime(timezone=True), nullable=True))
    """When the owner followed the confirmation link (or the city created the account); NULL until then."""
    sessions_since: datetime | None = Field(default=None, sa_column=Column(DateTime(timezone=True), nullable=True))
    """Tokens issued before this moment no longer work (set when the password changes)."""
    deleted_at: datetime | None = Field(default=None, sa_column=Column(DateTime(timezone=True), nullable=True))
    """The owner deleted the account: its personal data is erased, the row stays for what refers to it."""
    created_at: datetime | None = Field(
        default=None, sa_column=Column(DateTime(timezone=True), nullable=False, server_default=text("now()"))
    )
    language: str | None = Field(default=None, sa_column=Column(String(2), nullable=True))
    """The language of the mail sent to this account; NULL follows the city's default."""
    notify_ballot_opened: bool = Field(
        default=False, sa_column=Column(Boolean, nullable=False, server_default=text("false"))
    )
    notify_results: bool = Field(default=False, sa_column=Column(Boolean, nullable=False, server_default=text("false")))


class RoleGrant(SQLModel, table=True):
    __tablename__ = "role_grant"
    __table_args__ = (
        CheckConstraint("role IN ('citizen', 'moderator', 'poll_officer', 'auditor', 'admin')", name="role_grant_role"),
    )

    account_id: uuid.UUID = Field(
        sa_column=Column(UUID(as_uuid=True), ForeignKey("account.id", ondelete="CASCADE"), primary_key=True)
    )
    role: str = Field(sa_column=Column(String(16), primary_key=True))


class ModeratorScope(SQLModel, table=True):
    __tablename__ = "moderator_scope"

    account_id: uuid.UUID = Field(
        sa_column=Column(UUID(as_uuid=True), ForeignKey("account.id", ondelete="CASCADE"), primary_key=True)
    )
    neighbourhood_id: int = Field(
        sa_column=Column(Integer, ForeignKey("neighbourhood.id"), primary_key=True)
    )


class PollOfficerScope(SQLModel, table=True):
    """A neighbourhood where a poll officer enters the paper votes of residents who came in person."""

    __tablename__ = "poll_officer_scope"

    account_id: uuid.UUID = Field(
        sa_column=Column(UUID(as_uuid=True), ForeignKey("account.id", ondelete="CASCADE"), primary_key=True)
    )
    neighbourhood_id: int = Field(
        sa_column=Column(Integer, ForeignKey("neighbourhood.id"), primary_key=True)
    )


class RevokedToken(SQLModel, table=True):
    __tablename__ = "revoked_token"

    jti: str = Field(primary_key=True, max_length=64)
    expires_at: datetime = Field(sa_column=Column(DateTime(timezone=True), nullable=False))


class AccountToken(SQLModel, table=True):
    """A single-use link sent by mail (confirm the address, reset the password); only its SHA-256 is stored."""

    __tablename__ = "account_token"
    __table_args__ = (
        CheckConstraint("purpose IN ('confirm_email', 'reset_password')", name="account_token_purpose"),
        CheckConstraint("expires_at > created_at", name="account_token_expiry"),
    )

    token_hash: str = Field(sa_column=Column(String(64), primary_key=True))
    account_id: uuid.UUID = Field(
        sa_column=Column(UUID(as_uuid=True), ForeignKey("account.id", ondelete="CASCADE"), nullable=False,
                         index=True)
    )
    purpose: str = Field(sa_column=Column(String(16), nullable=False))
    created_at: datetime = Field(sa_column=Column(DateTime(timezone=True), nullable=False))
    expires_at: datetime = Field(sa_column=Column(DateTime(timezone=True), nullable=False))
    used_at: datetime | None = Field(default=None, sa_column=Column(DateTime(timezone=True), nullable=True))


class Throttle(SQLModel, table=True):
    """Counted attempts under one key (a client, or an account typed from a client), reserved atomically."""

    __tablename__ = "throttle"
    __table_args__ = (
        CheckConstraint("failures >= 0", name="throttle_failures"),
        Index("throttle_last_failure", "last_failure_at"),
    )

    key: str = Field(sa_column=Column(String(400), primary_key=True))
    failures: int = Field(sa_column=Column(Integer, nullable=False))
    last_failure_at: datetime = Field(sa_column=Column(DateTime(timezone=True), nullable=False))
    next_allowed_at: datetime = Field(sa_column=Column(DateTime(timezone=True), nullable=False))
