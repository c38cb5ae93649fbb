"""Applying a flow's effects inside the inbound message's transaction.

Each handler takes the session and plain values, changes rows, and collects the outbox rows it
created (as ``Planned``) so that the service queues them after the commit. Messages to other people
(the facilitator, learners) are outbox rows that say *what* to say; they are rendered for each
reader's own channel and language when they are sent.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import datetime
from typing import TYPE_CHECKING, Any, cast

from sqlalchemy import Table, select
from sqlalchemy.orm import Session

from bot.domain import contacts, enrollments, outbox
from bot.domain.enrollments import EnrollmentStatus
from bot.domain.outbox import OutboxKind, insert_new
from bot.domain.planning import reminders
from bot.domain.relay_handles import handle_for
from bot.inbound import account_effects, facilitator_effects
from bot.inbound.load import AddressRow, CircleRow, SenderRow
from bot.inbound.upserts import UPDATE, Deferred, Shape, bound, build
from bot.settings import Settings
from bot.store.models import (
    Address,
    Answer,
    Base,
    Circle,
    Contact,
    Outbox,
    Rsvp,
)
from flows import keys
from flows.results import (
    AddLandline,
    Broadcast,
    ChangeMeeting,
    Effect,
    Enroll,
    Erase,
    IssueLinkCode,
    Leave,
    LinkAddress,
    OptIn,
    OptOut,
    Quote,
    RecordAnswer,
    RecordAttendance,
    RecordConsent,
    RecordRsvp,
    RelayToFacilitator,
    RelayToLearner,
    Reply,
    RequestCall,
    SetLanguage,
    SetName,
    SetPreferred,
)

if TYPE_CHECKING:
    from bot.inbound.load import Loaded

log = logging.getLogger(__name__)
RECEIVED, FAILED = "received", "failed"  # an inbound message row's status
# Effects whose one write nothing reads back: an upsert, or a contact's column kept for its version's UPDATE.
DEFERRABLE = frozenset({RecordRsvp, RecordAnswer, SetName, SetLanguage})


_CONTACT_WRITES: dict[tuple[str, tuple[str, ...]], tuple[Shape, Any]] = {}  # (dialect, columns set): the UPDATE


@dataclass
class Draft:
    """The inbound ``message`` row, written last (one INSERT) once the replies are known."""

    channel: str
    provider_id: str
    address: str
    body: str
    created_at: datetime
    contact_id: int | None = None
    status: str = RECEIVED


class Applier:
    """Applies the effects of one inbound message for one contact, at the address it came from.

    The sender's contact and address may be Core rows (``bot.inbound.load``: the hot path builds no ORM
    object) or ORM objects; an effect that hands them to a domain function gets the ORM object, read on
    first use (``sender``, ``sender_address``). A name or language set before that is kept in
    ``changes`` and written with the contact's version (``contact_write``), in the inbound row's statement.
    """

    def __init__(
        self,
        session: Session,
        settings: Settings,
        contact: Contact | SenderRow | None,
        address: Address | AddressRow | None,
        message: Draft,
        now: datetime,
        loaded: Loaded | None = None,
    ) -> None:
        """``message`` is the inbound row to be written (``bot.inbound.service.Draft``); ``loaded`` is what
        ``bot.inbound.load.lock_and_load`` read for this sender (circles, their facilitators, the sender's handles)."""
        self.session, self.settings, self.now = session, settings, now
        self.message = message
        self.contact_id = contact.id if contact is not None else None
        self.name = contact.name if contact is not None else None  # as the effects so far left it
        self.address_id = address.id if address is not None else None
        self._contact = contact if isinstance(contact, Contact) else None
        self._address = address if isinstance(address, Address) else None
        self.changes: dict[str, Any] = {}  # the contact's columns set while its ORM object was not read
        self.loaded = loaded
        self.deferred: list[Deferred] = []  # upserts not sent yet (see ``apply``)

    def apply(self, effects: Iterable[Effect]) -> None:
        """Applies every effect in order (the outbox rows written are queued when the service commits).

        A write that nothing reads back (an RSVP's or a survey answer's upsert, and the conversation's
        state the service put first) is kept in ``deferred`` instead of being sent at once, and a name or
        a language in ``changes``: the service sends them with the inbound row's INSERT
        (``bot.inbound.service``), one round trip for all. Any other effect first writes what was
        deferred, so the order in which effects see each other's rows is the order of the effects.
        """
        for effect in effects:
            kind = type(effect)
            if kind not in DEFERRABLE:
                self.write_deferred()
            HANDLERS[kind](self, effect)
        self.session.flush()

    def write_deferred(self) -> None:
        """Sends the deferred upserts now, in order."""
        for deferred in self.deferred:
            self.session.execute(deferred.statement, bound(deferred))
        self.deferred.clear()

    def take_deferred(self) -> list["Deferred"]:
        """The deferred upserts (for the service to send with the inbound row); the applier forgets them."""
        taken, self.deferred = self.deferred, []
        return taken

    @property
    def sender(self) -> Contact:
        """The contact the message came from, as an ORM object (read on first use; a flow changes nobody for
        a sender the bot could not read)."""
        if self._contact is None:
            if self.contact_id is None:
                raise RuntimeError("an effect for a sender without a contact")
            self._contact = self.session.get(Contact, self.contact_id)
            if self._contact is None:
                raise RuntimeError("the sender's contact is gone")
            for column, value in self.changes.items():
                setattr(self._contact, column, value)
            self.changes.clear()
        return self._contact

    @property
    def sender_address(self) -> Address:
        """The address the message came from, as an ORM object (read on first use)."""
        if self._address is None:
            if self.address_id is None:
                raise RuntimeError("an effect for a sender without an address")
            self._address = self.session.get(Address, self.address_id)
            if self._address is None:
                raise RuntimeError("the sender's address is gone")
        return self._address

    def _set_contact(self, column: str, value: Any) -> None:
        """Sets one of the sender's columns: on its ORM object if read, else with the version (Core)."""
        if self.contact_id is None:
            raise RuntimeError("an effect for a sender without a contact")
        if self._contact is not None:
            setattr(self._contact, column, value)
        else:
            self.changes[column] = value

    def contact_write(self) -> Deferred | None:
        """``UPDATE contact SET version = version + 1[, name, language] WHERE id = …`` for the sender (the
        columns set while its ORM object was not read), to send with the inbound row; None without a sender.

        The version tells a message waiting for this contact's lock that its snapshot is older than the
        row it locked (``bot.inbound.load``).
        """
        if self.contact_id is None:
            return None
        changes = dict(sorted(self.changes.items()))
        self.changes.clear()
        dialect = self.session.get_bind().dialect.name
        key = (dialect, tuple(changes))
        if key not in _CONTACT_WRITES:
            table = cast(Table, Contact.__table__)
            shape = Shape(table, ("id",), key[1], ("id", *changes), kind=UPDATE, increments=("version",))
            _CONTACT_WRITES[key] = (shape, build(shape, dialect))
        shape, statement = _CONTACT_WRITES[key]
        return Deferred(shape, statement, {"id": self.contact_id, **changes})

    # -- the sender themselves -------------------------------------------------------------------
    def _SetName(self, effect: SetName) -> None:
        self._set_contact("name", effect.name)
        self.name = effect.name

    def _SetLanguage(self, effect: SetLanguage) -> None:
        self._set_contact("language", effect.language)

    def _RecordConsent(self, effect: RecordConsent) -> None:
        contacts.consent(
            self.session,
            self.sender,
            self.sender_address,
            self.now,
            source=contacts.ConsentSource(self.message.channel),
        )

    # -- circles -----------------------------------------------------------------------------------
    def _Enroll(self, effect: Enroll) -> None:
        circle = self._circle(effect.code)
        status = EnrollmentStatus.WAITLIST if effect.waitlist else EnrollmentStatus.ACTIVE
        enrollment = enrollments.enroll(self.session, self._sender_id, circle, self.now, status)
        name = self.name
        to = contacts.facilitator_recipient(self.session, circle.facilitator_id, circle.language)
        if to is not None:
            enrolled = enrollments.active_count(self.session, circle.id)
            key = keys.FACILITATOR_WAITLISTED if effect.waitlist else keys.FACILITATOR_JOINED
            said = Reply(
                key,
                {
                    "name": name or "?",
                    "circle": circle.name,
                    "enrolled": enrolled,
                    "capacity": circle.capacity,
                },
            )
            self._send(f"joined:{enrollment.id}:{status}", OutboxKind.NOTICE, to, said, about=self._sender_id)
        reminders.plan(self.session, self.settings, self.now, contact_id=self.contact_id)

    def _RecordRsvp(self, effect: RecordRsvp) -> None:
        self._upsert(
            Rsvp,
            ["meeting_id", "contact_id"],
            {"answer": effect.answer, "updated_at": self.now},
            meeting_id=effect.meeting_id,
            contact_id=self._sender_id,
            created_at=self.now,
        )

    def _RecordAnswer(self, effect: RecordAnswer) -> None:
        circle = self._circle_row(effect.circle_code)
        self._upsert(
            Answer,
            ["subject", "question_key"],
            {"value": effect.value, "updated_at": self.now},
            subject=effect.subject,
            circle_id=circle.id,
            question_key=effect.question_key,
            created_at=self.now,
        )

    # -- the relay (the facilitator's commands: bot.inbound.facilitator_effects) ---------------------
    def _RelayToFacilitator(self, effect: RelayToFacilitator) -> None:
        circle = self._circle_row(effect.circle_code)
        if self.loaded is not None and circle.code in self.loaded.facilitator_held:
            to = self.loaded.facilitator_to[circle.code]
            held = to is None  # they opted out: keep the message for them (the learner was told so)
            if held:
                to = self.loaded.facilitator_held[circle.code]
        else:
            to = contacts.facilitator_recipient(self.session, circle.facilitator_id, circle.language)
            held = to is None
            if held:
                to = contacts.facilitator_recipient(
                    self.session, circle.facilitator_id, circle.language, opted_out_too=True
                )
        if to is None or circle.facilitator_id is None:
            return
        number = self.loaded.handles.get(circle.code) if self.loaded is not None else None
        made = number is None
        if number is None:
            number = handle_for(self.session, circle.facilitator_id, self._sender_id, self.now)
        params = {"name": self.name or "?", "number": number, "circle": circle.name}
        said: tuple[Reply, ...]
        if effect.stuck_after_meeting is not None:  # says how to answer already
            said = (Reply(keys.RELAY_STUCK, {**params, "seq": effect.stuck_after_meeting}),)
        else:
            said = (Reply(keys.RELAY_TO_FACILITATOR, {**params, "text": Quote(effect.text)}),)
            if number == 1 and (made or not self._relayed_before(circle.code, to.contact_id)):
                # the facilitator's first relay: say how to answer, once ("To answer, text #1…")
                said += (Reply(keys.RELAY_HOW_TO_ANSWER, {"number": number}),)
        self._send(f"relay:{self._inbound_key}", OutboxKind.RELAY, to, said, about=self._sender_id, held=held)

    # -- helpers -------------------------------------------------------------------------------------
    def _relayed_before(self, code: str, facilitator_contact_id: int) -> bool:
        """True when a learner's message was relayed to this facilitator before (#N is made at enrollment);
        read by the lock-and-load for learner #1 (``Loaded.relayed_before``), else asked here."""
        if self.loaded is not None and code in self.loaded.relayed_before:
            return self.loaded.relayed_before[code]
        return (
            self.session.scalar(
                select(Outbox.id)
                .where(Outbox.kind == OutboxKind.RELAY, Outbox.contact_id == facilitator_contact_id)
                .limit(1)
            )
            is not None
        )

    @property
    def _inbound_key(self) -> str:
        """The inbound message in a dedupe key: its channel and provider id (unique, known before its row)."""
        return f"{self.message.channel}:{self.message.provider_id}"

    @property
    def _sender_id(self) -> int:
        if self.contact_id is None:
            raise RuntimeError("an effect for a sender without a contact")
        return self.contact_id

    def _circle(self, code: str) -> Circle:
        """The circle as an ORM object, for a domain function (read by id when ``load`` saw it)."""
        if self.loaded is not None and code in self.loaded.rows:
            circle = self.session.get(Circle, self.loaded.rows[code].id)
            if circle is not None:
                return circle
        return self.session.scalars(select(Circle).where(Circle.code == code)).one()

    def _circle_row(self, code: str) -> Circle | CircleRow:
        """The circle's row as ``load`` read it (no statement), else its ORM object."""
        if self.loaded is not None and code in self.loaded.rows:
            return self.loaded.rows[code]
        return self._circle(code)

    def _upsert(self, model: type[Base], unique: list[str], changes: dict[str, Any], **keys_and_values: Any) -> None:
        """One INSERT … ON CONFLICT DO UPDATE (no read first, and no unique race to lose), deferred."""
        values = {**keys_and_values, **changes}
        shape = Shape(cast(Table, model.__table__), tuple(unique), tuple(changes), tuple(values))
        self.deferred.append(Deferred(shape, build(shape, self.session.get_bind().dialect.name), values))

    def _send(
        self,
        key: str,
        kind: OutboxKind,
        to: contacts.Recipient,
        said: Reply | tuple[Reply, ...],
        about: int | None = None,
        held: bool = False,
    ) -> None:
        replies = said if isinstance(said, tuple) else (said,)
        row = outbox.row(key, kind, to, replies, self.now, self.now, about=about)
        if held:
            row["status"] = outbox.HELD
        insert_new(self.session, [row])


HANDLERS: dict[type, Callable[[Applier, Any], None]] = {
    SetName: Applier._SetName,
    SetLanguage: Applier._SetLanguage,
    RecordConsent: Applier._RecordConsent,
    IssueLinkCode: account_effects.issue_link_code,
    LinkAddress: account_effects.link_address,
    SetPreferred: account_effects.set_preferred,
    OptOut: account_effects.opt_out,
    OptIn: account_effects.opt_in,
    Erase: account_effects.erase_sender,
    Enroll: Applier._Enroll,
    Leave: account_effects.leave,
    RecordRsvp: Applier._RecordRsvp,
    AddLandline: facilitator_effects.add_landline,
    RequestCall: account_effects.request_call,
    RecordAttendance: facilitator_effects.record_attendance,
    RecordAnswer: Applier._RecordAnswer,
    RelayToFacilitator: Applier._RelayToFacilitator,
    RelayToLearner: facilitator_effects.relay_to_learner,
    Broadcast: facilitator_effects.broadcast,
    ChangeMeeting: facilitator_effects.change_meeting,
}
"""Each effect type of ``flows.results.Effect`` and the method that applies it (a test checks every one has one)."""
