"""An outbox row's text as it goes out, and as the row keeps it.

Most rows keep the very text they send. A sign-in code's row keeps its text with the code masked; the
code is derived again from the row's salt whenever the text is needed (``bot.domain.login``): to send
it, to send it again after a failure, or to ask the provider whether a crashed send went out.
"""

from __future__ import annotations

from sqlalchemy import select

from bot.domain import login, meetings, outbox
from bot.render import codec, render, whatsapp
from bot.store.models import Contact, Outbox
from flows import asked, languages


def render_row(session, row: Outbox, secret: str | None, reveal: bool = True):
    """The row's replies rendered for its channel, in the contact's language now (else the row's).

    A sign-in code is revealed with ``secret`` (``reveal``) or masked, as the row keeps it.

    Raises:
        login.WrongKey: the sign-in code's row was made with another ``SECRET_KEY``.
    """
    replies, language = _replies(session, row, secret, reveal)
    return render(row.channel, replies, language)


def template_variables(session, row: Outbox, secret: str | None) -> dict[str, str]:
    """The row's WhatsApp template variables: its parameters' values in the reader's language (the sign-in
    code revealed with ``secret``).

    Raises:
        login.WrongKey: the sign-in code's row was made with another ``SECRET_KEY``.
    """
    replies, language = _replies(session, row, secret, True)
    return whatsapp.variables(replies, language)


def _replies(session, row: Outbox, secret: str | None, reveal: bool):
    language = session.scalar(select(Contact.language).where(Contact.id == row.contact_id)) if row.contact_id else None
    replies = codec.load(row.replies)
    if row.kind == outbox.OutboxKind.TALLY and row.meeting_id is not None:
        replies = (meetings.tally_reply(session, row.meeting_id),)
    if row.kind == outbox.OutboxKind.REMINDER and row.meeting_id is not None:  # its buttons name the meeting
        replies = asked.tag(replies, asked.of_reminder(row.meeting_id))
    elif row.conversation:  # a question that opens a conversation: its buttons name that question
        replies = asked.tag(replies, asked.of_state(row.conversation))
    if row.kind == outbox.OutboxKind.LOGIN:
        replies = login.reveal(secret or "", replies) if reveal else login.masked(replies)
    return replies, languages.pick(language or row.language)


def kept_apart(row: Outbox) -> bool:
    """True when the row's stored body is not what was sent (a sign-in code, masked)."""
    return row.kind == outbox.OutboxKind.LOGIN
