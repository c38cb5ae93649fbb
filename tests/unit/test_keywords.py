"""The keyword table: any case, spacing or accents; one table for every language."""

import pytest

from flows import answers, facilitator_words, keywords


@pytest.mark.parametrize(
    "text,expected",
    [
        ("STOP", ("stop", "en")),
        (" stop ", ("stop", "en")),
        ("Stop!", ("stop", "en")),
        ("ALTO", ("stop", "es")),
        ("baja", ("stop", "es")),
        ("ARRÊT", ("stop", "fr")),
        ("arret", ("stop", "fr")),
        ("PARAR", ("stop", "es")),
        ("sitisha", ("stop", "sw")),
        ("ACHA", None),
        ("Acha!", None),
        ("AYUDA", ("help", "es")),
        ("AIDE", ("help", "fr")),
        ("AJUDA", ("help", "pt")),
        ("POMOC", ("help", "pl")),
        ("MSAADA", ("help", "sw")),
        ("IDIOMA", ("language", "es")),
        ("LANGUE", ("language", "fr")),
        ("LÍNGUA", ("language", "pt")),
        ("JĘZYK", ("language", "pl")),
        ("LUGHA", ("language", "sw")),
        ("unstop", ("start", "en")),
        ("YES", None),
        ("stop please", None),
        ("", None),
        ("🙂", None),
    ],
)
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


@pytest.mark.parametrize(
    "text,expected",
    [
        ("JOIN KC42", ("KC42", None)),
        ("join kc42", ("KC42", None)),
        ("JOIN KC 42", ("KC42", None)),
        ("UNIRSE KC42", ("KC42", "es")),
        ("DOŁĄCZ KC42", ("KC42", "pl")),
        ("/start KC42", ("KC42", None)),
        ("JOIN", (None, None)),
        ("hello KC42", None),
        ("", None),
    ],
)
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


# Issue 16: each keyword change per language. (text, sender's language, expected (keyword, its language) or None)
@pytest.mark.parametrize(
    "text,lang,expected",
    [
        ("PARAR", "pt", ("stop", "pt")),
        ("Cancelar", "pt", None),  # issue 23: a no to the reminder, or asked first (flows/stopping.py)
        ("Sair", "pt", None),
        ("STOP", "pl", ("stop", "pl")),
        ("koniec", "pl", None),  # issue 23: likewise
        ("Wypisz", "pl", None),
        ("Acha!", "sw", None),
        ("ACHA", None, None),
        ("SITISHA", "sw", ("stop", "sw")),
        ("STOP", "sw", ("stop", "en")),
        ("Volver", "es", ("start", "es")),
        ("ALTA", "es", ("start", "es")),
        ("ALTO", "es", ("stop", "es")),
        ("Saidia", "sw", ("help", "sw")),
        ("msaada", "sw", ("help", "sw")),
    ],
)
def test_changed_global_keywords(text, lang, expected):
    assert keywords.match(text, lang) == expected


@pytest.mark.parametrize(
    "text,expected",
    [
        ("Sair KC42", ("leave", "pt")),
        ("DEIXAR", ("leave", "pt")),
        ("Wypisz mnie", ("leave", "pl")),
        ("OPUŚĆ", ("leave", "pl")),
        ("salir", ("leave", "es")),
        ("BORRAR", ("forget", "es")),
        ("apagar", ("forget", "pt")),
        ("Effacer", ("forget", "fr")),
        ("FUTA", ("forget", "sw")),
        ("USUŃ", ("forget", "pl")),
        ("usun", ("forget", "pl")),
        ("ACHA", None),
    ],
)
def test_changed_learner_commands(text, expected):
    found = keywords.command(text, keywords.COMMANDS)
    assert (found[:2] if found else None) == expected


@pytest.mark.parametrize(
    "text,expected",
    [
        ("REPASO KC42", "how"),
        ("BILAN KC42", "how"),
        ("OCENA KC42", "how"),
        ("TATHMINI KC42", "how"),
        ("BALANÇO KC42", "how"),
        ("HOW KC42", "how"),
        ("TALLY KC42", "tally"),
        ("Como siempre", None),
        ("Comment ça va", None),
        ("Jak zwykle", None),
        ("Vipi", None),
    ],
)
def test_how_words_rarely_open_a_sentence(text, expected):
    found = keywords.command(text, facilitator_words.FACILITATOR_COMMANDS)
    assert (found[0] if found else None) == expected


@pytest.mark.parametrize(
    "text,expected",
    [
        ("ZAPISZ KC42", ("KC42", "pl")),
        ("ZAPISZ", (None, "pl")),
        ("DOŁĄCZ KC42", ("KC42", "pl")),
    ],
)
def test_zapisz_joins(text, expected):
    assert keywords.join_trigger(text) == expected


