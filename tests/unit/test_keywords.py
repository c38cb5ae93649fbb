"""The keyword table: any case, spacing or accents; one table for every language."""
import pytest

from flows import keywords


@pytest.mark.parametrize("text,expected", [
    ("STOP", ("stop", "en")), (" stop ", ("stop", "en")), ("Stop!", ("stop", "en")),
    ("ALTO", ("stop", "es")), ("baja", ("stop", "es")), ("ARRÊT", ("stop", "fr")), ("arret", ("stop", "fr")),
    ("PARAR", ("stop", "es")), ("sitisha", ("stop", "sw")), ("ACHA", None), ("Acha!", None),
    ("AYUDA", ("help", "es")), ("AIDE", ("help", "fr")), ("AJUDA", ("help", "pt")), ("POMOC", ("help", "pl")),
    ("MSAADA", ("help", "sw")), ("IDIOMA", ("language", "es")), ("LANGUE", ("language", "fr")),
    ("LÍNGUA", ("language", "pt")), ("JĘZYK", ("language", "pl")), ("LUGHA", ("language", "sw")),
    ("unstop", ("start", "en")),
    ("YES", None), ("stop please", None), ("", None), ("🙂", None),
])
def test_match(text, expected):
    assert keywords.match(text) == expected


def test_own_language_wins():
    assert keywords.match("PARAR", "pt") == ("stop", "pt")
    assert keywords.match("STOP", "pl") == ("stop", "pl")


def test_no_word_means_two_different_keywords():
    seen = {}
    for keyword, by_language in keywords.KEYWORDS.items():
        for words in by_language.values():
            for word in words:
                assert seen.setdefault(word, keyword) == keyword, word
                assert word == keywords.normalize(word), f"{word} must be written normalised"


@pytest.mark.parametrize("text,expected", [
    ("JOIN KC42", ("KC42", None)), ("join kc42", ("KC42", None)), ("JOIN KC 42", ("KC42", None)),
    ("UNIRSE KC42", ("KC42", "es")), ("DOŁĄCZ KC42", ("KC42", "pl")), ("/start KC42", ("KC42", None)),
    ("JOIN", (None, None)), ("hello KC42", None), ("", None),
])
def test_join_trigger(text, expected):
    assert keywords.join_trigger(text) == expected


def test_join_trigger_caps_a_huge_code():
    code, _ = keywords.join_trigger("JOIN " + "X" * 1000)
    assert len(code) <= 12


def test_menu_choice():
    langs = ("en", "es", "fr", "pt", "pl", "sw")
    assert keywords.menu_choice("1", langs) == "en"
    assert keywords.menu_choice(" 6 ", langs) == "sw"
    assert keywords.menu_choice("español", langs) == "es"
    assert keywords.menu_choice("7", langs) is None and keywords.menu_choice("0", langs) is None
