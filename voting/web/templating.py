"""The Jinja2 environment: autoescape, gettext callables bound to the request's language."""

from __future__ import annotations

from pathlib import Path

from jinja2 import Environment, FileSystemLoader, select_autoescape
from litestar.plugins.jinja import JinjaTemplateEngine
from litestar.template.config import TemplateConfig

import templates
from voting.followup.words import day_words
from voting.i18n import current_language, gettext, ngettext
from voting.maps.rules import coordinates_words
from voting.presentation import colon, current_style, format_moment, format_money, format_number, format_percent
from voting.proposals.fragments import proposal_card, proposal_filters
from voting.words import as_moment, key_purpose_words, role_words, rule_words

__all__ = ["TEMPLATE_DIR", "make_environment", "template_config", "money"]

TEMPLATE_DIR = Path(templates.__file__).resolve().parent
money = format_money


def make_environment() -> Environment:
    env = Environment(loader=FileSystemLoader(TEMPLATE_DIR), autoescape=select_autoescape(default=True),
                      extensions=["jinja2.ext.i18n"], auto_reload=False)
    env.install_gettext_callables(gettext, ngettext, newstyle=True)  # type: ignore[attr-defined]
    env.globals["language"] = current_language
    env.globals["city"] = current_style
    env.globals["colon"] = colon
    env.globals["proposal_card"] = proposal_card  # the proposals list's fragments, cached per content
    env.globals["proposal_filters"] = proposal_filters
    env.filters["money"] = format_money
    env.filters["moment"] = format_moment
    env.filters["percent"] = format_percent
    env.filters["number"] = format_number
    env.filters["role"] = role_words
    env.filters["rule"] = rule_words
    env.filters["key_purpose"] = key_purpose_words
    env.filters["as_moment"] = as_moment
    env.filters["coordinates"] = coordinates_words
    env.filters["day"] = day_words
    return env


def template_config() -> TemplateConfig:
    env = make_environment()
    return TemplateConfig(instance=JinjaTemplateEngine.from_environment(env))
