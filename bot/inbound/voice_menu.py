"""The voice pipeline for join by calling and a known caller's keypad menu (``flows.voice_menu``).

Each request reads the circle behind the phone code and the caller, lets the pure flow decide, and applies
its effects in one transaction: the ones a text would have (enroll, RSVP, opt-out, erase…) through the same
``Applier`` as ``bot.inbound.service``, so capacity, the waiting list, the facilitator's notice and the
reminders work as for a text signup. A replayed request has no second effect (upserts, dedupe keys, and a
flow that sees what was done).
"""

from __future__ import annotations

import logging
from datetime import datetime

import phonenumbers
from sqlalchemy import select

from bot.domain import callers, contacts, enrollments, reach
from bot.domain import link_codes as links
from bot.domain import phone as phones
from bot.domain.callers import Caller, Room
from bot.domain.outbox import OutboxKind, insert_new, row
from bot.domain.relay_handles import handle_for
from bot.inbound.effects import Applier, Draft
from bot.render.i18n import gettext
from bot.render.texts import TEXTS
from bot.store.models import Address, Circle, Contact, Meeting
from flows import keys
from flows import voice as call_flow
from flows import voice_menu as menu
from flows.inbound import SMS, VOICE, WHATSAPP
from flows.results import Reply, When

log = logging.getLogger(__name__)
TEXTABLE = (phonenumbers.PhoneNumberType.MOBILE, phonenumbers.PhoneNumberType.FIXED_LINE_OR_MOBILE)


def after_code(session, settings, who: Caller, number: str | None, lang: str, digits: str, now: datetime):
    """After the right phone code: the offer to join or the menu (``flows.voice_menu.start``), or None
    when the call goes on as before (the facilitator, a hidden number, a learner in the call window)."""
    code, pin = call_flow.split_code(digits)
    circle = _circle(session, code)
    if circle is None or number is None:
        return None
    facilitator = (who.facilitator_id is not None and who.facilitator_id == circle.facilitator_id) or (
        pin is not None and pin == circle.facilitator_pin
    )
    outcome = menu.start(lang, found(session, settings, circle, who, number, lang, now), facilitator)
    return outcome.step if outcome is not None else None


def gathered(
    uow, settings, call_sid: str, number: str | None, state: menu.MenuState, digits: str, said: str, now: datetime
) -> tuple[menu.Step, Room | None]:
    """One answer on the menu (keys, or the name said): the next step, its effects applied and committed."""
    with uow() as session:
        # a place may be taken (the offer, for a known caller, or the name confirmed): counted afresh under lock
        circle = _circle(session, state.code, lock=state.step in (menu.OFFER, menu.CONFIRM))
        if circle is None or number is None:
            return call_flow.Goodbye(state.lang, (Reply(keys.VOICE_MENU_BYE),)), None
        who = callers.caller(session, number)
        outcome = menu.gathered(state, digits, said, found(session, settings, circle, who, number, state.lang, now))
        if outcome.effects:
            _apply(session, settings, call_sid, number, circle, outcome.effects, now)
        room = None
        if isinstance(outcome.step, call_flow.Join):
            room = callers.join(
                session, call_sid, outcome.step.meeting_id, callers.caller(session, number), number, False, now
            )
        session.commit()
    if outcome.effects:
        log.info("call %s from %s: menu %s, %s", call_sid, phones.mask(number), state.step, _names(outcome.effects))
    return outcome.step, room


def found(session, settings, circle: Circle, who: Caller, number: str, lang: str, now: datetime) -> menu.Found:
    """What the flow needs about the circle and the caller (``flows.voice_menu.Found``)."""
    window = callers.call_window(settings)
    slots = tuple(call_flow.MeetingSlot(m.id, m.starts_at, m.ends_at, m.status) for m in circle.meetings)
    current, following = call_flow.meeting_now(slots, now, window, window)
    enrollment = enrollments.find(session, who.contact_id, circle.id) if who.contact_id else None
    enrolled = enrollment is not None and enrollment.status in enrollments.CURRENT
    voice = session.scalar(select(Address).where(Address.channel == VOICE, Address.value == number))
    return menu.Found(
        code=circle.code,
        circle=circle.name,
        venue=circle.venue,
        timezone=circle.timezone,
        phone_code=circle.phone_code or "",
        next_meeting=(following.id, following.starts_at) if following is not None else None,
        meeting_now=current.id if current is not None else None,
        full=not enrollments.has_room(session, circle),
        enrolled=enrolled,
        waitlisted=enrolled and enrollment is not None and enrollment.status == enrollments.EnrollmentStatus.WAITLIST,
        known=who.contact_id is not None,
        can_text=who.contact_id is not None and can_text(session, who.contact_id, number),
        calls_stopped=voice is not None and voice.opted_out_at is not None,
        unheard_name=gettext(TEXTS[keys.VOICE_UNHEARD_NAME], lang) % {"last": number[-4:]},
        name=(session.scalar(select(Contact.name).where(Contact.id == who.contact_id)) if who.contact_id else None)
        or "",
    )


