"""Global keywords and triggers, recognised in any letter case, spacing or accents.

This is the one table of keywords. Issue "Six languages" adds the other languages' words
beside the English ones; the English words are always recognised.
"""
from __future__ import annotations

import re
import unicodedata

from flows import languages

STOP, START, HELP, LANGUAGE, JOIN = "stop", "start", "help", "language", "join"
FIND, FORGET, LEAVE, SKIP = "find", "forget", "leave", "skip"

# keyword -> language -> words, normalised (upper case, no accents): ARRÊT is matched as ARRET.
# The English words are always recognised. Where one word belongs to two keywords in different
# languages, the sender's own language wins (``match``); no word below does that today.
KEYWORDS: dict[str, dict[str, tuple[str, ...]]] = {
    STOP: {
        "en": ("STOP", "STOPALL", "UNSUBSCRIBE", "CANCEL", "END", "QUIT", "REVOKE", "OPTOUT"),
        "es": ("ALTO", "BAJA", "PARAR", "DETENER"),
        "fr": ("ARRET", "STOPPER", "DESABONNER"),
        "pt": ("PARAR", "SAIR", "CANCELAR"),
        "pl": ("STOP", "KONIEC", "WYPISZ"),
        "sw": ("ACHA", "SITISHA", "SIMAMISHA"),
    },
    START: {
        "en": ("START", "UNSTOP"),
        "es": ("ALTA", "REANUDAR"),
        "fr": ("REPRENDRE",),
        "pt": ("VOLTAR", "RETOMAR"),
        "pl": ("WZNOW",),
        "sw": ("ANZA", "REJEA"),
    },
    HELP: {
        "en": ("HELP", "INFO"),
        "es": ("AYUDA",),
        "fr": ("AIDE",),
        "pt": ("AJUDA",),
        "pl": ("POMOC",),
        "sw": ("MSAADA",),
    },
    LANGUAGE: {
        "en": ("LANGUAGE",),
        "es": ("IDIOMA",),
        "fr": ("LANGUE",),
        "pt": ("LINGUA", "IDIOMA"),
        "pl": ("JEZYK",),
        "sw": ("LUGHA",),
    },
    JOIN: {
        "en": ("JOIN",),
        "es": ("UNIRSE", "UNIRME"),
        "fr": ("REJOINDRE", "INSCRIPTION"),
        "pt": ("ENTRAR", "PARTICIPAR"),
        "pl": ("DOLACZ",),
        "sw": ("JIUNGE", "JIUNGA"),
    },
}

# Words that take an argument (FIND 64105, LEAVE KC42) or stand alone (FORGET, SKIP).
COMMANDS: dict[str, dict[str, tuple[str, ...]]] = {
    FIND: {"en": ("FIND",), "es": ("BUSCAR",), "fr": ("TROUVER",), "pt": ("PROCURAR",), "pl": ("SZUKAJ",),
           "sw": ("TAFUTA",)},
    FORGET: {"en": ("FORGET",), "es": ("OLVIDAR",), "fr": ("OUBLIER",), "pt": ("ESQUECER",), "pl": ("ZAPOMNIJ",),
             "sw": ("SAHAU",)},
    LEAVE: {"en": ("LEAVE",), "es": ("SALIR",), "fr": ("QUITTER",), "pt": ("DEIXAR",), "pl": ("OPUSC",),
            "sw": ("ONDOKA",)},
    SKIP: {"en": ("SKIP",), "es": ("SALTAR",), "fr": ("PASSER",), "pt": ("PULAR",), "pl": ("POMIN",),
           "sw": ("RUKA",)},
}

# The facilitator's text commands (only read from a facilitator's number).
CIRCLES, TALLY, CANCEL, MOVE, MSG, HOW = "circles", "tally", "cancel", "move", "msg", "how"
FACILITATOR_COMMANDS: dict[str, dict[str, tuple[str, ...]]] = {
    CIRCLES: {"en": ("CIRCLES",), "es": ("CIRCULOS",), "fr": ("CERCLES",), "pt": ("GRUPOS",), "pl": ("GRUPY",),
              "sw": ("VIKUNDI",)},
    TALLY: {"en": ("TALLY",), "es": ("CONTEO",), "fr": ("DECOMPTE",), "pt": ("CONTAGEM",), "pl": ("LICZBA",),
            "sw": ("IDADI",)},
    CANCEL: {"en": ("CANCEL",), "es": ("CANCELAR",), "fr": ("ANNULER",), "pt": ("CANCELAR",), "pl": ("ODWOLAJ",),
             "sw": ("GHAIRI",)},
    MOVE: {"en": ("MOVE",), "es": ("MOVER",), "fr": ("DEPLACER",), "pt": ("MUDAR",), "pl": ("PRZENIES",),
           "sw": ("HAMISHA",)},
    MSG: {"en": ("MSG",), "es": ("MENSAJE",), "fr": ("MESSAGE",), "pt": ("MENSAGEM",), "pl": ("WIADOMOSC",),
          "sw": ("UJUMBE",)},
    HOW: {"en": ("HOW",), "es": ("COMO",), "fr": ("COMMENT",), "pt": ("BALANCO",), "pl": ("JAK",),
          "sw": ("VIPI",)},
}

YES, NO = "yes", "no"

