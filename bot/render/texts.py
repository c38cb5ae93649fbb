"""Every user-facing text: a message key → its English msgid (translated through Babel).

Placeholders are named (``%(name)s``). ``PLACEHOLDER_LONGEST`` gives the longest value each
placeholder may take; ``circlebot segments`` renders every text with those to check its cost.
"""

from __future__ import annotations

from bot.render.text_marks import N_, NP_, Plural  # noqa: F401  (importable from here, as before)
from bot.render.texts_voice import VOICE_TEXTS
from flows import keys

TEXTS: dict[str, str] = {
    keys.SIGNUP_ASK_NAME: N_("Welcome to %(circle)s! What is your first name?"),
    keys.SIGNUP_BAD_NAME: N_("Sorry, we did not get that. Please reply with your first name."),
    keys.SIGNUP_ASK_LANGUAGE: N_("Thanks, %(name)s! Which language do you want?"),
    keys.SIGNUP_BAD_LANGUAGE: N_("Sorry, we did not get that. Which language do you want?"),
    keys.SIGNUP_CONFIRMED: N_(
        "You're in, %(name)s! %(circle)s meets at %(venue)s. First meeting: %(when)s. "
        "Text HELP for help or STOP to stop texts."
    ),
    keys.SIGNUP_WAITLISTED: N_(
        "Sorry %(name)s, %(circle)s is full, so you are on the waiting list. We will text you if a place opens. "
        "Text STOP to stop texts."
    ),
    keys.SIGNUP_ALREADY_IN: N_("You're already in %(circle)s. Next meeting: %(when)s at %(venue)s."),
    keys.SIGNUP_ALREADY_WAITLISTED: N_(
        "You're already on the waiting list for %(circle)s. We will text you if a place opens."
    ),
    keys.SIGNUP_UNKNOWN_CODE: N_(
        "Sorry, there is no circle with the code %(code)s. Please check the code with your library and try again."
    ),
    # A text after the welcome, when there is a voice line: the number learners text, and the circle's phone code.
    keys.SIGNUP_PHONE_LINE: N_(
        "To join a meeting by phone, call %(dial_in)s and type the code %(phone_code)s. "
        "A friend with only a landline can join the circle by that call too."
    ),
    keys.SIGNUP_NEED_CODE: N_("To join, text JOIN and your circle code, like JOIN KC42. Your library has the code."),
    keys.STOP_CONFIRMED: N_("You will not get any more texts from us. Text START to get them again."),
    keys.STOP_ASK: N_("Do you want to stop all our texts?"),
    keys.STOP_KEPT: N_("OK, you will keep getting our texts."),
    keys.START_CONFIRMED: N_("Welcome back! You will get texts from us again. Text HELP for help or STOP to stop."),
    keys.HELP_CIRCLES: N_(
        "Your circles: %(circles)s. Reply 1 or 2 to a reminder. Any other text goes to your facilitator. "
        "Text FIND and a ZIP code for more circles, LEAVE to leave one, STOP to stop texts."
    ),
    keys.HELP_WAITLISTED: N_(
        "You are number %(position)s on the waiting list for %(circle)s. We will text you if a place opens. "
        "Text LEAVE to leave the list, STOP to stop texts."
    ),
    keys.HELP_NO_CIRCLES: N_(
        "To join a learning circle, text JOIN and the circle code from your library. "
        "Text LANGUAGE to change language, STOP to stop texts."
    ),
    # HELP's second text, after HELP_CIRCLES.
    keys.HELP_MORE: N_("LANGUAGE: change language. CALL ME: join by phone. FORGET: erase your data."),
    keys.HELP_STOPPED: N_("You stopped our texts. Text START to get them again."),
    keys.LANGUAGE_MENU: N_("Which language do you want?"),
    # Said in the new language: each catalog names its own language as its grammar needs ("en español").
    keys.LANGUAGE_SET: N_("Done! We will text you in English."),
    keys.FALLBACK: N_("Sorry, we did not understand. To join a circle, text JOIN and its code. Text HELP for help."),
    keys.BAD_ADDRESS: N_("Sorry, we could not read your phone number, so we cannot sign you up."),
    keys.REMINDER: N_("%(circle)s: %(when)s, %(venue)s. Are you coming?"),
    keys.RSVP_YES: N_("Great, see you %(when)s! If plans change, reply 2."),
    keys.RSVP_NO: N_("Thanks for telling us. If you can come after all, reply 1."),
    keys.MEETING_MOVED: N_("%(circle)s: the meeting of %(old)s has moved to %(when)s at %(venue)s."),
    keys.MEETING_CANCELLED: N_(
        "%(circle)s: the meeting on %(when)s is cancelled. We will text you about the next one."
    ),
    keys.MEETING_RESTORED: N_("%(circle)s: the meeting on %(when)s is on again, at %(venue)s. See you there!"),
    keys.SCHEDULE_CHANGED: N_("%(circle)s has a new schedule. The next meeting is %(when)s at %(venue)s."),
    keys.FACILITATOR_TALLY: N_("%(circle)s, %(when)s: %(yes)s coming, %(no)s not, %(none)s no reply."),
    keys.CHECKIN_QUESTION: N_("How did this week at %(circle)s go? You can also text us a message."),
    keys.CHECKIN_THANKS: N_("Thank you! See you at the next meeting."),
    keys.CHECKIN_RELAYED: N_("Thank you. We passed your message to your facilitator, who will reply soon."),
    keys.MISS_YOU: N_(
        "We missed you at %(circle)s! Next meeting: %(when)s at %(venue)s. Come when you can, "
        "or text LEAVE to leave the circle."
    ),
    keys.RELAYED: N_("Thanks, your message was passed on."),
    keys.RELAY_TO_FACILITATOR: N_("%(name)s (#%(number)s): %(text)s"),
    # After a facilitator's first relayed message, until they have answered one.
    keys.RELAY_HOW_TO_ANSWER: N_("To answer, text #%(number)s and your message."),
    keys.RELAY_STUCK: N_(
        "%(name)s (#%(number)s) says they are stuck after meeting %(seq)s of %(circle)s. "
        "Reply #%(number)s and your message."
    ),
    keys.RELAY_TO_LEARNER: N_("%(circle)s facilitator: %(text)s"),
    keys.RELAY_UNKNOWN_HANDLE: N_("There is no learner #%(number)s in your circles."),
    keys.SURVEY_INTRO: N_(
        "%(circle)s has ended. Thank you for taking part! 5 short questions follow; reply SKIP to skip one."
    ),
    keys.SURVEY_FACILITATOR_INTRO: N_(
        "%(circle)s has ended. Thank you for facilitating! 4 short questions; reply SKIP to skip one."
    ),
    keys.SURVEY_REMINDER: N_("Please finish our short survey about %(circle)s. Next question:"),
    keys.SURVEY_DONE: N_("Thank you! Your answers help the library make circles better."),
    keys.HOW_INTRO: N_("Check-in for %(circle)s. Reply SKIP to skip a question."),
    keys.HINT_SCALE5: N_("Please reply with a number from 1 to 5, or SKIP."),
    keys.HINT_SCALE10: N_("Please reply with a number from 0 to 10, or SKIP."),
    keys.HINT_YESNO: N_("Please reply YES or NO, or SKIP."),
    keys.HINT_NUMBER: N_("Please reply with a number, or SKIP."),
    keys.HINT_TEXT: N_("Please reply with a few words, or SKIP."),
    keys.Q_GOAL: N_("Did you reach your goal?"),
    keys.Q_CONFIDENCE: N_("How confident are you in the subject now?"),
    keys.Q_COURSE: N_("How would you rate the course?"),
    keys.Q_RECOMMEND: N_("Would you recommend a learning circle to a friend?"),
    keys.Q_NEXT: N_("What will you do next with what you learned? Reply in a few words."),
    keys.FQ_GOAL: N_("Did the circle reach its goal?"),
    keys.FQ_COURSE: N_("How would you rate the course?"),
    keys.FQ_SURPRISE: N_("What surprised you in this circle? Reply in a few words."),
    keys.FQ_AGAIN: N_("Would you facilitate a circle again?"),
    keys.HOW_RATING: N_("How did the meeting go?"),
    keys.HOW_CAME: N_("How many learners came? Reply with a number."),
    keys.HOW_REFLECT_1: N_("What went well at the meeting? Reply in a few words."),
    keys.HOW_REFLECT_2: N_("What would you change next time? Reply in a few words."),
    keys.HOW_REFLECT_3: N_("What did learners find hard? Reply in a few words."),
    keys.FIND_RESULTS: N_("Open circles near you:\n%(lines)s\nText JOIN and the code to join."),
    keys.FIND_NONE: N_("Sorry, we found no open circle for %(place)s. Try a ZIP code or a city, or ask your library."),
    keys.FIND_NEED_PLACE: N_("Text FIND and your ZIP code or city, like FIND 64105."),
    keys.FORGET_CONFIRM: N_("This erases your name, number and messages, and ends all texts."),
    keys.FORGET_DONE: N_("Done. We erased your details and will not text you again."),
    keys.LEAVE_DONE: N_("You have left %(circle)s. Text JOIN and a code to join a circle again."),
    keys.LEAVE_WHICH: N_("You are in several circles. Which one do you want to leave?"),
    keys.LEAVE_NONE: N_("You are not in any circle right now."),
    # LEAVE's question: %(phrase)s is the exact words that leave, "LEAVE KC42" (SALIR, QUITTER... in a catalog's
    # language); they are never translated in the sentence around them.
    keys.LEAVE_ASK: N_("To leave %(circle)s, reply %(phrase)s."),
    keys.LEAVE_ASK_LIST: N_("To leave the waiting list for %(circle)s, reply %(phrase)s."),
    keys.LEAVE_EXACT: N_("A number or a yes does not leave a circle."),
    keys.FAC_HELP: N_(
        "Facilitator commands: CIRCLES, TALLY code, CANCEL code [date], MOVE code date time, MSG code text, "
        "HOW code. Reply to a learner with #number and your message."
    ),
    keys.FAC_CIRCLES: N_("Your circles:\n%(lines)s"),
    keys.FAC_CANCELLED: N_("Cancelled: %(circle)s, %(when)s. We are telling the learners."),
    keys.FAC_MOVED: N_("Moved: %(circle)s meeting %(seq)s, %(old)s, to %(when)s. We are telling the learners."),
    keys.FAC_MOVE_ORDER: N_(
        "Not moved: meeting %(seq)s of %(circle)s would come after meeting %(other)s (%(when)s). "
        "Pick an earlier time, or CANCEL it."
    ),
    keys.FAC_BROADCAST: N_("%(circle)s: %(text)s"),
    keys.FAC_BROADCAST_SENT: N_("Your message to %(circle)s is on its way."),
    keys.FAC_NOT_YOURS: N_("You do not facilitate a circle with the code %(code)s. Text CIRCLES to see yours."),
    keys.FAC_NO_MEETING: N_("%(circle)s has no meeting that fits. Text CIRCLES to see the next ones."),
    keys.FAC_BAD_DATE: N_("Sorry, we could not read that date. Write it like 2026-12-01 and the time like 18:00."),
    keys.FAC_DATE_TOO_FAR: N_("That date is too far ahead. A meeting can move to any time in the next ten years."),
    keys.FACILITATOR_JOINED: NP_(
        "%(name)s joined %(circle)s. %(enrolled)s of %(capacity)s places is taken.",
        "%(name)s joined %(circle)s. %(enrolled)s of %(capacity)s places are taken.",
        "enrolled",
    ),
    keys.FACILITATOR_WAITLISTED: N_("%(name)s is on the waiting list for %(circle)s, which is full."),
    keys.FAC_STOP_CONFIRMED: N_(
        "You will get no more texts from us, including your learners' messages; we keep them for you. "
        "To cancel a meeting instead, text CANCEL %(code)s. Text START to get texts again."
    ),
    keys.FAC_TIME_TAKEN: N_("%(circle)s already meets on %(when)s. Pick another time."),
    keys.FAC_WHICH_CIRCLE: N_("Which circle? Add its code: %(codes)s"),
    keys.FAC_CIRCLES_MORE: NP_(
        "Your circles:\n%(lines)s\nAnd %(count)s more circle: %(others)s",
        "Your circles:\n%(lines)s\nAnd %(count)s more circles: %(others)s",
        "count",
    ),
    keys.FAC_HOW_TOO_EARLY: N_("The check-in for %(circle)s opens after its first meeting: %(when)s."),
    keys.FAC_MSG_EMPTY: N_("Write your message after the code, like: MSG %(code)s See you on Tuesday!"),
    keys.WAITLIST_OFFER: N_(
        "Good news, %(name)s: a place opened in %(circle)s! Do you want it? We keep it for you for 2 days."
    ),
    keys.WAITLIST_DECLINED: N_("Okay, we offered the place to the next person. Text JOIN %(code)s to join again."),
    keys.WAITLIST_TAKEN: N_("Sorry, that place was just taken. You are still on the waiting list."),
    keys.RELAY_HELD: N_(
        "Thanks. Your facilitator cannot get texts right now; we kept your message and will pass it on "
        "when they can. If it is urgent, ask at %(venue)s."
    ),
    keys.PAGES_LOGIN_CODE: N_(
        "Your circlebot sign-in code is %(code)s. It works for 10 minutes. If you did not ask for it, ignore this text."
    ),
    keys.PAGES_ADDED_BY_FACILITATOR: N_(
        "Hi %(name)s! Your facilitator added you to %(circle)s at %(venue)s. Next meeting: %(when)s. "
        "Text STOP to stop texts."
    ),
    keys.PAGES_CO_FACILITATOR_ADDED: N_(
        "You are now a co-facilitator of %(circle)s. Sign in with this number at %(url)s. "
        "Not for you? Sign in there and remove yourself."
    ),
    keys.CONSENT_ASK: N_(
        "Hi %(name)s! Your facilitator wrote down your number for %(circle)s at %(venue)s. "
        "Reply YES to get its texts, or STOP for no texts."
    ),
    keys.CONSENT_GIVEN: N_(
        "Thank you, %(name)s! You will get the texts of %(circle)s. Text STOP at any time to stop them."
    ),
    keys.PAGES_PROMOTED: N_(
        "Good news, %(name)s: a place opened and you are now in %(circle)s! Next meeting: %(when)s at %(venue)s."
    ),
    keys.PAGES_REMOVED: N_(
        "Your facilitator took you off %(circle)s, so we will not text you about it any more. "
        "To join again, text JOIN %(code)s."
    ),
    # Choice labels: a line of a menu, a button, a keypad option ("Reply 1 yes, 2 no").
    keys.LABEL_YES: N_("yes"),
    keys.LABEL_NO: N_("no"),
    keys.LABEL_GREAT: N_("great"),
    keys.LABEL_OKAY: N_("okay"),
    keys.LABEL_STUCK: N_("I'm stuck"),
    keys.LABEL_ERASE: N_("yes, erase everything"),
    keys.LABEL_NOT_AT_ALL: N_("not at all"),
    keys.LABEL_COMPLETELY: N_("completely"),
    keys.LABEL_VERY: N_("very"),
    keys.LABEL_POOR: N_("poor"),
    keys.LABEL_EXCELLENT: N_("excellent"),
    keys.LABEL_CERTAINLY: N_("certainly"),
    keys.LABEL_BADLY: N_("badly"),
    keys.LABEL_VERY_WELL: N_("very well"),
    # How a text channel asks for a choice (SMS, WhatsApp); see bot/render/text.py.
    keys.PROMPT_MENU: N_("Reply with a number:"),
    keys.PROMPT_INLINE: N_("Reply %(options)s."),
    keys.PROMPT_SCALE: N_("Reply %(low)s (%(low_label)s) to %(high)s (%(high_label)s)."),
    keys.PROMPT_FORGET: N_("To confirm, reply FORGET YES."),
    # Above LEAVE's lines, each "LEAVE KC42 (Public Speaking)": the learner replies with the words before a name.
    keys.PROMPT_LEAVE: N_("Reply with the words before its name:"),
    keys.FAC_HERE_DONE: N_("%(circle)s: marked present in person (%(count)s): %(names)s."),
    keys.FAC_HERE_UNKNOWN: N_("%(circle)s: no learner called %(names)s. Use first names or #numbers."),
    keys.FAC_HERE_HOW: N_("Who came? Text HERE %(code)s and their first names or #numbers."),
    keys.FAC_HERE_LIST: N_("Who came to %(circle)s? Reply with their numbers, like 1 3. %(names)s"),
    keys.CALL_ME_OK: N_("OK! We will call you when %(circle)s starts: %(when)s. Answer to join the meeting."),
    keys.CALL_ME_NONE: N_("You are not in a circle yet. Text JOIN and the circle's code first."),
    keys.FAC_ADDED: N_("%(name)s is in %(circle)s. We will call them with reminders, not text them."),
    keys.FAC_ADD_HOW: N_("To add a learner who has only a landline, text ADD %(code)s, their number and first name."),
    keys.FAC_TEXTS_FAIL: N_(
        "Texts to %(name)s (number ending %(last)s) fail: the phone cannot be reached. "
        "We stopped texting it until they text us."
    ),
    keys.FAC_TEXTS_FAIL_LANDLINE: N_(
        "Texts to %(name)s (number ending %(last)s) fail: maybe a landline. We stopped texting it. "
        "For reminder calls, text ADD %(code)s, their number and name."
    ),
    # Telegram only: the answer to a sticker or photo, and the bot's command menu (set-webhook).
    keys.TG_TEXT_ONLY: N_("Sorry, we can only read text. Please type your answer or tap a button."),
    # MMS and WhatsApp: a picture, voice note or file is never read or passed on (flows/media.py).
    keys.MEDIA_ONLY: N_(
        "Sorry, we can only read text, not pictures, voice messages or files. Please type your message."
    ),
    keys.MEDIA_RELAYED: N_("Thanks, your text was passed on, but not the picture or file: we can only pass on text."),
    keys.MEDIA_NOT_PASSED: N_("The picture or file with your text will not be passed on: we can only pass on text."),
    keys.MEDIA_NOT_READ: N_("We can only read text, so we did not see the picture or file you sent."),
    # A tap on a button of a question that is closed (an old reminder, an answered survey question).
    keys.TAP_CLOSED: N_("That question is closed, so your tap changed nothing."),
    keys.TG_COMMAND_HELP: N_("Help and your circles"),
    keys.TG_COMMAND_STOP: N_("Stop all messages"),
    keys.TG_COMMAND_LANGUAGE: N_("Change your language"),
    keys.TG_COMMAND_CIRCLES: N_("Your circles (facilitators)"),
    # LINK: one person on two channels (flows/link.py).
    keys.LINK_CODE: NP_(
        "Your code is %(code)s. Send it to us from your other phone or app within %(minutes)s minute.",
        "Your code is %(code)s. Send it to us from your other phone or app within %(minutes)s minutes.",
        "minutes",
    ),
    keys.LINK_DONE: N_("Linked! Where should reminders go?"),
    keys.LINK_WRONG: N_("Sorry, that code is wrong or too old. Text LINK on your other phone or app for a new one."),
    keys.LINK_LOCKED: N_("Too many wrong codes. Please wait 10 minutes and try again."),
    keys.LINK_BUSY: N_(
        "This chat is already in a circle. Text LINK here and send the code from your other phone or app."
    ),
    keys.LINK_PREFERRED: N_("Done! Reminders will go to %(channel)s. STOP works on each one separately."),
    # Texts to the facilitator from a learner's keypad menu (flows/voice_menu.py).
    keys.FAC_PHONE_CANT_COME: N_("%(name)s (#%(number)s) called to say they cannot come to %(circle)s on %(when)s."),
    keys.FAC_PHONE_CALL_BACK: N_("%(name)s (#%(number)s) of %(circle)s called and asks you to call back: %(phone)s"),
    **VOICE_TEXTS,  # the phone line's words (bot/render/texts_voice.py)
}

