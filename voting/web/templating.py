"""The Jinja2 environment: autoescape, gettext callables bound to the request's language."""

from __future__ import annotations

from pathlib import Path

from jinja2 import Environment, FileSystemLoader, select_autoescape
from litestar.plugins.jinja import JinjaTemplateEngine
from litestar.template.config import TemplateConfig

import templates
from voting.i18n import current_language, gettext, ngettext

__all__ = ["TEMPLATE_DIR", "make_environment", "template_config", "money"]

TEMPLATE_DIR = Path(templates.__file__).resolve().parent


def money(amount: int | float | None) -> str:
    if amount is None:
        return ""
    from babel.numbers import format_currency

    return format_currency(amount, "EUR", locale=current_language(), format="#,##0.## ¤", currency_digits=False)


def make_environment() -> Environment:
    env = Environment(loader=FileSystemLoader(TEMPLATE_DIR), autoescape=select_autoescape(default=True),
                      extensions=["jinja2.ext.i18n"], auto_reload=False)
    env.install_gettext_callables(gettext, ngettext, newstyle=True)  # type: ignore[attr-defined]
    env.globals["language"] = current_language
    env.filters["money"] = money
    return env


def template_config() -> TemplateConfig:
    env = make_environment()
    return TemplateConfig(instance=JinjaTemplateEngine.from_environment(env))
