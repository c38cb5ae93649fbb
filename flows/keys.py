"""The message keys flows reply with. ``bot/texts.py`` maps each one to its English msgid."""

SIGNUP_ASK_NAME = "signup.ask_name"
SIGNUP_BAD_NAME = "signup.bad_name"
SIGNUP_ASK_LANGUAGE = "signup.ask_language"
SIGNUP_BAD_LANGUAGE = "signup.bad_language"
SIGNUP_CONFIRMED = "signup.confirmed"
SIGNUP_WAITLISTED = "signup.waitlisted"
SIGNUP_ALREADY_IN = "signup.already_in"
SIGNUP_ALREADY_WAITLISTED = "signup.already_waitlisted"
SIGNUP_UNKNOWN_CODE = "signup.unknown_code"
SIGNUP_NEED_CODE = "signup.need_code"
STOP_CONFIRMED = "stop.confirmed"
START_CONFIRMED = "start.confirmed"
HELP_CIRCLES = "help.circles"
HELP_NO_CIRCLES = "help.no_circles"
HELP_STOPPED = "help.stopped"
LANGUAGE_MENU = "language.menu"
LANGUAGE_SET = "language.set"
FALLBACK = "fallback.unknown"
BAD_ADDRESS = "error.bad_address"
REMINDER = "reminder"
RSVP_YES = "rsvp.yes"
RSVP_NO = "rsvp.no"
MEETING_MOVED = "meeting.moved"
MEETING_CANCELLED = "meeting.cancelled"
FACILITATOR_TALLY = "facilitator.tally"
FACILITATOR_JOINED = "facilitator.joined"
FACILITATOR_WAITLISTED = "facilitator.waitlisted"

ALL = tuple(value for name, value in sorted(globals().items()) if name.isupper())

# Replies an opted-out sender may still get: the one STOP confirmation and HELP's answer.
ALLOWED_WHEN_OPTED_OUT = frozenset({STOP_CONFIRMED, HELP_STOPPED})