NO_DATE_YET = N_("to be announced")
# FIND's mark on a circle the learner is already in ("KC42: Intro, Library, Tue 6:30 PM (you're in)").
ALREADY_IN = N_("you're in")
CIRCLE_ENDED = N_("ended")  # a circle whose meetings are all behind it (CIRCLES)

# Single questions and reminders: 1 segment in en and sw, at most 2 elsewhere (DESIGN.md §5).
QUESTIONS = frozenset(
    {
        keys.SIGNUP_ASK_NAME,
        keys.SIGNUP_BAD_NAME,
        keys.SIGNUP_ASK_LANGUAGE,
        keys.SIGNUP_BAD_LANGUAGE,
        keys.LANGUAGE_MENU,
        keys.REMINDER,
        keys.CHECKIN_QUESTION,
        keys.FORGET_CONFIRM,
        keys.STOP_ASK,
        keys.WAITLIST_OFFER,
        keys.LINK_DONE,
        keys.Q_GOAL,
        keys.Q_CONFIDENCE,
        keys.Q_COURSE,
        keys.Q_RECOMMEND,
        keys.Q_NEXT,
        keys.FQ_GOAL,
        keys.FQ_COURSE,
        keys.FQ_SURPRISE,
        keys.FQ_AGAIN,
        keys.HOW_RATING,
        keys.HOW_CAME,
        keys.HOW_REFLECT_1,
        keys.HOW_REFLECT_2,
        keys.HOW_REFLECT_3,
        keys.HINT_SCALE5,
        keys.HINT_SCALE10,
        keys.HINT_YESNO,
        keys.HINT_NUMBER,
        keys.HINT_TEXT,
    }
)

