"""Grammar that holds for every count, weekday and clock (issue 23), in every shipped locale.

- Counts go through ``ngettext`` with each language's CLDR plural rule (Polish: 1, 2-4, 5+ and 12-14).
- A date never follows a preposition that would need the weekday inflected ("na środa", "em terça").
- No sentence ends in a doubled full stop after a time that ends with one ("11:00 p.m..").
- Times read as each country writes them (Québec "18 h", Kenya "6:00 pm", US Spanish "6:00 p.m.").
- Each catalog names its own language as its grammar needs ("en español", "po polsku").
- Keywords inside texts keep their accents (ARRÊT, NÃO, POMIŃ); the matcher takes both spellings.
"""

from __future__ import annotations

import os
import re
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from babel import Locale
from babel.messages.plurals import get_plural
from babel.messages.pofile import read_po

from bot.render import i18n, segments, sms, text, voice
from bot.render.texts import PARTS, TEXTS, Plural
from bot.reports import budget
from bot.settings import SHIPPED_LOCALES
from flows import keys, keywords, languages
from flows.results import CircleLine, Reply, When

COUNTS = (0, 1, 2, 5, 12, 22, 25)
PLACEHOLDER = re.compile(r"%\((\w+)\)s")
# A doubled full stop that is not an ellipsis ("..." marks a shortened quote).
DOUBLE_STOP = re.compile(r"(?<!\.)\.\.(?!\.)")
# Zones whose clocks end in a full stop in some locale: es-US "p.m.", en-CA "p.m.".
ZONES = (
    "America/New_York",
    "America/Toronto",
    "America/Chicago",
    "Africa/Nairobi",
    "Europe/Warsaw",
    "America/Sao_Paulo",
)


def catalog(lang: str):
    with open(os.path.join(i18n.LOCALES_DIR, lang, "LC_MESSAGES", "messages.po"), "rb") as fp:
        return read_po(fp, locale=lang)


def template():
    with open(os.path.join(i18n.LOCALES_DIR, "messages.pot"), "rb") as fp:
        return read_po(fp)


# --- plural forms ---------------------------------------------------------------------------------

PLURAL_KEYS = sorted(key for key, msgid in TEXTS.items() if isinstance(msgid, Plural))
WEB_PLURAL = ("Your message is on its way to %(num)s learner.", "Your message is on its way to %(num)s learners.")


def form_index(lang: str, n: int) -> int:
    """The catalog's plural form for ``n``: the Plural-Forms expression Babel writes from CLDR."""
    return i18n.translations(lang).plural(n)


def test_every_text_with_a_count_is_a_plural_entry_in_the_template():
    assert {keys.FACILITATOR_JOINED, keys.FAC_CIRCLES_MORE, keys.LINK_CODE} <= set(PLURAL_KEYS)
    plural_ids = {m.id for m in template() if m.id and not isinstance(m.id, str)}
    for key in PLURAL_KEYS:
        assert (str(TEXTS[key]), TEXTS[key].plural) in plural_ids, key
    assert WEB_PLURAL in plural_ids


@pytest.mark.parametrize("lang", SHIPPED_LOCALES)
def test_plural_forms_header_is_cldr_s_and_every_form_is_filled(lang):
    cat = catalog(lang)
    assert (cat.num_plurals, cat.plural_expr) == get_plural(Locale.parse(lang))
    for message in cat:
        if message.id and not isinstance(message.id, str):
            assert len(message.string) == cat.num_plurals and all(message.string), (lang, message.id)


@pytest.mark.parametrize("lang", SHIPPED_LOCALES)
@pytest.mark.parametrize("key", PLURAL_KEYS)
def test_each_count_renders_its_own_form(lang, key):
    msgid = TEXTS[key]
    forms = next(m.string for m in catalog(lang) if m.id == (str(msgid), msgid.plural))
    for n in COUNTS:
        params = {**budget.PLACEHOLDER_LONGEST, "lines": "L", "others": "O", msgid.counted: n}
        said = text.words(Reply(key, params), lang)
        assert said == i18n.fill(forms[form_index(lang, n)], {k: str(v) for k, v in params.items()})
        assert str(n) in said


