"""Global keywords and triggers, recognised in any letter case, spacing or accents.

This is the one table of keywords. Issue "Six languages" adds the other languages' words
beside the English ones; the English words are always recognised. A channel's own commands (Telegram's
``/stop``, a key on a call) are in ``flows.commands``, each standing for one of these keywords.
"""

from __future__ import annotations

import re
import unicodedata
from typing import Collection, Mapping

from flows import languages

# A table of words: name (``stop``, ``find``…) -> language -> the words that say it, normalised.
WordTable = Mapping[str, Mapping[str, tuple[str, ...]]]

STOP, START, HELP, LANGUAGE, JOIN = "stop", "start", "help", "language", "join"
FIND, FORGET, LEAVE, SKIP, LINK, CALL = "find", "forget", "leave", "skip", "link", "call"

# keyword -> language -> words, normalised (upper case, no accents): ARRÊT is matched as ARRET.
# The English words are always recognised. Where one word belongs to two keywords in different
# languages, the sender's own language wins (``match``); no word below does that today.
KEYWORDS: dict[str, dict[str, tuple[str, ...]]] = {
    STOP: {
        "en": ("STOP", "STOPALL", "UNSUBSCRIBE", "CANCEL", "END", "QUIT", "REVOKE", "OPTOUT"),
        "es": ("ALTO", "BAJA", "PARAR", "DETENER"),
        "fr": ("ARRET", "STOPPER", "DESABONNER"),
        "pt": ("PARAR",),
        "pl": ("STOP",),
        # ACHA is not here: a lone "Acha!" is an everyday exclamation, and Kenyan bulk SMS teach STOP.
        "sw": ("SITISHA", "SIMAMISHA"),
    },
    START: {
        "en": ("START", "UNSTOP"),
        "es": ("VOLVER", "ALTA", "REANUDAR"),
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
        "sw": ("MSAADA", "SAIDIA"),
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
        "pl": ("DOLACZ", "ZAPISZ"),
        "sw": ("JIUNGE", "JIUNGA"),
    },
}

# Words that stop every text only once the sender says so: pt "Cancelar" and pl "Koniec" are what a
# learner answers a reminder with ("I cancel my coming", "that's it for me"). After a reminder they are a
# no for its meeting (ANSWERS); with no reminder open, the router asks whether to stop all texts.
ASK_FIRST_STOP: dict[str, tuple[str, ...]] = {"pt": ("CANCELAR",), "pl": ("KONIEC",)}

# Words that take an argument (FIND 64105, LEAVE KC42) or stand alone (FORGET, SKIP).
COMMANDS: dict[str, dict[str, tuple[str, ...]]] = {
    FIND: {
        "en": ("FIND",),
        "es": ("BUSCAR",),
        "fr": ("TROUVER",),
        "pt": ("PROCURAR",),
        "pl": ("SZUKAJ",),
        "sw": ("TAFUTA",),
    },
    FORGET: {
        "en": ("FORGET",),
        "es": ("OLVIDAR", "BORRAR"),
        "fr": ("OUBLIER", "EFFACER"),
        "pt": ("ESQUECER", "APAGAR"),
        # Not ZAPOMNIJ or SAHAU: "Zapomnij" and "Sahau" are everyday "never mind" (issue 22).
        "pl": ("USUN",),
        "sw": ("FUTA",),
    },
    LEAVE: {
        "en": ("LEAVE",),
        "es": ("SALIR",),
        "fr": ("QUITTER",),
        "pt": ("SAIR", "DEIXAR"),
        "pl": ("WYPISZ", "OPUSC"),
        "sw": ("ONDOKA",),
    },
    SKIP: {"en": ("SKIP",), "es": ("SALTAR",), "fr": ("PASSER",), "pt": ("PULAR",), "pl": ("POMIN",), "sw": ("RUKA",)},
    LINK: {
        "en": ("LINK",),
        "es": ("VINCULAR",),
        "fr": ("RELIER",),
        "pt": ("VINCULAR",),
        "pl": ("POLACZ",),
        "sw": ("UNGANISHA",),
    },
    # CALL ME: a call at the meeting's start that puts the learner into the conference call.
    CALL: {
        "en": ("CALL",),
        "es": ("LLAMAME", "LLAMENME"),
        # Words written with a space are phrases: "Appelez moi" without its hyphen, Brazil's "Me liga".
        "fr": ("APPELEZ-MOI", "APPELLE-MOI", "APPELEZ MOI", "APPELLE MOI"),
        "pt": ("ME LIGA", "ME LIGUE", "LIGUE-ME"),
        "pl": ("ZADZWON",),
        "sw": ("NIPIGIE",),
    },
}

