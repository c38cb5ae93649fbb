"""Issue 23: the words people really text, a STOP that only stops when meant, and what HELP, the welcome
and the first relay tell. Pure: the keyword table and the router, with hand-built contexts.

Each new word is checked both ways: it fires alone and in its short phrases, and a sentence that starts
with it stays a sentence (relayed, never an answer or a command).
"""

from __future__ import annotations

from datetime import datetime, timezone

import pytest

from bot.render import segments, sms
from bot.settings import SHIPPED_LOCALES
from flows import answers, keys, keywords, signup, stopping, survey
from flows.context import (
    CircleView,
    ContactView,
    Context,
    EnrollmentView,
    FacilitatedCircle,
    FacilitatorView,
    PendingRsvp,
)
from flows.inbound import Inbound
from flows.results import OptOut, Quote, RecordRsvp, RelayToFacilitator, Reply, RequestCall
from flows.router import handle

NOW = datetime(2026, 12, 3, 16, 0, tzinfo=timezone.utc)
NEXT = datetime(2026, 12, 9, 0, 0, tzinfo=timezone.utc)
KC = CircleView(
    "KC42", "Kansas City Basics", "Central Library", "America/Chicago", "en", 12, 5, NEXT, phone_code="482913"
)
PENDING = PendingRsvp(12, KC, NEXT)


def learner(lang: str) -> ContactView:
    return ContactView(name="Amina", language=lang, enrollments=(EnrollmentView(KC, "active"),))


def run(text, lang="en", state=None, pending=None, dial_in=None, contact=None):
    ctx = Context(
        now=NOW,
        contact=contact or learner(lang),
        circles={"KC42": KC},
        pending_rsvp=pending,
        dial_in=dial_in,
    )
    return handle(state, Inbound("sms", "+18165550123", text, "SM1", NOW), ctx)


# (language, what the learner texts to a reminder, what it means): each new word alone and in its short phrases
NEW_ANSWERS = [
    ("pl", "Nie dam rady", "no"),
    ("pl", "Niestety nie dam rady", "no"),
    ("pl", "Nie dam rady przyjść", "no"),
    ("pl", "nie dam rady, przepraszam", None),  # "przepraszam" is not in the polite words: a sentence
    ("pl", "Dam radę", "yes"),
    ("pl", "OCZYWIŚCIE", "yes"),
    ("pl", "oczywiscie", "yes"),
    ("pl", "Tak, oczywiście", "yes"),
    ("pl", "Pewnie!", "yes"),
    ("pl", "Pewnie, będę", "yes"),
    ("pl", "Koniec", "no"),
    ("sw", "Siwezi", "no"),
    ("sw", "Siwezi kuja", "no"),
    ("sw", "Siwezi, asante", "no"),
    ("sw", "SITAKUWEPO", "no"),
    ("sw", "Sitakuwepo, samahani", None),  # an apology word not in the table keeps it a sentence
    ("sw", "NITAKUWEPO", "yes"),
    ("sw", "Ndiyo nitakuwepo", "yes"),
    ("sw", "Poa", "yes"),
    ("sw", "Poa, nitakuja", "yes"),
    ("sw", "NIPO", "yes"),
    ("sw", "Nipo, asante", "yes"),
    ("pt", "S", "yes"),
    ("pt", "s", "yes"),
    ("pt", "Beleza", "yes"),
    ("pt", "Beleza, vou sim", "yes"),
    ("pt", "Cancelar", "no"),
    ("pt", "Cancelar, desculpa", "no"),
    ("fr", "NAN", "no"),
    ("fr", "Nan merci", "no"),
    ("fr", "D'ACCORD", "yes"),
    ("fr", "d’accord, merci", "yes"),
    ("fr", "Daccord", "yes"),
    ("fr", "Je viendrai", "yes"),
    ("fr", "VIENDRAI", "yes"),
    ("fr", "J'y serai", "yes"),
    ("es", "Ahí estaré", "yes"),
    ("es", "Ahi estare", "yes"),
    ("es", "¡Ahí estaré, gracias!", "yes"),
    ("es", "Sí, ahí estaré", "yes"),
    ("es", "Allí estaré", "yes"),
]