# What a native reader expects for "N of 12 places are taken", per count.
JOINED = {
    "en": {1: "1 of 12 places is taken", 0: "0 of 12 places are taken", 2: "2 of 12 places are taken"},
    "es": {1: "Ocupado: 1 lugar de 12", 2: "Ocupados: 2 lugares de 12", 0: "Ocupados: 0 lugares de 12"},
    "fr": {0: "0 place prise sur 12", 1: "1 place prise sur 12", 2: "2 places prises sur 12"},
    "pt": {0: "0 vaga ocupada de 12", 1: "1 vaga ocupada de 12", 5: "5 vagas ocupadas de 12"},
    "pl": {
        0: "Zajętych jest 0 miejsc z 12",
        1: "Zajęte jest 1 miejsce z 12",
        2: "Zajęte są 2 miejsca z 12",
        5: "Zajętych jest 5 miejsc z 12",
        12: "Zajętych jest 12 miejsc z 12",
        22: "Zajęte są 22 miejsca z 12",
        25: "Zajętych jest 25 miejsc z 12",
    },
    "sw": {1: "Nafasi 1 kati ya 12 imechukuliwa", 2: "Nafasi 2 kati ya 12 zimechukuliwa"},
}


@pytest.mark.parametrize("lang", SHIPPED_LOCALES)
def test_places_taken_agree_with_the_count(lang):
    for n, expected in JOINED[lang].items():
        params = {"name": "Amina", "circle": "Public Speaking", "enrolled": n, "capacity": 12}
        assert expected in text.words(Reply(keys.FACILITATOR_JOINED, params), lang), (lang, n)


def test_polish_has_three_forms_and_12_to_14_are_not_few():
    assert [form_index("pl", n) for n in COUNTS] == [2, 0, 1, 2, 2, 1, 2]
    assert [form_index("pl", n) for n in (3, 4, 13, 14, 23, 24, 112)] == [1, 1, 2, 2, 1, 1, 2]


@pytest.mark.parametrize("lang", SHIPPED_LOCALES)
def test_web_count_uses_ngettext(lang):
    one, many = (i18n.ngettext(*WEB_PLURAL, n, lang) % {"num": n} for n in (1, 5))
    assert one != many
    if lang == "pl":
        assert i18n.ngettext(*WEB_PLURAL, 22, lang) % {"num": 22} == "Wiadomość jest w drodze do 22 osób."


# --- dates after a preposition ---------------------------------------------------------------------

# The word allowed right before a date, per language; None: any word but those in ``FORBIDDEN``.
# pl: the date always stands alone (after ":", "(" or ","): "na środę" / "z soboty" would need the weekday
#     inflected, which CLDR's nominative "środa" is not. pt: alone too, except "até" ("até terça-feira"),
#     which takes the bare weekday. es: only an article ("el martes", "del", "al"). fr: only "le", "du", "au".
ALLOWED = {"pl": set(), "pt": {"até"}, "es": {"el", "del", "al"}, "fr": {"le", "du", "au"}}
FORBIDDEN = {"en": {"at", "in"}, "sw": {"katika", "kwenye", "mnamo"}}
WEEKDAYS = [datetime(2026, 12, 7 + offset, 18, 0) for offset in range(7)]  # Monday 7 to Sunday 13 December


def date_msgids() -> list[str]:
    """Every msgid (texts, voice prompts, pages) that embeds a meeting's date."""
    return sorted(
        m.id for m in template() if isinstance(m.id, str) and {"when", "old"} & set(PLACEHOLDER.findall(m.id))
    )


