"""The outbox: every message to send, rendered when the change that caused it committed."""

from __future__ import annotations

import uuid
from datetime import datetime

from sqlalchemy import CheckConstraint, Column, DateTime, ForeignKey, Index, Integer, String, Text, text
from sqlalchemy.dialects.postgresql import UUID
from sqlmodel import Field, SQLModel

__all__ = ["MAIL_KINDS", "MAIL_STATES", "OutboxMessage"]

MAIL_KINDS = ("confirm_email", "reset_password", "proposal_reviewed", "ballot_opened", "results_published",
              "project_update")
MAIL_STATES = ("pending", "sent", "failed")


class OutboxMessage(SQLModel, table=True):
    __tablename__ = "mail_outbox"
    __table_args__ = (
        CheckConstraint("status IN ('pending', 'sent', 'failed')", name="mail_outbox_status"),
        CheckConstraint("kind IN ('confirm_email', 'reset_password', 'proposal_reviewed', 'ballot_opened', "
                        "'results_published', 'project_update')", name="mail_outbox_kind"),
        CheckConstraint("language IN ('fr', 'en')", name="mail_outbox_language"),
        CheckConstraint("(status = 'sent') = (sent_at IS NOT NULL)", name="mail_outbox_sent_at"),
        CheckConstraint("attempts >= 0", name="mail_outbox_attempts"),
        Index("mail_outbox_due", "status", "next_attempt_at"),
    )

    id: int | None = Field(default=None, primary_key=True)
    message_id: str = Field(sa_column=Column(String(200), nullable=False, unique=True))
    account_id: uuid.UUID | None = Field(
        default=None, sa_column=Column(UUID(as_uuid=True), ForeignKey("account.id", ondelete="SET NULL"),
                                       nullable=True)
    )
    to_address: str = Field(sa_column=Column(String(254), nullable=False))
    kind: str = Field(sa_column=Column(String(32), nullable=False))
    language: str = Field(sa_column=Column(String(2), nullable=False))
    subject: str = Field(sa_column=Column(String(300), nullable=False))
    body_text: str = Field(sa_column=Column(Text, nullable=False))
    body_html: str = Field(sa_column=Column(Text, nullable=False))
    status: str = Field(default="pending", sa_column=Column(String(16), nullable=False,
                                                            server_default=text("'pending'")))
    attempts: int = Field(default=0, sa_column=Column(Integer, nullable=False, server_default=text("0")))
    next_attempt_at: datetime | None = Field(
        default=None, sa_column=Column(DateTime(timezone=True), nullable=False, server_default=text("now()"))
    )
    last_error: str | None = Field(default=None, sa_column=Column(String(500), nullable=True))
    created_at: datetime | None = Field(
        default=None, sa_column=Column(DateTime(timezone=True), nullable=False, server_default=text("now()"))
    )
    sent_at: datetime | None = Field(default=None, sa_column=Column(DateTime(timezone=True), nullable=True))
