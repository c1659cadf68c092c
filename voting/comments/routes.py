"""The comments area's route handlers, for the app factory."""

from __future__ import annotations

from typing import Any

from voting.comments.api import CommentAPI, DiscussionAPI
from voting.comments.pages import CommentPages

__all__ = ["COMMENT_HANDLERS"]

COMMENT_HANDLERS: list[Any] = [DiscussionAPI, CommentAPI, CommentPages]
