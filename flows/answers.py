"""RSVP answers: the yes and no words of every language, and the short answers that say one thing only.

Read only where a yes/no question is open (a reminder, the "stop all texts?" question, a survey's yes/no, a
waiting-list offer); ``flows.keywords`` holds the command words and the normalising these share.
"""

from __future__ import annotations

from flows.keywords import NO, YES, words

# RSVP answers, only read when the sender's most recent question was a reminder. YES is never an
# opt-in word: only START and UNSTOP (and their translations) are.
ANSWERS: dict[str, dict[str, tuple[str, ...]]] = {
    YES: {
        "en": ("1", "YES", "Y", "YEP", "YEAH", "OK"),
        "es": ("SI", "VOY", "CLARO"),
        "fr": ("OUI", "OUAIS", "D'ACCORD", "DACCORD", "VIENDRAI"),
        "pt": ("SIM", "S", "VOU", "BELEZA"),
        "pl": ("TAK", "BEDE", "PRZYJDE", "JASNE", "OCZYWISCIE", "PEWNIE"),
        "sw": ("NDIYO", "NDIO", "SAWA", "EEH", "EE", "NITAKUJA", "NITAFIKA", "NITAKUWEPO", "NIPO", "POA"),
    },
    NO: {
        "en": ("2", "NO", "N", "NOPE"),
        "es": ("NO",),
        "fr": ("NON", "NAN"),
        "pt": ("NAO", "CANCELAR"),
        "pl": ("NIE", "NIESTETY", "KONIEC"),
        "sw": ("HAPANA", "LA", "SITAKUJA", "SITAWEZA", "SIWEZI", "SITAKUWEPO"),
    },
}

# Yes words that only say "I'm coming": a yes to a reminder, never to another question (``plain_answer``).
COMING_YES = frozenset(
    {"VOY", "VOU", "BEDE", "PRZYJDE", "DAM RADE", "NITAKUJA", "NITAFIKA", "NITAKUWEPO", "NIPO", "VIENDRAI"}
    | {"J'Y SERAI", "AHI ESTARE", "ALLI ESTARE"}
)

# Answers of more than one word that say one thing only: "Nie dam rady" (I can't make it), "Ahí estaré".
# Read as one word of an answer, so "Niestety nie dam rady" and "Ahí estaré, gracias" are answers too.
ANSWER_PHRASES: dict[tuple[str, ...], str] = {
    ("NIE", "DAM", "RADY"): NO,  # pl
    ("DAM", "RADE"): YES,  # pl "Dam radę"
    ("AHI", "ESTARE"): YES,  # es
    ("ALLI", "ESTARE"): YES,  # es
    ("J'Y", "SERAI"): YES,  # fr
}

# Short answers of two or three words: "No voy", "Não vou", "Nie przyjdę", "Sitaweza kuja", "Yes I'll come".
# A negation before a coming verb says no ("No voy", "can't come"); polite words change nothing; any
# other word makes it a sentence, and so do two meanings ("Claro que no") or a question mark.
_NEGATIONS = frozenset({"NO", "NAO", "NIE", "NON"})
_COMING = frozenset({"VOY", "PUEDO", "VOU", "POSSO", "VIENS", "PRZYJDE", "BEDE", "MOGE", "COME"})
_NOT_COMING = frozenset({"CAN'T", "CANT", "CANNOT", "WON'T", "WONT"})
_POLITE = frozenset(
    {
        "I",
        "I'LL",
        "ILL",
        "WILL",
        "CAN",
        "BE",
        "THERE",
        "PLEASE",
        "THANKS",
        "THANK",
        "YOU",
        "SORRY",  # en
        "GRACIAS",
        "QUE",
        "IR",  # es
        "MERCI",
        "JE",  # fr
        "OBRIGADO",
        "OBRIGADA",
        "EU",
        "DESCULPA",
        "DESCULPE",  # pt
        "DZIEKUJE",
        "DZIEKI",
        "JA",
        "PRZYJSC",  # pl
        "ASANTE",
        "KUJA",  # sw
    }
)
ANSWER_WORDS_MAX = 3


def answer(text: str) -> str | None:
    """Returns ``yes`` or ``no`` when the whole text is an RSVP answer in any language, else None.

    One word ("SÍ", "EEH", "NIESTETY"), a number and anything ("1 see you"), or a short answer of up
    to three words that says one thing only ("No voy", "Nie przyjdę", "Yes I'll come", "Oui merci");
    a phrase of ``ANSWER_PHRASES`` ("Nie dam rady", "Ahí estaré") counts as one word.
    """
    parts = [word.replace("\u2019", "'") for word in words(text)]
    if not parts:
        return None
    if len(parts) == 2 and parts[0] in ("1", "2"):
        parts = parts[:1]
    units = _units(parts)
    if len(units) == 1:
        word, meaning = units[0]
        return meaning or _meaning(word)
    if len(units) > ANSWER_WORDS_MAX or (text or "").rstrip().endswith("?"):
        return None  # a longer text, or a question ("Can I come?"), is not an answer
    said: set[str] = set()
    i = 0
    while i < len(units):
        word, meaning = units[i]
        following = units[i + 1] if i + 1 < len(units) else ("", None)
        if word in _NEGATIONS | _NOT_COMING and following[1] is None and following[0] in _COMING:
            said.add(NO)
            i += 2
            continue
        meaning = meaning or (_meaning(word) if not word.isdigit() else None)
        if meaning is not None:
            said.add(meaning)
        elif word in _COMING:
            said.add(YES)
        elif word in _NOT_COMING:
            said.add(NO)
        elif word not in _POLITE:
            return None
        i += 1
    return said.pop() if len(said) == 1 else None


def _units(parts: list[str]) -> list[tuple[str, str | None]]:
    """The words of an answer, each phrase of ``ANSWER_PHRASES`` made one unit with its meaning."""
    units: list[tuple[str, str | None]] = []
    i = 0
    while i < len(parts):
        phrase = next((p for p in ANSWER_PHRASES if tuple(parts[i : i + len(p)]) == p), None)
        if phrase is not None:
            units.append((" ".join(phrase), ANSWER_PHRASES[phrase]))
            i += len(phrase)
        else:
            units.append((parts[i], None))
            i += 1
    return units


def plain_answer(text: str) -> str | None:
    """``answer``, except that a yes that only says "I'm coming" ("Nitakuwepo", "Voy", "Ahí estaré") is no
    yes to any other question (stop all texts?): it answers a reminder only."""
    said = answer(text)
    if said == YES and any(unit in COMING_YES for unit, _ in _units(words(text.replace("\u2019", "'")))):
        return None
    return said


def _meaning(word: str) -> str | None:
    for meaning, by_language in ANSWERS.items():
        if any(word in ws for ws in by_language.values()):
            return meaning
    return None
