"""Every user-facing text: a message key → its English msgid (translated through Babel).

Placeholders are named (``%(name)s``). ``PLACEHOLDER_LONGEST`` gives the longest value each
placeholder may take; ``circlebot segments`` renders every text with those to check its cost.
"""
from __future__ import annotations

from flows import keys


def N_(msgid: str) -> str:
    """Marks ``msgid`` for extraction (``pybabel extract -k N_``) without translating it."""
    return msgid


TEXTS: dict[str, str] = {
    keys.SIGNUP_ASK_NAME: N_("Welcome to %(circle)s! What is your first name?"),
    keys.SIGNUP_BAD_NAME: N_("Sorry, I did not get that. Please reply with your first name."),
    keys.SIGNUP_ASK_LANGUAGE: N_("Thanks, %(name)s! Which language do you want? Reply with a number:\n%(menu)s"),
    keys.SIGNUP_BAD_LANGUAGE: N_("Please reply with one number:\n%(menu)s"),
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
    keys.SIGNUP_NEED_CODE: N_("To join, text JOIN and your circle code, like JOIN KC42. Your library has the code."),
    keys.STOP_CONFIRMED: N_("You will not get any more texts from us. Text START to get them again."),
    keys.START_CONFIRMED: N_("Welcome back! You will get texts from us again. Text HELP for help or STOP to stop."),
    keys.HELP_CIRCLES: N_(
        "Your circles: %(circles)s. Text JOIN and a code to join another, LANGUAGE to change language, "
        "STOP to stop texts."
    ),
    keys.HELP_NO_CIRCLES: N_(
        "To join a learning circle, text JOIN and the circle code from your library. "
        "Text LANGUAGE to change language, STOP to stop texts."
    ),
    keys.HELP_STOPPED: N_("You stopped our texts. Text START to get them again."),
    keys.LANGUAGE_MENU: N_("Which language do you want? Reply with a number:\n%(menu)s"),
    keys.LANGUAGE_SET: N_("Done! We will text you in %(language)s."),
    keys.FALLBACK: N_("Sorry, I did not understand. To join a circle, text JOIN and its code. Text HELP for help."),
    keys.BAD_ADDRESS: N_("Sorry, we could not read your phone number, so we cannot sign you up."),
    keys.REMINDER: N_("%(circle)s: %(when)s, %(venue)s. Reply 1 if you're coming, 2 if not."),
    keys.RSVP_YES: N_("Great, see you %(when)s! If plans change, reply 2."),
    keys.RSVP_NO: N_("Thanks for telling us. If you can come after all, reply 1."),
    keys.MEETING_MOVED: N_("%(circle)s: the meeting has moved to %(when)s at %(venue)s."),
    keys.MEETING_CANCELLED: N_("%(circle)s: the meeting on %(when)s is cancelled. We will text you about the next one."),
    keys.FACILITATOR_TALLY: N_("%(circle)s, %(when)s: %(yes)s coming, %(no)s not, %(none)s no reply."),
    keys.FACILITATOR_JOINED: N_("%(name)s joined %(circle)s. %(enrolled)s of %(capacity)s places are taken."),
    keys.FACILITATOR_WAITLISTED: N_("%(name)s is on the waiting list for %(circle)s, which is full."),
}

NO_DATE_YET = N_("to be announced")

# Single questions and reminders: 1 segment in en and sw, at most 2 elsewhere (DESIGN.md §5).
QUESTIONS = frozenset({
    keys.SIGNUP_ASK_NAME, keys.SIGNUP_BAD_NAME, keys.SIGNUP_ASK_LANGUAGE, keys.SIGNUP_BAD_LANGUAGE,
    keys.LANGUAGE_MENU, keys.REMINDER,
})

# The longest value each placeholder may take (see bot/circles.py and flows/signup.py).
PLACEHOLDER_LONGEST = {
    "circle": "W" * 40,
    "venue": "W" * 40,
    "name": "W" * 20,
    "code": "W" * 12,
    "circles": "; ".join(["W" * 40 + " (WWWWWWWW)"] * 3),
    "enrolled": "500",
    "capacity": "500",
    "yes": "500",
    "no": "500",
    "none": "500",
}
