"""Reading the HTML forms of the ballot pages into plain values (no rules here)."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime
from typing import Any

from voting.presentation import from_local

__all__ = ["choice_from_form", "ballot_from_form", "digits", "upload_text"]


def digits(text: str) -> bool:
    """``text`` is a whole number that ``int`` reads: decimal digits only (``isdigit`` also takes "²", which
    ``int`` refuses), and few enough to convert (``int`` refuses more than 4,300): never a ValueError, a 500."""
    return text.isdecimal() and len(text) <= 30


def _int(value: Any) -> Any:
    text = str(value).strip()
    return int(text) if digits(text.removeprefix("-")) else text


def choice_from_form(form: Any, vote_format: str) -> dict[str, Any]:
    """Checkboxes or a radio named ``projects``; ``points_<id>`` inputs; ``rank_<n>`` selects; the "vote blank"
    button (``action=blank``) or a ``blank=1`` field for a blank vote."""
    if form.get("action") == "blank" or form.get("blank") == "1":
        return {"blank": True}
    if vote_format == "cumulative":
        return {"points": {key[7:]: _int(value) for key, value in form.items()
                           if key.startswith("points_") and str(value).strip() not in ("", "0")}}
    if vote_format == "ranked":
        ranks = sorted((int(key[5:]), value) for key, value in form.items()
                       if key.startswith("rank_") and digits(key[5:]) and str(value).strip())
        return {"projects": [_int(value) for _, value in ranks]}
    return {"projects": [_int(value) for value in form.getall("projects", [])]}


def _optional_int(form: Mapping[str, Any], name: str) -> int | str | None:
    """A whole number, None when left empty, or the text as typed (the schema refuses it beside the field)."""
    value = str(form.get(name) or "").strip()
    return int(value) if digits(value.removeprefix("-")) else (value or None)


def _moment(value: Any) -> str:
    """A form's date and time, typed in the city's time zone, as an ISO moment (left as typed if unreadable)."""
    text = str(value or "").strip()
    try:
        return from_local(datetime.fromisoformat(text)).isoformat() if text else ""
    except ValueError:
        return text  # the schema refuses it with a message


def ballot_from_form(form: Any) -> dict[str, Any]:
    """The fields of :class:`ballots.schemas.BallotCreate` from the new-ballot form (validated by pydantic)."""
    hood = str(form.get("neighbourhood_id") or "").strip()
    return {
        "neighbourhood_id": int(hood) if digits(hood) else None,
        "title": form.get("title") or "", "description": form.get("description") or "",
        "budget": _optional_int(form, "budget") or 0,
        "proposal_ids": [int(v) for v in form.getall("proposal_ids", []) if digits(str(v))],
        "vote_format": form.get("vote_format") or "knapsack", "rule": form.get("rule") or "greedy",
        "tie_break": form.get("tie_break") or "min-cost,max-votes,lexico",
        **{name: _optional_int(form, name) for name in ("min_projects", "max_projects", "min_spend_percent",
                                                         "total_points", "max_points_per_project", "max_ranks",
                                                         "min_age", "min_project_score", "min_voter_share")},
        "opens_at": _moment(form.get("opens_at")), "closes_at": _moment(form.get("closes_at")),
        "requires_roll": form.get("requires_roll") == "on",
        "requires_residence": form.get("requires_residence") == "on",
        "requires_verified": form.get("requires_verified") == "on",
        "allow_blank": form.get("allow_blank") == "on",
    }


async def upload_text(form: Any, field: str = "file", fallback: str = "text") -> str:
    """The uploaded CSV file's text, else what was pasted in the text area."""
    upload = form.get(field)
    if upload is not None and hasattr(upload, "read"):
        data = await upload.read()
        if data:
            return bytes(data).decode("utf-8-sig", errors="replace")
    return str(form.get(fallback) or "")