def test_no_word_means_two_things_across_every_table():
    """A word is one keyword, one command or one answer, in every language. The one exception is the
    carriers' CANCEL (and its es/pt CANCELAR): alone it is STOP (en) or a no to a reminder (pt, issue 23),
    from a facilitator before a code it cancels a meeting."""
    seen: dict[str, str] = {}
    tables = {**{k: v for k, v in keywords.KEYWORDS.items()}, **keywords.COMMANDS, **answers.ANSWERS}
    for table in (tables, facilitator_words.FACILITATOR_COMMANDS):
        for name, by_language in table.items():
            for word in {w for ws in by_language.values() for w in ws}:
                assert word == keywords.normalize(word), word
                if word in ("CANCEL", "CANCELAR") and name in (keywords.STOP, facilitator_words.CANCEL, keywords.NO):
                    continue
                assert seen.setdefault(word, name) == name, (word, seen[word], name)


# Answers in natural words: one word, and short answers that clearly say yes or no. (language, text, meaning)
ANSWER_CASES = [
    ("en", "yes", "yes"),
    ("en", "Yes I'll come", "yes"),
    ("en", "Yes I’ll come", "yes"),
    ("en", "Yes please", "yes"),
    ("en", "ok thanks", "yes"),
    ("en", "No thanks", "no"),
    ("en", "Sorry can't come", "no"),
    ("en", "nope", "no"),
    ("es", "Claro", "yes"),
    ("es", "Sí, claro", "yes"),
    ("es", "Sí voy", "yes"),
    ("es", "No voy", "no"),
    ("es", "No puedo", "no"),
    ("es", "Claro que sí", "yes"),
    ("es", "No, gracias", "no"),
    ("fr", "Ouais", "yes"),
    ("fr", "Oui merci", "yes"),
    ("fr", "Je viens", "yes"),
    ("fr", "Non merci", "no"),
    ("pt", "Sim", "yes"),
    ("pt", "Vou sim", "yes"),
    ("pt", "Não vou", "no"),
    ("pt", "Não posso", "no"),
    ("pt", "Sim, obrigada", "yes"),
    ("pl", "Będę", "yes"),
    ("pl", "Przyjdę", "yes"),
    ("pl", "Jasne", "yes"),
    ("pl", "Tak, będę", "yes"),
    ("pl", "Niestety", "no"),
    ("pl", "Nie przyjdę", "no"),
    ("pl", "Nie będę", "no"),
    ("pl", "Nie mogę", "no"),
    ("pl", "Nie, niestety", "no"),
    ("sw", "Eeh", "yes"),
    ("sw", "Ee", "yes"),
    ("sw", "Nitakuja", "yes"),
    ("sw", "Nitafika", "yes"),
    ("sw", "Ndiyo nitakuja", "yes"),
    ("sw", "Sitakuja", "no"),
    ("sw", "Sitaweza", "no"),
    ("sw", "Sitaweza kuja", "no"),
    ("sw", "Hapana, asante", "no"),
    ("en", "1", "yes"),
    ("en", "2 sorry", "no"),
]

NOT_ANSWERS = [
    ("en", "No problem, see you there"),
    ("en", "Yes but I'll be late"),
    ("en", "Can I come?"),
    ("en", "Yes I can't come"),
    ("en", "No I'll come"),
    ("en", "Not sure yet"),
    ("en", "Yes, I'll be there at 6"),
    ("es", "Claro que no"),
    ("es", "Sí, no sé"),
    ("es", "No sé todavía"),
    ("es", "Voy a llegar tarde"),
    ("fr", "Je viens pas"),
    ("fr", "Oui mais en retard"),
    ("pt", "Não sei ainda"),
    ("pt", "Sim, mas vou atrasar"),
    ("pl", "Nie wiem jeszcze"),
    ("pl", "Tak, ale się spóźnię"),
    ("sw", "Nitakuja lakini nitachelewa"),
    ("sw", "Sijui bado"),
    ("en", ""),
    ("es", "¿Voy yo?"),
    ("pl", "Będę?  Chyba tak"),
]


@pytest.mark.parametrize("lang,text,meaning", ANSWER_CASES, ids=[f"{c[0]}:{c[1]}" for c in ANSWER_CASES])
def test_answers_in_natural_words(lang, text, meaning):
    assert answers.answer(text) == meaning


@pytest.mark.parametrize("lang,text", NOT_ANSWERS, ids=[f"{c[0]}:{c[1]}" for c in NOT_ANSWERS])
def test_longer_or_mixed_texts_are_not_answers(lang, text):
    assert answers.answer(text) is None


def test_the_ascii_shortcut_normalises_as_the_full_path_does():
    """``normalize`` skips decomposition for ASCII text (issue 31): every ASCII character, alone and in
    words with every kind of white space, comes out as the full path gives it."""
    samples = [chr(i) for i in range(128)]
    samples += ["  join  kc42\t", "Yes\r\nplease", "a\x0bb\x0cc\x1cd\x1fe", "ok!", "", "  "]
    for text in samples:
        assert keywords.normalize(text) == keywords._normalize_any(text), repr(text)
    assert keywords.normalize("Sí, ¡ahí estaré!") == "SI, ¡AHI ESTARE!"
    assert keywords.normalize(None) == ""  # type: ignore[arg-type]