# Sentences that open with a new word: never an answer, and relayed to the facilitator even after a reminder.
NEW_WORD_SENTENCES = [
    ("pl", "Nie dam rady dojechać na szóstą, spóźnię się"),
    ("pl", "Oczywiście przyjdę, ale trochę później"),
    ("pl", "Pewnie się spóźnię, autobus nie przyjechał"),
    ("pl", "Koniec zajęć przyszedł za szybko"),
    ("sw", "Siwezi kupata basi, nitachelewa kidogo"),
    ("sw", "Sitakuwepo wiki hii lakini nitakuja ijayo"),
    ("sw", "Nitakuwepo lakini nitachelewa kidogo"),
    ("sw", "Poa sana, lakini sitakuja leo"),
    ("sw", "Nipo njiani, nitafika baada ya dakika kumi"),
    ("pt", "S é a letra que eu não consigo digitar"),
    ("pt", "Beleza, mas vou chegar atrasada"),
    ("pt", "Cancelar a aula de quinta foi uma pena"),
    ("fr", "Nan mais je serai en retard"),
    ("fr", "D'accord mais je serai en retard"),
    ("fr", "Viendrai plus tard, vers sept heures"),
    ("es", "Ahí estaré pero llegaré un poco tarde"),
    ("es", "Allí estaré pero llegaré un poco tarde"),
    ("fr", "Daccord mais je serai en retard"),
    ("fr", "J'y serai mais un peu en retard"),
    ("pl", "Dam radę przyjść, ale spóźnię się pół godziny"),
]


# The words issue 23 adds to the answers, as flows/keywords.py writes them.
NEW_WORDS = {
    "pl": ("OCZYWISCIE", "PEWNIE", "KONIEC", "NIE DAM RADY", "DAM RADE"),
    "sw": ("SIWEZI", "SITAKUWEPO", "NITAKUWEPO", "POA", "NIPO"),
    "pt": ("S", "BELEZA", "CANCELAR"),
    "fr": ("NAN", "D'ACCORD", "DACCORD", "VIENDRAI", "J'Y SERAI"),
    "es": ("AHI ESTARE", "ALLI ESTARE"),
}


def _starts(text: str, word: str) -> bool:
    return (" ".join(keywords.words(text)) + " ").startswith(word + " ")


@pytest.mark.parametrize("lang", NEW_WORDS)
def test_every_new_word_is_in_the_tables_both_ways(lang):
    """Each new word is an answer, is answered alone or in a short phrase above, and opens a sentence above."""
    phrases = {" ".join(p) for p in answers.ANSWER_PHRASES}
    table = {w for meaning in answers.ANSWERS.values() for ws in meaning.values() for w in ws}
    for word in NEW_WORDS[lang]:
        assert word in table | phrases, word
        assert any(word in " ".join(keywords.words(t)) for _, t, meaning in NEW_ANSWERS if meaning), word
        assert any(_starts(t, word) for sentence_lang, t in NEW_WORD_SENTENCES if sentence_lang == lang), word


@pytest.mark.parametrize("lang,text,meaning", NEW_ANSWERS, ids=[f"{c[0]}:{c[1]}" for c in NEW_ANSWERS])
def test_the_new_words_answer_a_reminder(lang, text, meaning):
    assert answers.answer(text) == meaning
    result = run(text, lang, pending=PENDING)
    if meaning is None:
        assert [r.key for r in result.replies] == [keys.RELAYED]
    else:
        assert [r.key for r in result.replies] == [keys.RSVP_YES if meaning == "yes" else keys.RSVP_NO]
        assert result.effects == (RecordRsvp(12, meaning),)


@pytest.mark.parametrize("lang,sentence", NEW_WORD_SENTENCES, ids=[f"{c[0]}:{c[1][:20]}" for c in NEW_WORD_SENTENCES])
def test_a_sentence_that_starts_with_a_new_word_stays_a_sentence(lang, sentence):
    assert answers.answer(sentence) is None
    result = run(sentence, lang, pending=PENDING)
    assert result.effects == (RelayToFacilitator("KC42", sentence),)