# Words that may follow LEAVE, JOIN or FORGET without making a sentence of it: "Wypisz mnie",
# "Sair do grupo", "Leave the group", "Olvidar mis datos" are the bare command.
OBJECT_WORDS = frozenset(
    {
        "ME",
        "MY",
        "THE",
        "GROUP",
        "CIRCLE",
        "DATA",  # en
        "DEL",
        "EL",
        "GRUPO",
        "CIRCULO",
        "MIS",
        "DATOS",  # es
        "MOI",
        "DU",
        "LE",
        "GROUPE",
        "CERCLE",
        "MES",
        "DONNEES",  # fr
        "DO",
        "O",
        "MEUS",
        "DADOS",  # pt (GRUPO, CIRCULO above)
        "MNIE",
        "Z",
        "ZE",
        "GRUPY",
        "MOJE",
        "DANE",  # pl
        "KIKUNDI",
        "KWENYE",
        "TAARIFA",
        "ZANGU",
        "YANGU",  # sw
    }
)

# The one phrase that confirms FORGET's question, in the language the question was asked in (its
# ``prompt.forget`` text shows it). Nothing else erases: no digit, no yes-word, no FORGET and yes in one text.
FORGET_CONFIRMATIONS: dict[str, tuple[str, ...]] = {
    "en": ("FORGET", "YES"),
    "es": ("OLVIDAR", "SI"),
    "fr": ("OUBLIER", "OUI"),
    "pt": ("ESQUECER", "SIM"),
    "pl": ("USUN", "TAK"),
    "sw": ("FUTA", "NDIYO"),
}

YES, NO = "yes", "no"


LANGUAGE_NAMES = languages.NAMES

_CODE = re.compile(r"^[A-Z0-9]{3,8}$")
_EDGE_PUNCTUATION = ".,;:!?¡¿\"'()[]*-_~"


_NO_DECOMPOSITION = str.maketrans({"ł": "l", "Ł": "L", "đ": "d", "Đ": "D", "ø": "o", "Ø": "O"})


def normalize(text: str) -> str:
    """Upper-cases ``text``, drops accents and folds runs of white space to one space."""
    text = text or ""
    if text.isascii():  # most texts: nothing to decompose, and ASCII upper-cases to ASCII
        return " ".join(text.upper().split())
    return _normalize_any(text)


def _normalize_any(text: str) -> str:
    """``normalize`` for any text: decomposed, its combining marks dropped."""
    decomposed = unicodedata.normalize("NFKD", text.translate(_NO_DECOMPOSITION))
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


def ask_first_stop(text: str) -> str | None:
    """The language of ``ASK_FIRST_STOP`` when the whole text is one of its words ("Cancelar"), else None."""
    parts = words(text)
    if len(parts) != 1:
        return None
    return next((lang for lang, ws in ASK_FIRST_STOP.items() if parts[0] in ws), None)


