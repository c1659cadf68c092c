"""The validators' English messages in the reader's language, their numbers and names kept."""

from __future__ import annotations

import pytest

from voting.i18n import use_language
from voting.validation_messages import headline, translated, translated_extra

CASES = [
    ("Field required", "This field is required.", "Ce champ est obligatoire."),
    ("Object missing required field `budget`", "This field is required.", "Ce champ est obligatoire."),
    ("Input should be a valid integer, unable to parse string as an integer", "This should be a whole number.",
     "Ceci devrait être un nombre entier."),
    ("Expected `int`, got `str`", "This should be a whole number.", "Ceci devrait être un nombre entier."),
    ("Input should be a valid dictionary or instance of TokenRequest", "This should be an object.",
     "Ceci devrait être un objet."),
    ("String should have at most 160 characters", "At most 160 characters.", "Au plus 160 caractères."),
    ("String should have at least 1 character", "At least 1 character.", "Au moins 1 caractère."),
    ("String should have at least 2 characters", "At least 2 characters.", "Au moins 2 caractères."),
    ("List should have at most 500 items after validation, not 40000", "At most 500 items.",
     "Au plus 500 éléments."),
    ("Input should be greater than or equal to 0", "At least 0.", "Au moins 0."),
    ("Expected `int` >= 1", "At least 1.", "Au moins 1."),
    ("Input should be less than or equal to 10", "At most 10.", "Au plus 10."),
    ("Input should be greater than 0", "More than 0.", "Plus de 0."),
    ("Extra inputs are not permitted", "This field is not expected here.", "Ce champ n’est pas attendu ici."),
    ("value is not a valid email address: An email address must have an @-sign.",
     "This is not a valid e-mail address.", "Ce n’est pas une adresse électronique valable."),
    ("Something no pattern knows", "Something no pattern knows", "Something no pattern knows"),
]


@pytest.mark.parametrize(("message", "english", "french"), CASES)
def test_a_validator_message_reads_in_the_readers_language(message, english, french):
    use_language("en")
    assert translated(message) == english
    use_language("fr")
    try:
        assert translated(message) == french
    finally:
        use_language("en")


def test_the_headline_and_the_items_of_a_refused_body():
    use_language("fr")
    try:
        assert headline("POST", "/api/v1/ballots") == (
            "La requête a été refusée : certaines de ses données ne sont pas valables (POST /api/v1/ballots).")
        extra = [{"message": "Field required", "key": "title", "source": "body"}, "as it is", {"key": "no message"}]
        assert translated_extra(extra) == [{"message": "Ce champ est obligatoire.", "key": "title", "source": "body"},
                                           "as it is", {"key": "no message"}]
        assert translated_extra(None) is None
    finally:
        use_language("en")