@pytest.mark.parametrize("word", ["Cancelar", "CANCELAR", "koniec", "Koniec!"])
@pytest.mark.parametrize("lang", SHIPPED_LOCALES)
def test_cancelar_and_koniec_after_a_reminder_are_a_no_never_a_stop(word, lang):
    result = run(word, lang, pending=PENDING)
    assert result.effects == (RecordRsvp(12, "no"),)
    assert [r.key for r in result.replies] == [keys.RSVP_NO]
    assert keywords.match(word, lang) is None


@pytest.mark.parametrize("word,lang", [("Cancelar", "pt"), ("Koniec", "pl")])
def test_without_a_reminder_they_ask_before_anything_stops(word, lang):
    asked = run(word, lang)
    assert asked.effects == () and [r.key for r in asked.replies] == [keys.STOP_ASK]
    assert asked.state == {"flow": stopping.FLOW, "step": "confirm"}
    yes = run({"pt": "Sim", "pl": "Tak"}[lang], lang, state=asked.state)
    assert yes.effects == (OptOut(),) and [r.key for r in yes.replies] == [keys.STOP_CONFIRMED]
    again = run(word, lang, state=asked.state)  # the same word twice: they mean it
    assert again.effects == (OptOut(),)
    no = run({"pt": "Não", "pl": "Nie"}[lang], lang, state=asked.state)
    assert no.effects == () and [r.key for r in no.replies] == [keys.STOP_KEPT] and no.state is None


def test_a_facilitator_who_confirms_hears_what_stops_for_them():
    fac = FacilitatorView(7, (FacilitatedCircle(KC),))
    ctx = Context(now=NOW, contact=ContactView(language="pt"), facilitator=fac)
    asked = handle(None, Inbound("sms", "+18165550100", "Cancelar", "SM1", NOW), ctx)
    assert asked.effects == () and [r.key for r in asked.replies] == [keys.STOP_ASK]
    yes = handle(asked.state, Inbound("sms", "+18165550100", "sim", "SM2", NOW), ctx)
    assert yes.effects == (OptOut(),) and yes.replies == (Reply(keys.FAC_STOP_CONFIRMED, {"code": "KC42"}),)


@pytest.mark.parametrize("text", ["Nitakuwepo", "Voy", "Ahí estaré", "Je viendrai", "Przyjdę"])
def test_i_will_be_there_is_no_yes_to_stopping_every_text(text):
    asked = run("Koniec", "pl")
    result = run(text, "pl", state=asked.state)
    assert OptOut() not in result.effects
    assert answers.answer(text) == "yes" and answers.plain_answer(text) is None


def test_a_no_goes_back_to_the_interrupted_survey():
    open_survey = {**survey.opening("learner", "enrollment:5", "KC42", 4), "opened": "x", "expires": "y"}
    asked = run("Koniec", "pl", state=open_survey)
    assert asked.effects == () and asked.state is not None and asked.state["resume"] == open_survey
    kept = run("nie", "pl", state=asked.state)
    assert kept.state == open_survey and [r.key for r in kept.replies] == [keys.STOP_KEPT]


def test_something_else_after_the_question_is_routed_as_usual():
    asked = run("Cancelar", "pt")
    result = run("Onde fica a sala?", "pt", state=asked.state)
    assert result.effects == (RelayToFacilitator("KC42", "Onde fica a sala?"),)


@pytest.mark.parametrize("word,keyword", [("STOP", keywords.STOP), ("START", keywords.START), ("HELP", keywords.HELP)])
@pytest.mark.parametrize("lang", SHIPPED_LOCALES)
def test_english_stop_start_and_help_work_in_every_language(word, keyword, lang):
    assert keywords.match(word, lang) == (keyword, "en" if lang not in ("pl",) or word != "STOP" else "pl")
    for pending in (None, PENDING):
        result = run(word, lang, pending=pending)
        if keyword == keywords.STOP:
            assert result.effects == (OptOut(),)
        elif keyword == keywords.HELP:
            assert [r.key for r in result.replies] == [keys.HELP_CIRCLES, keys.HELP_MORE]
        else:
            assert [r.key for r in result.replies] == [keys.START_CONFIRMED]