def filler(name: str) -> str:
    return {"yes": "3", "no": "1", "none": "2", "count": "2", "seq": "2", "number": "7"}.get(name, "Kurs")


def rendered_with_dates(lang: str, msgid: str, day: datetime, zone: str) -> tuple[str, list[str]]:
    """``msgid`` in ``lang`` with its dates on ``day`` (and the old date two days before), and those dates."""
    tz = ZoneInfo(zone)
    when = When(day.replace(tzinfo=tz), zone)
    old = When((day - timedelta(days=2)).replace(tzinfo=tz), zone)
    dates = {"when": i18n.format_when(when, lang), "old": i18n.format_when(old, lang)}
    params = {name: dates.get(name, filler(name)) for name in PLACEHOLDER.findall(msgid)}
    return i18n.fill(i18n.gettext(msgid, lang), params), [dates[n] for n in ("when", "old") if n in params]


def word_before(said: str, date: str) -> str:
    """The word right before ``date`` in ``said``, lower-cased; "" after punctuation or at the start."""
    before = said[: said.index(date)].rstrip()
    if not before or not before[-1].isalpha():
        return ""
    return re.findall(r"[^\W\d_]+$", before)[0].lower()


def test_every_text_with_a_date_is_checked():
    found = date_msgids()
    assert len(found) >= 18
    for key in (keys.REMINDER, keys.MEETING_MOVED, keys.MEETING_CANCELLED, keys.RSVP_YES, keys.VOICE_NOT_NOW):
        assert TEXTS[key] in found


@pytest.mark.parametrize("lang", SHIPPED_LOCALES)
@pytest.mark.parametrize("day", WEEKDAYS, ids=lambda d: d.strftime("%a"))
def test_no_date_follows_a_preposition_on_any_weekday(lang, day):
    zone = get_zone(lang)
    for msgid in date_msgids():
        said, dates = rendered_with_dates(lang, msgid, day, zone)
        for date in dates:
            assert date in said, (msgid, said)
            word = word_before(said, date)
            if lang in ALLOWED:
                assert word == "" or word in ALLOWED[lang], (lang, word, said)
            else:
                assert word not in FORBIDDEN[lang], (lang, word, said)


def get_zone(lang: str) -> str:
    """A circle's zone in the country each catalog is written for."""
    return {
        "en": "America/Chicago",
        "es": "America/New_York",
        "fr": "Europe/Paris",
        "pt": "America/Sao_Paulo",
        "pl": "Europe/Warsaw",
        "sw": "Africa/Nairobi",
    }[lang]


def test_the_reported_polish_and_portuguese_sentences_are_gone():
    wednesday, tuesday = WEEKDAYS[2], WEEKDAYS[1]
    moved, _ = rendered_with_dates("pl", TEXTS[keys.MEETING_MOVED], wednesday, "Europe/Warsaw")
    assert "na środa" not in moved and "z dnia" not in moved and "Nowy termin: środa, 9 grudnia" in moved
    for key in (keys.VOICE_NOT_NOW, keys.FAC_TIME_TAKEN, keys.MEETING_MOVED, keys.MEETING_CANCELLED):
        said, _ = rendered_with_dates("pt", TEXTS[key], tuesday, "America/Sao_Paulo")
        assert "em terça" not in said and "de terça" not in said and "é terça" not in said, said


# --- doubled full stops and clocks ------------------------------------------------------------------


@pytest.mark.parametrize("lang", SHIPPED_LOCALES)
@pytest.mark.parametrize("zone", ZONES)
def test_no_text_ends_a_time_with_two_full_stops(lang, zone):
    when = When(datetime(2026, 12, 5, 23, 0, tzinfo=ZoneInfo(zone)), zone)
    params = {
        **budget.PLACEHOLDER_LONGEST,
        "text": "Hi",
        "when": when,
        "old": when,
        "lines": (CircleLine("KC42", "Basics", "Library", when),),
    }
    choices = budget.choices_by_key()
    for key in sorted(set(TEXTS) - PARTS):  # parts (labels, prompts) embed no date
        reply = Reply(key, params, choices.get(key))
        for said in (
            sms.render((reply,), lang),
            sms.render((reply,), lang, fold=False),
            str(voice.render((reply,), lang)),
        ):
            assert not DOUBLE_STOP.search(said), (key, lang, said)


