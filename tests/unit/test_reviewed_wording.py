"""The reviewer's findings of issue 16, per language: Brazilian Portuguese, and the wording fixes."""

import re
from datetime import datetime
from zoneinfo import ZoneInfo

import pytest

from bot.render.i18n import format_when, gettext
from bot.render.texts import TEXTS
from flows import keys, keywords, languages
from flows.results import When

PT = {key: gettext(msgid, "pt") for key, msgid in TEXTS.items()}
# European Portuguese that a Brazilian reader would notice at once.
EUROPEAN = [
    r"\bpercebi\b",
    r"\bLamentamos\b",
    r"\bpara si\b",
    r"\bperto de si\b",
    r"\bestamos a \w+r\b",
    r"\binquérito\b",
    r"\bApagámos\b",
    r"\bencontrámos\b",
    r"\bPassámos\b",
    r"\bsaltar\b",
    r"\bJunte\b",
]


@pytest.mark.parametrize("pattern", EUROPEAN)
def test_portuguese_is_brazilian(pattern):
    assert not [text for text in PT.values() if re.search(pattern, text, re.IGNORECASE)], pattern


def test_portuguese_uses_the_brazilian_words_the_review_asked_for():
    assert PT[keys.FALLBACK].startswith("Desculpe, não entendemos.")
    assert "pesquisa rápida" in PT[keys.SURVEY_REMINDER]
    assert "perto de você" in PT[keys.FIND_RESULTS]
    assert PT[keys.CHECKIN_QUESTION].startswith("Como foi")


def test_the_menu_names_brazilian_portuguese_and_takes_regional_tags():
    assert languages.NAMES["pt"] == "Português (Brasil)"
    for text in ("pt-BR", "PT_BR", "Portugues", "Português (Brasil)", "portugues brasil", "pt"):
        assert keywords.menu_choice(text, languages.SHIPPED) == "pt", text
    assert keywords.menu_choice("Portugues vou", languages.SHIPPED) is None


def test_wording_fixes_per_language():
    assert gettext(TEXTS[keys.START_CONFIRMED], "fr").startswith("Bon retour parmi nous")
    assert "animateur" in gettext(TEXTS[keys.RELAY_TO_LEARNER], "fr")
    assert "tak: %(yes)s, nie: %(no)s, bez odpowiedzi: %(none)s" in gettext(TEXTS[keys.FACILITATOR_TALLY], "pl")
    assert gettext(TEXTS[keys.SURVEY_INTRO], "pl").startswith("Zajęcia w grupie %(circle)s się zakończyły")
    assert gettext(TEXTS[keys.LABEL_NOT_AT_ALL], "sw") == "hata kidogo"
    assert "maswali yetu mafupi" in gettext(TEXTS[keys.SURVEY_REMINDER], "sw")
    assert "¿Cómo te llamas?" in gettext(TEXTS[keys.SIGNUP_ASK_NAME], "es")
    assert "Confirma el código en tu biblioteca" in gettext(TEXTS[keys.SIGNUP_UNKNOWN_CODE], "es")


def test_swahili_names_a_town_not_a_us_zip_code():
    assert "TAFUTA Nakuru" in gettext(TEXTS[keys.FIND_NEED_PLACE], "sw")


def test_the_swahili_date_hint_shows_the_clock_the_bot_uses():
    at_six = format_when(When(datetime(2026, 12, 1, 18, 0, tzinfo=ZoneInfo("Africa/Nairobi")), "Africa/Nairobi"), "sw")
    assert at_six.endswith("6:00 PM")
    assert "6:00 PM" in gettext(TEXTS[keys.FAC_BAD_DATE], "sw")