def command(text: str, table: WordTable) -> tuple[str, str, list[str]] | None:
    """Returns ``(command, language, rest)`` when the first word (or phrase) of ``text`` is in ``table``."""
    parts = words(text)
    if not parts:
        return None
    found: tuple[str, str, list[str]] | None = None
    for name, by_language in table.items():
        for lang, ws in by_language.items():
            for entry in ws:  # an entry with a space is a phrase ("ME LIGA"): the longest one wins
                said = entry.split(" ")
                if parts[: len(said)] == said and (found is None or len(parts) - len(said) < len(found[2])):
                    found = name, lang, parts[len(said) :]
    return found


def confirms_forget(text: str, language: str) -> bool:
    """True when ``text`` is exactly FORGET's confirmation phrase of ``language`` (any case, accents, spacing)."""
    phrase = FORGET_CONFIRMATIONS.get(language)
    return phrase is not None and tuple(words(text)) == phrase


def bare(rest: list[str]) -> bool:
    """True when the words after a command leave it bare: none, or only "me", "the group"… (OBJECT_WORDS)."""
    return len(rest) <= 3 and all(word in OBJECT_WORDS for word in rest)


def split_code(rest: list[str], known: Collection[str], typed: bool = False) -> tuple[str, list[str]] | None:
    """Splits the words after a command into a circle code and the words after it.

    The code is one of ``known``, written "KC42" or spaced "KC 42", after any OBJECT_WORDS ("LEAVE the
    group KC42"). With ``typed`` (nothing is open), a word of letters and digits also counts, so that a
    mistyped "CANCEL ZZ99" hears "not your circle"; a word that only looks like a code ("Salir hoy",
    "Como siempre", "Liczba osób") never does.
    """
    i = 0
    while i < len(rest) - 1 and rest[i] in OBJECT_WORDS and rest[i] not in known:
        i += 1
    for size in (1, 2):
        code = "".join(rest[i : i + size])
        if len(rest) >= i + size and code in known:
            return code, rest[i + size :]
    if (
        typed
        and i < len(rest)
        and looks_like_code(rest[i])
        and any(ch.isdigit() for ch in rest[i])
        and not rest[i].isdigit()
    ):
        return rest[i], rest[i + 1 :]
    return None


def code_shaped(rest: list[str]) -> str | None:
    """The code the words after JOIN spell when they only look like one: "KC42", or "KC 42" with a digit."""
    if len(rest) == 1 and looks_like_code(rest[0]):
        return rest[0]
    if len(rest) == 2 and any(ch.isdigit() for ch in rest[1]) and looks_like_code(rest[0] + rest[1]):
        return rest[0] + rest[1]
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


def menu_choice(text: str, languages: tuple[str, ...]) -> str | None:
    """Returns the language picked by a reply to the menu: a number, a language's name or code.

    A regional tag or name counts for its language (``pt-BR``, ``PT_PT``, "Portugues", "Portugues
    Brasil" all pick ``pt``): each language ships one catalog, written for its registry region.
    """
    parts = words(text.replace("(", " ").replace(")", " "))
    if len(parts) == 1 and parts[0].isdecimal():
        return languages[int(parts[0]) - 1] if 1 <= int(parts[0]) <= len(languages) else None
    if not 1 <= len(parts) <= 3:
        return None
    first = parts[0].replace("_", "-").split("-")[0]
    for lang in languages:
        name = words(LANGUAGE_NAMES[lang].replace("(", " ").replace(")", " "))
        if first in (name[0], lang.upper()) and (
            len(parts) == 1 or parts[1:] == name[1:] or "-" in parts[0] or first == lang.upper()
        ):
            return lang
    return None


LINK_CODE = re.compile(r"^\d{6}$")  # what LINK gives: six digits, said alone on the other address


def is_link_code(text: str) -> bool:
    """True when the text is a lone 6-digit code (``LINK``'s code, said on another address)."""
    return bool(LINK_CODE.match(text.strip()))


def about_link(text: str) -> bool:
    """True for the only texts the LINK flow answers: ``LINK`` (alone or not) or a lone 6-digit code."""
    return is_link_code(text) or command(text, {LINK: COMMANDS[LINK]}) is not None