@pytest.mark.parametrize(
    "text,lang,code",
    [
        ("ME LIGA", "pt", None),
        ("Me liga!", "pt", None),
        ("me ligue", "pt", None),
        ("Me liga KC42", "pt", "KC42"),
        ("Ligue-me", "pt", None),
        ("Appelez moi", "fr", None),
        ("appelez-moi", "fr", None),
        ("Appelle moi KC42", "fr", "KC42"),
    ],
)
def test_call_me_as_people_type_it(text, lang, code):
    found = keywords.command(text, keywords.COMMANDS)
    assert found is not None and found[:2] == (keywords.CALL, lang)
    result = run(text, lang)
    assert result.effects == (RequestCall("KC42"),) and [r.key for r in result.replies] == [keys.CALL_ME_OK]


@pytest.mark.parametrize(
    "text,lang",
    [
        ("Me liga quando sair do trabalho", "pt"),
        ("Me", "pt"),
        ("Liga", "pt"),
        ("Appelez moi après le cours svp", "fr"),
        ("Appelez la bibliothèque svp", "fr"),
    ],
)
def test_call_me_words_inside_a_sentence_call_nobody(text, lang):
    result = run(text, lang)
    assert not any(isinstance(e, RequestCall) for e in result.effects)


@pytest.mark.parametrize("lang", SHIPPED_LOCALES)
def test_help_lists_language_call_me_and_forget_in_the_learners_words(lang):
    texts = [sms.render((reply,), lang) for reply in run("HELP", lang).replies]  # a webhook sends each one
    body = keywords.normalize(" ".join(texts))
    for table, name in ((keywords.KEYWORDS, keywords.LANGUAGE), (keywords.COMMANDS, keywords.CALL)):
        assert any(word in body for word in table[name][lang]), (lang, name, body)
    assert any(word in body for word in keywords.COMMANDS[keywords.FORGET][lang]), body
    assert all(segments.count(text).segments <= segments.MAX_SEGMENTS for text in texts)


def _welcome(lang, dial_in, circle=KC):
    state = {"flow": signup.FLOW, "code": "KC42", "lang": lang, "step": "ask_language", "name": "Amina"}
    ctx = Context(now=NOW, contact=ContactView(), circles={"KC42": circle}, dial_in=dial_in)
    number = str(1 + SHIPPED_LOCALES.index(lang))
    return signup.resume(state, Inbound("sms", "+18165550123", number, "SM1", NOW), ctx)


@pytest.mark.parametrize("lang", SHIPPED_LOCALES)
def test_the_welcome_gives_the_dial_in_number_and_phone_code(lang):
    result = _welcome(lang, "(816) 555-0100")
    assert [r.key for r in result.replies] == [keys.SIGNUP_CONFIRMED, keys.SIGNUP_PHONE_LINE]
    line = sms.render(result.replies[1:], lang)  # its own text, after the welcome
    assert "(816) 555-0100" in line and "482913" in line
    assert segments.count(line).segments == 1


def test_no_voice_line_or_a_waitlist_place_no_phone_line():
    assert [r.key for r in _welcome("en", None).replies] == [keys.SIGNUP_CONFIRMED]
    full = CircleView("KC42", "Kansas City Basics", "Central Library", "America/Chicago", "en", 5, 5, NEXT, True, "1")
    assert [r.key for r in _welcome("en", "(816) 555-0100", full).replies] == [keys.SIGNUP_WAITLISTED]


@pytest.mark.parametrize("lang", SHIPPED_LOCALES)
def test_the_first_relay_keeps_how_to_answer_within_three_segments(lang):
    relay = Reply(keys.RELAY_TO_FACILITATOR, {"name": "W" * 20, "number": 99999, "text": Quote("W" * 380)})
    body = sms.render((relay, Reply(keys.RELAY_HOW_TO_ANSWER, {"number": 99999})), lang)
    assert segments.count(body).segments <= segments.MAX_SEGMENTS
    hint = sms.render((Reply(keys.RELAY_HOW_TO_ANSWER, {"number": 99999}),), lang)
    assert keywords.normalize(body).endswith(keywords.normalize(hint))  # the quote is shortened, not the hint
    assert "#99999" in body.splitlines()[-1]