# RSVP answers, only read when the sender's most recent question was a reminder. YES is never an
# opt-in word: only START and UNSTOP (and their translations) are.
ANSWERS: dict[str, dict[str, tuple[str, ...]]] = {
    YES: {"en": ("1", "YES", "Y", "YEP", "YEAH", "OK"), "es": ("SI", "VOY"), "fr": ("OUI",), "pt": ("SIM", "VOU"),
          "pl": ("TAK",), "sw": ("NDIYO", "NDIO", "SAWA")},
    NO: {"en": ("2", "NO", "N", "NOPE"), "es": ("NO",), "fr": ("NON",), "pt": ("NAO",), "pl": ("NIE",),
         "sw": ("HAPANA", "LA")},
}

LANGUAGE_NAMES = languages.NAMES

_CODE = re.compile(r"^[A-Z0-9]{3,8}$")
_EDGE_PUNCTUATION = ".,;:!?¡¿\"'()[]*-_~"


_NO_DECOMPOSITION = str.maketrans({"ł": "l", "Ł": "L", "đ": "d", "Đ": "D", "ø": "o", "Ø": "O"})


def normalize(text: str) -> str:
    """Upper-cases ``text``, drops accents and folds runs of white space to one space."""
    decomposed = unicodedata.normalize("NFKD", (text or "").translate(_NO_DECOMPOSITION))
    plain = "".join(ch for ch in decomposed if not unicodedata.combining(ch))
    return " ".join(plain.upper().split())


def words(text: str) -> list[str]:
    """Splits ``text`` into normalised words, with punctuation trimmed from their edges."""
    out = []
    for word in normalize(text).split(" "):
        word = word.strip(_EDGE_PUNCTUATION)
        if word:
            out.append(word)
    return out


def match(text: str, language: str | None = None) -> tuple[str, str] | None:
    """Returns ``(keyword, language)`` when the whole text is one global keyword, else None.

    The sender's own language wins where a word means different things in two languages.
    """
    parts = words(text)
    if len(parts) != 1:
        return None
    word = parts[0]
    for keyword, by_language in KEYWORDS.items():
        if keyword == JOIN:
            continue
        if language and word in by_language.get(language, ()):
            return keyword, language
    for keyword, by_language in KEYWORDS.items():
        if keyword == JOIN:
            continue
        for lang, wordlist in by_language.items():
            if word in wordlist:
                return keyword, lang
    return None


def answer(text: str) -> str | None:
    """Returns ``yes`` or ``no`` when the whole text is an RSVP answer in any language, else None."""
    parts = words(text)
    if len(parts) != 1 and not (len(parts) == 2 and parts[0] in ("1", "2")):
        return None
    for meaning, by_language in ANSWERS.items():
        if any(parts[0] in ws for ws in by_language.values()):
            return meaning
    return None


def command(text: str, table: dict) -> tuple[str, str, list[str]] | None:
    """Returns ``(command, language, rest)`` when the first word of ``text`` is in ``table``."""
    parts = words(text)
    if not parts:
        return None
    for name, by_language in table.items():
        for lang, ws in by_language.items():
            if parts[0] in ws:
                return name, lang, parts[1:]
    return None


def rest_of(text: str) -> str:
    """The text after its first word, as written (for MSG and relayed replies)."""
    stripped = (text or "").strip()
    return stripped.split(None, 1)[1].strip() if len(stripped.split(None, 1)) == 2 else ""


def looks_like_code(word: str) -> bool:
    """True when ``word`` has the shape of a circle code (3 to 8 letters or digits)."""
    return bool(_CODE.match(word))


def join_trigger(text: str) -> tuple[str | None, str | None] | None:
    """Parses ``JOIN <code>`` or ``/start <code>``.

    Returns:
        ``(code, language)`` where code is None when the keyword came without a code and language
        is the keyword's language (None for English and ``/start``), or None when the text is
        not a join trigger.
    """
    parts = words(text)
    if not parts:
        return None
    first = parts[0]
    if first == "/START":
        lang = None
    else:
        lang = next((lang for lang, ws in KEYWORDS[JOIN].items() if first in ws), None)
        if lang is None:
            return None
        if lang == "en":  # English works everywhere, so it says nothing about the learner's language
            lang = None
    if len(parts) == 1:
        return None, lang
    code = "".join(parts[1:]) if len(parts) <= 3 else parts[1]
    return (code if looks_like_code(code) else parts[1][:12]), lang


def candidate_codes(text: str) -> list[str]:
    """The words of ``text`` that could name a circle: the first two, or a spaced code."""
    parts = words(text)[:3]
    found = [word for word in parts[:2] if looks_like_code(word)]
    if len(parts) >= 2 and looks_like_code("".join(parts[1:])):
        found.append("".join(parts[1:]))
    return found


def language_menu(languages: tuple[str, ...]) -> str:
    """The numbered language menu, one language a line."""
    return "\n".join(f"{i} {LANGUAGE_NAMES[lang]}" for i, lang in enumerate(languages, start=1))


def menu_choice(text: str, languages: tuple[str, ...]) -> str | None:
    """Returns the language picked by a reply to the menu (a number or a language name)."""
    parts = words(text)
    if len(parts) != 1:
        return None
    word = parts[0]
    if word.isdigit() and 1 <= int(word) <= len(languages):
        return languages[int(word) - 1]
    for lang in languages:
        if word in (normalize(LANGUAGE_NAMES[lang]), lang.upper()):
            return lang
    return None