def can_text(session, contact_id: int, number: str) -> bool:
    """True when reminders go by call now and the number could get texts: a mobile number (as far as
    ``phonenumbers`` can tell) whose text address, if any, has not stopped texts or failed for good."""
    preferred = session.scalar(
        select(Address.channel).where(Address.contact_id == contact_id, Address.preferred.is_(True)).limit(1)
    )
    if preferred in (SMS, WHATSAPP):
        return False
    texts = session.scalar(select(Address).where(Address.channel == SMS, Address.value == number))
    if texts is not None and (texts.opted_out_at is not None or reach.texts_fail(texts)):
        return False
    try:
        return phonenumbers.number_type(phonenumbers.parse(number)) in TEXTABLE
    except phonenumbers.NumberParseException:
        return False


def _circle(session, code: str, lock: bool = False) -> Circle | None:
    if not code:
        return None
    query = select(Circle).where(Circle.phone_code == code, Circle.archived_at.is_(None))
    return session.scalar(query.with_for_update() if lock else query)


def _apply(session, settings, call_sid: str, number: str, circle: Circle, effects, now: datetime) -> None:
    """Applies the flow's effects for the caller's voice address (made on the first one: the join)."""
    contact, address = contacts.for_inbound(session, VOICE, number, now)
    draft = Draft(VOICE, f"{call_sid}:menu"[:64], number, "", now, contact.id)
    applier = Applier(session, settings, contact, address, draft, now)
    for effect in effects:
        if isinstance(effect, menu.ConsentByPhone):
            contacts.consent(session, contact, address, now, contacts.ConsentSource.JOINED_BY_PHONE)
        elif isinstance(effect, menu.TellFacilitator):
            _tell_facilitator(session, call_sid, number, circle, contact, effect, now)
        elif isinstance(effect, menu.TextsInstead):
            _texts_instead(session, contact, number, now)
        else:
            applier.apply((effect,))
    applier.write_deferred()
    session.flush()


def _tell_facilitator(
    session, call_sid: str, number: str, circle: Circle, contact: Contact, effect: menu.TellFacilitator, now: datetime
) -> None:
    """A text to the circle's facilitator naming the learner by name and ``#N`` (the number only for a call back)."""
    to = contacts.facilitator_recipient(session, circle.facilitator_id, circle.language)
    if to is None or circle.facilitator_id is None:
        return
    params: dict = {
        "name": contact.name or "?",
        "number": handle_for(session, circle.facilitator_id, contact.id, now),
        "circle": circle.name,
    }
    if effect.meeting_id is not None:
        starts_at = session.scalar(select(Meeting.starts_at).where(Meeting.id == effect.meeting_id))
        params["when"] = When(starts_at, circle.timezone)
        key = f"phone-cant-come:{effect.meeting_id}:{contact.id}"
    else:
        params["phone"] = phones.display(number)
        key = f"phone-call-back:{call_sid}"
    insert_new(session, [row(key, OutboxKind.NOTICE, to, (Reply(effect.key, params),), now, now, about=contact.id)])


def _texts_instead(session, contact: Contact, number: str, now: datetime) -> None:
    """Reminders go by text: the number's SMS address (made if new), consented on this call, preferred."""
    texts = session.scalar(select(Address).where(Address.channel == SMS, Address.value == number))
    if texts is None:
        texts = Address(contact_id=contact.id, channel=SMS, value=number, preferred=False, created_at=now)
        session.add(texts)
        session.flush()
    if texts.consent_at is None:
        texts.consent_at, texts.consent_source = now, contacts.ConsentSource.VOICE
    links.prefer(session, contact, SMS)


def _names(effects) -> str:
    return ", ".join(type(e).__name__ for e in effects)
