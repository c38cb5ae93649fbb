"""SMS and WhatsApp: numbered text. SMS is folded to GSM-7 when that is cheaper and kept within the
segment budget by shortening someone's quoted words; WhatsApp keeps every accent and is not counted."""

from __future__ import annotations

from bot.render import gsm, segments, text
from bot.render.texts import RELAY_TEXT_MAX
from flows.results import Quote, Reply

_QUOTE_FLOOR = 10
_QUOTE_STEP = 20


def render(replies: tuple[Reply, ...], lang: str, fold: bool = True) -> str:
    """The replies as one text, a line apart (an intro and its question are sent as one SMS).

    Args:
        replies: what to say, in order.
        lang: the reader's language.
        fold: True for SMS (GSM folding and the segment budget), False for WhatsApp.
    """
    quoted = any(isinstance(v, Quote) for r in replies for v in r.params.values())
    limit = RELAY_TEXT_MAX
    body = _join(replies, lang, limit if quoted else None, fold)
    while fold and quoted and segments.count(body).segments > segments.MAX_SEGMENTS and limit > _QUOTE_FLOOR:
        limit = max(_QUOTE_FLOOR, limit - _QUOTE_STEP)
        body = _join(replies, lang, limit, fold)
    return body


def _join(replies, lang: str, quote_limit: int | None, fold: bool) -> str:
    joined = "\n".join(text.with_prompt(r, lang, quote_limit) for r in replies)
    return gsm.fit(joined) if fold else joined
