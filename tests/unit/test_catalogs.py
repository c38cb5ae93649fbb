"""The catalogs: complete in every locale, same placeholders, valid plurals, no stray characters."""

from __future__ import annotations

import os
import re
import subprocess
import sys

import pytest
from babel import Locale
from babel.messages.plurals import get_plural
from babel.messages.pofile import read_po

from bot.render.i18n import LOCALES_DIR
from bot.render.texts import ALREADY_IN, NO_DATE_YET, TEXTS
from bot.settings import SHIPPED_LOCALES

PLACEHOLDER = re.compile(r"%\((\w+)\)s")
# Text a translation may keep as in English: proper nouns and the keyword STOP.
SAME_AS_ENGLISH_OK = {
    ("pl", "You stopped our texts. Text START to get them again."),
    ("es", "no"),
    ("es", "No"),  # a WhatsApp template's button (bot/render/whatsapp.py)
    ("fr", "excellent"),
    ("fr", "Code"),
    # The chart letter for "no" is N in these languages too (nie, non, não, no).
    ("es", "N"),
    ("fr", "N"),
    ("pt", "N"),
    ("pl", "N"),
    ("pl", "%(provider)s: %(num)s segment"),  # "segment" is Polish too (the message page's cost estimate)
}
STRAY = re.compile("[\u2018\u2019\u201c\u201d\u2026\u2013\u2014\u00a0\u202f\U0001f000-\U0001ffff\u2600-\u27bf]")


def catalog(lang):
    with open(os.path.join(LOCALES_DIR, lang, "LC_MESSAGES", "messages.po"), "rb") as fp:
        return read_po(fp, locale=lang)


def template():
    with open(os.path.join(LOCALES_DIR, "messages.pot"), "rb") as fp:
        return read_po(fp)


def singular(value):
    """A message's id or string; for a plural entry, its first form."""
    return value if isinstance(value, str) else value[0]


def forms(value) -> list[str]:
    """Every form of a message's string: one, or one per plural form."""
    return [value] if isinstance(value, str) else list(value)


def msgids(cat):
    return {singular(m.id) for m in cat if m.id}


def page_msgids() -> set[str]:
    """The facilitator pages' own words: ``_()`` in bot/pages and the Jinja templates under pages/."""
    from babel.messages.extract import extract_from_file

    root = os.path.dirname(os.path.dirname(LOCALES_DIR))
    found = set()
    for folder, method, options in (
        (os.path.join(root, "bot", "web"), "python", {}),
        (os.path.join(root, "bot", "templates", "pages"), "jinja2", {"extensions": "jinja2.ext.i18n"}),
    ):
        for name in sorted(os.listdir(folder)):
            if name.endswith((".py", ".html")):
                for _, message, _, _ in extract_from_file(method, os.path.join(folder, name), options=options):
                    found.add(message if isinstance(message, str) else message[0])
    return found


def test_template_holds_every_text_in_the_code():
    from bot.render import whatsapp

    assert msgids(template()) == set(TEXTS.values()) | {NO_DATE_YET, ALREADY_IN} | page_msgids() | whatsapp.MSGIDS


def test_template_is_what_pybabel_extract_makes_now(tmp_path):
    root = os.path.dirname(os.path.dirname(LOCALES_DIR))
    out = tmp_path / "fresh.pot"
    subprocess.run(
        [
            sys.executable,
            "-m",
            "babel.messages.frontend",
            "-q",
            "extract",
            "-F",
            "babel.cfg",
            "-k",
            "N_",
            "-k",
            "NP_:1,2",
            "--no-location",
            "--sort-output",
            "-o",
            str(out),
            ".",
        ],
        cwd=root,
        check=True,
    )
    with open(out, "rb") as fp:
        assert msgids(read_po(fp)) == msgids(template())


@pytest.mark.parametrize("lang", SHIPPED_LOCALES)
def test_every_msgid_is_translated(lang):
    cat = catalog(lang)
    assert msgids(cat) == msgids(template())
    missing = [m.id for m in cat if m.id and not all(forms(m.string))]
    fuzzy = [m.id for m in cat if m.id and m.fuzzy]
    assert missing == [] and fuzzy == []


@pytest.mark.parametrize("lang", SHIPPED_LOCALES)
def test_placeholders_are_identical(lang):
    for message in catalog(lang):
        if message.id:
            for form in forms(message.string):
                assert sorted(PLACEHOLDER.findall(form)) == sorted(PLACEHOLDER.findall(singular(message.id))), form
                assert ("\n%(menu)s" in form) == ("\n%(menu)s" in singular(message.id)), message.id


@pytest.mark.parametrize("lang", [lang for lang in SHIPPED_LOCALES if lang != "en"])
def test_no_translation_is_left_in_english(lang):
    for message in catalog(lang):
        if message.id and (lang, singular(message.id)) not in SAME_AS_ENGLISH_OK:
            assert singular(message.string).strip() != singular(message.id).strip(), message.id


@pytest.mark.parametrize("lang", SHIPPED_LOCALES)
def test_babel_checkers_find_nothing(lang):
    problems = [(m.id, [str(e) for e in errors]) for m, errors in catalog(lang).check()]
    assert problems == []


@pytest.mark.parametrize("lang", SHIPPED_LOCALES)
def test_plural_forms_are_valid(lang):
    cat = catalog(lang)
    expected_count, _ = get_plural(Locale.parse(lang))
    assert cat.num_plurals == expected_count
    if lang == "pl":
        assert cat.num_plurals == 3


@pytest.mark.parametrize("lang", SHIPPED_LOCALES)
def test_no_curly_quotes_ellipsis_dashes_or_emoji(lang):
    for message in catalog(lang):
        if message.id:
            for form in forms(message.string) + forms(message.id):
                assert not STRAY.search(form), (lang, form)