@pytest.mark.parametrize("lang", SHIPPED_LOCALES)
def test_no_catalog_entry_has_a_doubled_full_stop(lang):
    for message in catalog(lang):
        for form in [message.string] if isinstance(message.string, str) else message.string:
            assert not DOUBLE_STOP.search(form), form


def test_spanish_time_then_a_sentence_has_one_full_stop():
    when = When(datetime(2026, 12, 5, 23, 0, tzinfo=ZoneInfo("America/New_York")), "America/New_York")
    said = text.words(
        Reply(keys.SIGNUP_CONFIRMED, {"name": "Ana", "circle": "Inglés", "venue": "Biblioteca", "when": when}), "es"
    )
    assert "11:00 p.m. Envía AYUDA" in said


# A Tuesday at 18:00 and 18:30 local time, as each country writes it.
CLOCKS = [
    ("fr", "America/Toronto", "mardi 8 décembre, 18 h", "mardi 8 décembre, 18 h 30"),
    ("fr", "Europe/Paris", "mardi 8 décembre, 18:00", "mardi 8 décembre, 18:30"),
    ("en", "Africa/Nairobi", "Tuesday, 8 December, 6:00 pm", "Tuesday, 8 December, 6:30 pm"),
    ("sw", "Africa/Nairobi", "Jumanne, 8 Desemba, 6:00 PM", "Jumanne, 8 Desemba, 6:30 PM"),
    ("es", "America/New_York", "martes, 8 de diciembre, 6:00 p.m.", "martes, 8 de diciembre, 6:30 p.m."),
    ("pt", "America/Sao_Paulo", "terça-feira, 8 de dezembro, 18:00", "terça-feira, 8 de dezembro, 18:30"),
    ("pl", "Europe/Warsaw", "wtorek, 8 grudnia, 18:00", "wtorek, 8 grudnia, 18:30"),
    ("en", "America/Chicago", "Tuesday, December 8, 6:00 PM", "Tuesday, December 8, 6:30 PM"),
]


@pytest.mark.parametrize(("lang", "zone", "on_the_hour", "half_past"), CLOCKS)
def test_times_read_as_the_country_writes_them(lang, zone, on_the_hour, half_past):
    tz = ZoneInfo(zone)
    assert i18n.format_when(When(datetime(2026, 12, 8, 18, 0, tzinfo=tz), zone), lang) == on_the_hour
    assert i18n.format_when(When(datetime(2026, 12, 8, 18, 30, tzinfo=tz), zone), lang) == half_past


def test_quebec_s_quoted_h_is_not_a_12_hour_field():
    assert i18n.meeting_pattern("fr", "CA").endswith("H 'h' mm")
    assert "a" not in i18n.meeting_pattern("fr", "CA").split(",")[-1]


# --- the language named in a sentence, and accents ----------------------------------------------------

OWN_NAME = {
    "en": "in English.",
    "es": "en español.",
    "fr": "en français.",
    "pt": "em português.",
    "pl": "po polsku.",
    "sw": "kwa Kiswahili.",
}


@pytest.mark.parametrize("lang", SHIPPED_LOCALES)
def test_each_language_names_itself_as_its_grammar_needs(lang):
    said = sms.render((Reply(keys.LANGUAGE_SET),), lang, fold=False)
    assert said.endswith(OWN_NAME[lang])
    assert languages.NAMES[lang] not in said or lang in ("en", "sw")