# Parts of other texts, never sent alone: choice labels and the ways to ask for a choice.
PARTS = frozenset(key for key in TEXTS if key.startswith(("label.", "prompt.", "voice.")))

# Texts sent as one SMS made of two templates (an intro, then a question): checked together too.
COMBINED = (
    (keys.SURVEY_INTRO, keys.Q_GOAL),
    (keys.SURVEY_FACILITATOR_INTRO, keys.FQ_GOAL),
    (keys.SURVEY_REMINDER, keys.Q_RECOMMEND),
    (keys.SURVEY_REMINDER, keys.Q_CONFIDENCE),
    (keys.SURVEY_REMINDER, keys.FQ_GOAL),
)
RELAY_TEXT_MAX = 380

# The longest value each placeholder may take (see bot/domain/circles.py and flows/signup.py).
PLACEHOLDER_LONGEST = {
    "circle": "W" * 40,
    "venue": "W" * 40,
    "name": "W" * 20,
    "code": "W" * 12,
    "phrase": "QUITTER WWWWWWWW",  # LEAVE's longest word and the longest circle code
    "circles": "; ".join(["W" * 40 + " (WWWWWWWW)"] * 3),
    "enrolled": "500",
    "capacity": "500",
    "text": "W" * 380,
    "number": "99999",
    "seq": "52",
    "other": "52",
    "place": "W" * 20,
    "yes": "500",
    "no": "500",
    "none": "500",
    "position": "500",
    "count": "99",
    "codes": ", ".join(["WWWWWWWW"] * 12),
    "others": ", ".join(["WWWWWWWW"] * 3) + ", ...",
    "minutes": "10",
    "channel": "Telegram",
    "names": "W" * 80,
    "last": "9999",
    "dial_in": "+999 99 999 999 999",
    "phone_code": "999999",
    "url": "https://" + "w" * 30 + "/facilitator",  # PUBLIC_BASE_URL's sign-in page
    "phone": "+999 99 999 999 999",
}
