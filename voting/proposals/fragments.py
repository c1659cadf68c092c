"""The proposals list's cards and filter form, rendered once per shown content and language, then reused."""

from __future__ import annotations

from collections.abc import Hashable, Mapping, Sequence
from typing import Any

from jinja2 import pass_context
from jinja2.runtime import Context
from markupsafe import Markup

from voting.i18n import current_language, gettext
from voting.presentation import current_style
from voting.proposals.listing import ProposalCard
from voting.web.fragments import FragmentCache

__all__ = ["CARD_TEMPLATE", "FILTERS_TEMPLATE", "cards", "filter_forms", "card_key", "filters_key", "proposal_card",
           "proposal_filters"]

CARD_TEMPLATE = "proposals/_card.html"
FILTERS_TEMPLATE = "proposals/_filters.html"
cards = FragmentCache(4096)  # a card is about 600 bytes
filter_forms = FragmentCache(256)  # one per language, filter choice and search words


def card_key(card: ProposalCard, choices: Any, language: str, currency: str) -> tuple[Hashable, ...]:
    """Everything a card shows, names resolved: cards with the same key render the same HTML."""
    hood = choices.neighbourhood(card.neighbourhood_id)
    category = choices.category(card.category)
    if card.neighbourhood_id is None:  # a draft withdrawn before it was complete
        hood_name = gettext("No neighbourhood yet")
    else:
        hood_name = hood.name(language) if hood else str(card.neighbourhood_id)
    category_name = category.name(language) if category else card.category or gettext("No category yet")
    return (language, currency, card, hood_name, category_name)


def filters_key(filters: Mapping[str, str], choices: Any, states: Sequence[str], language: str) -> tuple[Hashable, ...]:
    """Everything the filter form shows: the chosen filters, and the choices' ids and names in ``language``."""
    return (language, tuple(sorted(filters.items())), tuple(states),
            tuple((hood.id, hood.name(language)) for hood in choices.neighbourhoods),
            tuple((category.slug, category.name(language)) for category in choices.categories))


@pass_context
def proposal_card(context: Context, card: ProposalCard, choices: Any) -> Markup:
    """``{{ proposal_card(card, choices) }}``: a ``ProposalCard`` in the reader's language."""
    key = card_key(card, choices, current_language(), current_style().currency)
    template = context.environment.get_template(CARD_TEMPLATE)
    return cards.get(key, lambda: template.render(card=card, hood_name=key[3], category_name=key[4]))


@pass_context
def proposal_filters(context: Context, filters: Mapping[str, str], choices: Any, states: Sequence[str]) -> Markup:
    """``{{ proposal_filters(filters, choices, states) }}``: the list's search and filter form."""
    language = current_language()
    key = filters_key(filters, choices, states, language)
    template = context.environment.get_template(FILTERS_TEMPLATE)
    return filter_forms.get(key, lambda: template.render(filters=filters, hoods=key[3], categories=key[4],
                                                         states=states))
