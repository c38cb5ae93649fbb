"""The phone line's words: what callers hear (the call-in line, the join and keypad menus, the host menu)
and the call that records prompts. Part of ``bot.render.texts.TEXTS``, the one English source."""

from __future__ import annotations

from bot.render.text_marks import N_, NP_
from flows import keys

VOICE_TEXTS: dict[str, str] = {
    # How a phone call asks for a choice (<Say> before <Gather>).
    keys.VOICE_PRESS: N_("Press %(digit)s for %(label)s."),
    keys.VOICE_SCALE: N_("Press a number from %(low)s, %(low_label)s, to %(high)s, %(high_label)s."),
    # A call to the bot's number (flows/voice.py): short sentences, written to be heard.
    keys.VOICE_WELCOME: N_("Hello! This is the learning circle line."),
    # One line of the language menu, said in its own language: each catalog names its own language.
    keys.VOICE_LANGUAGE_OPTION: N_("For English, press %(digit)s."),
    keys.VOICE_ASK_CODE: N_("Please type your circle's phone code. Then press the pound key."),
    keys.VOICE_WRONG_CODE: N_("Sorry, that code is not right. Please try again."),
    keys.VOICE_WRONG_CODE_BYE: N_("Sorry, that code is not right. Please check the code with your library. Goodbye."),
    keys.VOICE_GOODBYE: N_("We did not hear you. Please call again later. Goodbye."),
    keys.VOICE_NOT_NOW: N_("%(circle)s is not meeting right now. The next meeting is on %(when)s. Goodbye."),
    keys.VOICE_NO_MEETINGS: N_("%(circle)s has no more meetings. Goodbye."),
    keys.VOICE_JOIN_FACILITATOR: N_("Welcome to %(circle)s. You are the facilitator. The meeting starts now."),
    keys.VOICE_JOIN_LEARNER: N_("Welcome to %(circle)s. Joining the meeting now."),
    keys.VOICE_VOICEMAIL: N_("Hello, this is %(circle)s. We called to bring you into the meeting. Goodbye."),
    keys.VOICE_TYPE_NUMBER: N_("Type the number, then press the pound key."),
    keys.VOICE_SKIP_TEXT: N_("This question needs words, so we skip it on the phone. Press any key to go on."),
    keys.VOICE_HOW_TO_STOP: N_(
        "Your facilitator signed you up for these calls. To stop them, press the star key at any time."
    ),
    keys.VOICE_WAITING: N_("Please stay on the line. The meeting starts when the facilitator joins."),
    # The call that records the prompts of a language without a voice (circlebot voice prompts record).
    keys.RECORD_INTRO: NP_(
        "Hello! Let us record %(count)s prompt. After each beep, say the words, then press the pound key.",
        "Hello! Let us record %(count)s prompts. After each beep, say the words, then press the pound key.",
        "count",
    ),
    keys.RECORD_PROMPT: N_("Prompt %(number)s. Please say:"),
    keys.RECORD_DONE: N_("Thank you! Every prompt is recorded. Goodbye."),
    keys.VOICE_HOST_HINT: N_("Press the star key at any time for the host menu."),
    keys.VOICE_HOST_MENU: N_(
        "Host menu. Press 1 to hear who is on the call, 2 to mute everyone, 3 to unmute everyone, "
        "4 for the roll call, or 9 to end the meeting. Any other key takes you back."
    ),
    keys.VOICE_HOST_ON_LINE: NP_(
        "%(count)s caller is on the line: %(names)s.",
        "%(count)s callers are on the line: %(names)s.",
        "count",
    ),
    keys.VOICE_HOST_UNKNOWN: NP_(
        "%(count)s caller we do not know is on the line.",
        "%(count)s callers we do not know are on the line.",
        "count",
    ),
    keys.VOICE_HOST_NOBODY: N_("No learner is on the line yet."),
    keys.VOICE_HOST_MUTED: NP_(
        "%(count)s caller is muted. Back to the meeting.",
        "%(count)s callers are muted. Back to the meeting.",
        "count",
    ),
    keys.VOICE_HOST_UNMUTED: NP_(
        "%(count)s caller can speak again. Back to the meeting.",
        "%(count)s callers can speak again. Back to the meeting.",
        "count",
    ),
    keys.VOICE_HOST_END_CONFIRM: N_("To end the meeting for everyone, press 9 again. Any other key takes you back."),
    keys.VOICE_HOST_ENDED: N_("The meeting has ended for everyone. Thank you. Goodbye."),
    keys.VOICE_HOST_ROLL_ASK: N_("Is %(name)s here in the room? Press 1 for yes, 2 for no."),
    keys.VOICE_HOST_ROLL_DONE: NP_(
        "Roll call saved: %(count)s learner in the room. Back to the meeting.",
        "Roll call saved: %(count)s learners in the room. Back to the meeting.",
        "count",
    ),
    keys.VOICE_HOST_ROLL_EMPTY: N_("Every learner is on the phone, so there is no roll call. Back to the meeting."),
    keys.VOICE_HOST_FAILED: N_("Sorry, that did not work. Please try again in a moment. Back to the meeting."),
    # Join by calling, and a known caller's keypad menu (flows/voice_menu.py): written to be heard.
    keys.VOICE_NOT_MEETING: N_("%(circle)s is not meeting right now. The next meeting is on %(when)s."),
    keys.VOICE_NONE_PLANNED: N_("%(circle)s has no more meetings planned."),
    keys.VOICE_JOIN_OFFER: N_("To join %(circle)s and get a call before each meeting, press 1."),
    keys.VOICE_JOIN_OR_MEETING: N_("To go into today's meeting without joining, press 2."),
    keys.VOICE_ASK_NAME: N_("Please say your first name now."),
    keys.VOICE_NAME_AGAIN: N_("Sorry, we did not understand. Please say your first name again."),
    keys.VOICE_NAME_HEARD: N_("We understood: %(name)s. If that is right, press 1. To say it again, press 2."),
    keys.VOICE_NAME_UNHEARD: N_(
        "We could not understand your name, so your facilitator will see you as %(name)s and can change it. "
        "To join, press 1. To say your name again, press 2."
    ),
    # The name a learner who joined by phone gets when their name could not be understood (the roster can change it).
    keys.VOICE_UNHEARD_NAME: N_("Caller ending %(last)s"),
    keys.VOICE_JOINED: N_("You are in %(circle)s, %(name)s. We will call you before each meeting."),
    keys.VOICE_JOINED_WAITLIST: N_(
        "Thank you, %(name)s. %(circle)s is full, so you are on the waiting list. We will call you if a place opens."
    ),
    keys.VOICE_FIRST_MEETING: N_("The next meeting is on %(when)s."),
    keys.VOICE_MENU_NEXT: N_("To hear when the next meeting is, press 1."),
    keys.VOICE_MENU_CANT_COME: N_("If you cannot come to the next meeting, press 2."),
    keys.VOICE_MENU_CALL_BACK: N_("To ask your facilitator to call you back, press 3. They will get your number."),
    keys.VOICE_MENU_TEXTS: N_("To get your reminders by text message instead of calls, press 7."),
    keys.VOICE_MENU_STOP: N_("To stop all calls from us, press 8."),
    keys.VOICE_MENU_START: N_("To get our calls again, press 6."),
    keys.VOICE_MENU_ERASE: N_("To erase your name, your number and your answers, press 9."),
    keys.VOICE_NEXT_MEETING: N_("The next meeting of %(circle)s is on %(when)s, at %(venue)s."),
    keys.VOICE_PHONE_CODE: N_("To join it by phone, call this number at that time and type %(phone_code)s."),
    keys.VOICE_CANT_COME_DONE: N_("Thank you. We told your facilitator that you cannot come on %(when)s. Goodbye."),
    keys.VOICE_CALL_BACK_DONE: N_("Thank you. We asked your facilitator to call you back. Goodbye."),
    keys.VOICE_TEXTS_DONE: N_("From now on, your reminders come by text message. Goodbye."),
    keys.VOICE_CALLS_STOPPED: N_("You will not get any more calls from us. Goodbye."),
    keys.VOICE_CALLS_AGAIN: N_("Welcome back. We will call you again before each meeting. Goodbye."),
    keys.VOICE_ERASE_CONFIRM: N_(
        "This takes you out of every circle and erases your name, your number and your answers. "
        "To erase them, press 9 again. To keep them, press any other key."
    ),
    keys.VOICE_ERASED: N_("Your data is erased. Goodbye."),
    keys.VOICE_ERASE_KEPT: N_("Nothing was erased. Goodbye."),
    keys.VOICE_NOT_HEARD: N_("Sorry, we did not hear you."),
    keys.VOICE_NOT_A_CHOICE: N_("Sorry, that key is not one of the choices."),
    keys.VOICE_MENU_BYE: N_("Thank you for calling. Goodbye."),
}
