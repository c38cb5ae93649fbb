"""Keeps ``bot/locales/`` current with Babel's own extract, update and compile commands.

    python scripts/catalogs.py extract   # pybabel extract → bot/locales/messages.pot, then update
    python scripts/catalogs.py compile   # pybabel compile every catalog to .mo

English msgids are the English text, so ``en`` is filled with msgstr = msgid on update (for a
plural entry: the singular, then the plural). Babel's default keywords (``_``, ``gettext``,
``ngettext``, ``pgettext``...) are extracted too; ``N_`` and ``NP_`` are texts.py's markers.
"""

from __future__ import annotations

import os
import sys

from babel.messages.frontend import CommandLineInterface
from babel.messages.pofile import read_po, write_po

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
LOCALES = os.path.join(ROOT, "bot", "locales")
POT = os.path.join(LOCALES, "messages.pot")
sys.path.insert(0, ROOT)
from bot.settings import SHIPPED_LOCALES  # noqa: E402


def pybabel(*args: str) -> None:
    """Runs one pybabel command in-process."""
    CommandLineInterface().run(["pybabel", "-q", *args])


def extract() -> None:
    """Extracts msgids and updates (or creates) every shipped catalog."""
    os.chdir(ROOT)
    pybabel(
        "extract",
        "-F",
        "babel.cfg",
        "-k",
        "N_",
        "-k",
        "NP_:1,2",
        "--no-location",
        "--sort-output",
        "--project",
        "circlebot",
        "-o",
        POT,
        ".",
    )
    for lang in SHIPPED_LOCALES:
        po = os.path.join(LOCALES, lang, "LC_MESSAGES", "messages.po")
        if os.path.exists(po):
            pybabel("update", "-i", POT, "-d", LOCALES, "-l", lang, "--no-fuzzy-matching", "--ignore-obsolete")
        else:
            pybabel("init", "-i", POT, "-d", LOCALES, "-l", lang)
    _fill_english()


def _fill_english() -> None:
    po = os.path.join(LOCALES, "en", "LC_MESSAGES", "messages.po")
    with open(po, "rb") as fp:
        catalog = read_po(fp, locale="en")
    for message in catalog:
        if message.id:
            message.string = message.id if isinstance(message.id, str) else tuple(message.id)
    with open(po, "wb") as fp:
        write_po(fp, catalog, omit_header=False, no_location=True, sort_output=True)


def compile_all() -> None:
    """Compiles every catalog to a .mo beside it."""
    pybabel("compile", "-d", LOCALES, "--statistics")


if __name__ == "__main__":
    {"extract": extract, "compile": compile_all}[sys.argv[1] if len(sys.argv) > 1 else "compile"]()
