"""Cached page fragments: rendered once per key, least recently used dropped; card keys change with what shows."""

from __future__ import annotations

from dataclasses import dataclass

from voting.proposals.fragments import card_key, filters_key
from voting.proposals.listing import ProposalCard
from voting.web.fragments import FragmentCache


def test_a_fragment_is_rendered_once_per_key_and_the_least_recent_goes_first():
    cache, calls = FragmentCache(2), []

    def render(text):
        return lambda: calls.append(text) or f"<b>{text}</b>"

    assert cache.get("a", render("a")) == "<b>a</b>"
    assert cache.get("a", render("again")) == "<b>a</b>"  # from memory
    cache.get("b", render("b"))
    cache.get("a", render("a"))  # a is now the most recent
    cache.get("c", render("c"))  # b goes
    assert len(cache) == 2 and calls == ["a", "b", "c"]
    cache.get("b", render("b"))
    assert calls == ["a", "b", "c", "b"]
    assert str(cache.get("a", render("x"))).startswith("<b>")


@dataclass
class Named:
    id: int
    slug: str
    name_fr: str
    name_en: str

    def name(self, language):
        return self.name_fr if language == "fr" else self.name_en


@dataclass
class Choices:
    neighbourhoods: list[Named]
    categories: list[Named]

    def neighbourhood(self, neighbourhood_id):
        return next((hood for hood in self.neighbourhoods if hood.id == neighbourhood_id), None)

    def category(self, slug):
        return next((category for category in self.categories if category.slug == slug), None)


def test_card_and_filter_keys_hold_every_shown_value():
    card = ProposalCard(7, "Pommiers", "Douze pommiers", "accepted", 1, "fruit-trees", 18_500, 3)
    choices = Choices([Named(1, "jaude", "Jaude", "Jaude square")], [Named(0, "fruit-trees", "Fruitiers", "Fruit")])
    key = card_key(card, choices, "fr", "EUR")
    assert key == card_key(ProposalCard(7, "Pommiers", "Douze pommiers", "accepted", 1, "fruit-trees", 18_500, 3),
                           choices, "fr", "EUR")
    assert key != card_key(card, choices, "en", "EUR") != card_key(card, choices, "fr", "CHF")
    assert key != card_key(ProposalCard(7, "Pommiers", "Douze pommiers", "accepted", 1, "fruit-trees", 18_500, 4),
                           choices, "fr", "EUR")  # one more support
    renamed = Choices([Named(1, "jaude", "Place de Jaude", "Jaude square")], choices.categories)
    assert key != card_key(card, renamed, "fr", "EUR")  # a renamed neighbourhood: a new card, nothing to clear
    filters = {"q": "", "neighbourhood": "1", "category": "", "status": ""}
    assert filters_key(filters, choices, ("accepted",), "fr") != filters_key(filters, renamed, ("accepted",), "fr")
    assert filters_key(filters, choices, ("accepted",), "fr") != filters_key({**filters, "q": "arbres"}, choices,
                                                                             ("accepted",), "fr")
