"""Who may support a proposal: a confirmed, verified resident of its neighbourhood (any, for a city-wide one)."""

from __future__ import annotations

import pytest

from voting.i18n import use_language
from voting.proposals.support_rules import Supporter, supporter_refusal


@pytest.mark.parametrize(("supporter", "hood", "code"), [
    (Supporter(True, True, 4), 4, None),
    (Supporter(True, True, 5), None, None),  # city-wide: any verified resident
    (Supporter(True, True, None), None, None),
    (Supporter(False, True, 4), 4, "support.email"),
    (Supporter(True, False, 4), 4, "support.verified"),
    (Supporter(True, True, 5), 4, "support.neighbourhood"),
    (Supporter(True, True, None), 4, "support.neighbourhood"),
    (Supporter(False, False, 5), 4, "support.email"),  # the first step to take comes first
])
def test_supporter_refusals(supporter, hood, code):
    use_language("en")
    refused = supporter_refusal(supporter, hood)
    assert (refused[0] if refused else None) == code
    if refused:
        assert refused[1].endswith(".")
