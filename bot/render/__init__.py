"""Rendering replies at the edge, for each channel (DESIGN.md §1).

A reply is a message key, its parameters and its choices (``flows.results.Reply``). Nothing before
the edge knows the channel; each module here writes replies the way its channel shows them:

- ``text``: the words of a reply and of its choices, in a language (shared by every channel);
- ``sms``: numbered text, GSM-folded when cheaper, someone's quoted words cut to the segment budget
  (WhatsApp: the same text, accents kept, no segments);
- ``telegram``: text plus an inline keyboard with one button per choice;
- ``voice``: ``<Say>`` followed by ``<Gather numDigits>``;
- ``codec``: replies as JSON, for the outbox and the stored inbound replies.
"""

from __future__ import annotations

from bot.render.output import Rendered, render

__all__ = ["Rendered", "render"]
