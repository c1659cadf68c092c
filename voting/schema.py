"""Import every table module so ``SQLModel.metadata`` knows the whole schema (Alembic, tests)."""

from sqlmodel import SQLModel

import auth.census.models  # noqa: F401
import auth.models  # noqa: F401
import ballots.models  # noqa: F401
import ballots.vote_models  # noqa: F401
import voting.admin.models  # noqa: F401
import voting.calendar.models  # noqa: F401
import voting.comments.models  # noqa: F401
import voting.followup.models  # noqa: F401
import voting.mail.models  # noqa: F401
import voting.models  # noqa: F401
import voting.proposals.models  # noqa: F401
import voting.results.models  # noqa: F401

__all__ = ["metadata"]

metadata = SQLModel.metadata