def test_menu_labels_keep_their_accents_and_are_still_understood():
    assert languages.NAMES["fr"] == "Français" and languages.NAMES["pt"] == "Português (Brasil)"
    for typed, lang in (("Francais", "fr"), ("français", "fr"), ("Portugues", "pt"), ("Português (Brasil)", "pt")):
        assert keywords.menu_choice(typed, languages.SHIPPED) == lang


# Keywords as their language writes them, and the spelling without accents they replaced.
ACCENTED = {
    "es": ("SÍ", "SI"),
    "fr": ("ARRÊT", "ARRET"),
    "pt": ("NÃO", "NAO"),
    "pl": ("POMIŃ", "POMIN"),
}
ALSO_ACCENTED = {
    "pl": ("DOŁĄCZ", "DOLACZ"),
    "fr": ("DÉPLACER", "DEPLACER"),
    "es": ("CÍRCULOS", "CIRCULOS"),
    "pt": ("BALANÇO", "BALANCO"),
}


@pytest.mark.parametrize("lang", sorted(ACCENTED))
def test_keywords_in_texts_keep_their_accents(lang):
    strings = [m.string for m in catalog(lang) if m.id and isinstance(m.string, str)]
    for written, plain in (ACCENTED[lang], ALSO_ACCENTED[lang]):
        assert any(re.search(rf"(?<!\w){written}(?!\w)", s) for s in strings), written
        assert not any(re.search(rf"(?<![\wÀ-ž]){plain}(?![\wÀ-ž])", s) for s in strings), plain


@pytest.mark.parametrize(
    ("typed", "keyword"),
    [("ARRÊT", keywords.STOP), ("ARRET", keywords.STOP), ("arrêt", keywords.STOP), ("WZNÓW", keywords.START)]
    + [("WZNOW", keywords.START), ("JĘZYK", keywords.LANGUAGE), ("JEZYK", keywords.LANGUAGE)],
)
def test_the_matcher_takes_accented_and_folded_keywords(typed, keyword):
    assert keywords.match(typed)[0] == keyword


def test_sms_folds_accented_keywords_alike_in_short_and_long_texts():
    assert "POMIŃ" in sms.render((Reply(keys.HINT_SCALE5),), "pl", fold=False)  # WhatsApp keeps the letters
    assert sms.render((Reply(keys.HINT_SCALE5),), "pl").endswith("albo POMIN.")  # short SMS: folded
    long = sms.render((Reply(keys.SURVEY_INTRO, budget.longest_params("pl")),), "pl")
    assert "POMIN," in long and "Ń" not in long  # long SMS: the same spelling
    fr = sms.render((Reply(keys.SIGNUP_WAITLISTED, {"name": "Ana", "circle": "Anglais"}),), "fr")
    assert "ARRET pour" in fr and fr.startswith("Désolé")  # é is GSM-7 and kept: only Ê is folded


@pytest.mark.parametrize("lang", [lang for lang in SHIPPED_LOCALES if lang != "en"])
def test_tally_puts_each_count_after_its_label(lang):
    """Three counts in one text: "vienen: 1", not "1 vienen" (a verb after a count would need its plural)."""
    params = {"circle": "Kurs", "when": None, "yes": 1, "no": 22, "none": 5}
    said = text.words(Reply(keys.FACILITATOR_TALLY, params), lang)
    assert all(re.search(rf":\s{n}\b", said) for n in (1, 22, 5)), said


@pytest.mark.parametrize("lang", SHIPPED_LOCALES)
def test_every_plural_form_fits_the_sms_budget(lang):
    """``circlebot segments`` renders the longest count (one form); every other form must fit too."""
    for key in PLURAL_KEYS:
        params = budget.longest_params(lang)
        for n in (*COUNTS, int(budget.PLACEHOLDER_LONGEST[TEXTS[key].counted])):
            said = sms.render((Reply(key, {**params, TEXTS[key].counted: n}),), lang)
            assert segments.count(said).segments <= budget.limit(key, lang), (key, lang, n)
