"""The facilitator's text command words, read only from a facilitator's number (``flows.facilitator``).

The learners' words and the matching they share are in ``flows.keywords``.
"""

from __future__ import annotations

# The facilitator's text commands (only read from a facilitator's number). HOW and TALLY use words
# that rarely open a sentence (BILAN, not COMMENT; OCENA, not JAK; TATHMINI, not VIPI).
CIRCLES, TALLY, CANCEL, MOVE, MSG, HOW, HERE, ADD = "circles", "tally", "cancel", "move", "msg", "how", "here", "add"
FACILITATOR_COMMANDS: dict[str, dict[str, tuple[str, ...]]] = {
    CIRCLES: {
        "en": ("CIRCLES",),
        "es": ("CIRCULOS",),
        "fr": ("CERCLES",),
        "pt": ("GRUPOS",),
        "pl": ("GRUPY",),
        "sw": ("VIKUNDI",),
    },
    TALLY: {
        "en": ("TALLY",),
        "es": ("CONTEO",),
        "fr": ("DECOMPTE",),
        "pt": ("CONTAGEM",),
        "pl": ("LICZBA",),
        "sw": ("IDADI",),
    },
    CANCEL: {
        "en": ("CANCEL",),
        "es": ("CANCELAR",),
        "fr": ("ANNULER",),
        "pt": ("CANCELAR",),
        "pl": ("ODWOLAJ",),
        "sw": ("GHAIRI",),
    },
    MOVE: {
        "en": ("MOVE",),
        "es": ("MOVER",),
        "fr": ("DEPLACER",),
        "pt": ("MUDAR",),
        "pl": ("PRZENIES",),
        "sw": ("HAMISHA",),
    },
    MSG: {
        "en": ("MSG",),
        "es": ("MENSAJE",),
        "fr": ("MESSAGE",),
        "pt": ("MENSAGEM",),
        "pl": ("WIADOMOSC",),
        "sw": ("UJUMBE",),
    },
    HOW: {
        "en": ("HOW",),
        "es": ("REPASO",),
        "fr": ("BILAN",),
        "pt": ("BALANCO",),
        "pl": ("OCENA",),
        "sw": ("TATHMINI",),
    },
    # In-person attendance: "HERE KC42 Amina Rosa" or "HERE KC42 3 5" (relay numbers).
    HERE: {
        "en": ("HERE",),
        "es": ("PRESENTES",),
        "fr": ("PRESENTS",),
        "pt": ("PRESENTES",),
        "pl": ("OBECNI",),
        "sw": ("WALIOFIKA",),
    },
    # A learner with only a landline: "ADD KC42 +18165550123 Rosa" (calls instead of texts).
    ADD: {
        "en": ("ADD",),
        "es": ("AGREGAR",),
        "fr": ("AJOUTER",),
        "pt": ("ADICIONAR",),
        "pl": ("DODAJ",),
        "sw": ("ONGEZA",),
    },
}

# The old HOW words open everyday sentences ("Como siempre…", "Comment…", "Jak zwykle…", "Vipi"). They
# still count before one of the facilitator's own circle codes ("COMO KC42"), never alone.
RETIRED_FACILITATOR_COMMANDS: dict[str, dict[str, tuple[str, ...]]] = {
    HOW: {"es": ("COMO",), "fr": ("COMMENT",), "pl": ("JAK",), "sw": ("VIPI",)},
}
