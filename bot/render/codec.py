"""Replies as JSON: what the outbox stores so that a row is rendered at send time, on its channel,
in the reader's language of that moment."""

from __future__ import annotations

from datetime import datetime

from flows.results import Choice, Choices, CircleLine, Quote, Reply, When


def dump(replies: tuple[Reply, ...] | list[Reply]) -> list[dict]:
    """The replies as JSON-ready dicts."""
    return [_dump_reply(r) for r in replies]


def load(data: list[dict] | None) -> tuple[Reply, ...]:
    """The replies ``dump`` wrote."""
    return tuple(_load_reply(item) for item in data or ())


def _dump_reply(reply: Reply) -> dict:
    out: dict = {"key": reply.key}
    if reply.params:
        out["params"] = {name: _dump_value(value) for name, value in reply.params.items()}
    if reply.choices is not None:
        c = reply.choices
        out["choices"] = {
            "style": c.style,
            "prompt": c.prompt,
            "items": [[i.value, i.label, i.literal] for i in c.items],
        }
        if c.topic:
            out["choices"]["topic"] = c.topic
    return out


def _load_reply(item: dict) -> Reply:
    params = {name: _load_value(value) for name, value in (item.get("params") or {}).items()}
    choices = None
    if item.get("choices"):
        c = item["choices"]
        choices = Choices(
            tuple(Choice(v, label, bool(literal)) for v, label, literal in c["items"]),
            c["style"],
            c.get("prompt"),
            c.get("topic"),
        )
    return Reply(item["key"], params, choices)


def _dump_when(value: When | None):
    return None if value is None else {"$when": value.at.isoformat(), "tz": value.timezone}


def _dump_value(value):
    if isinstance(value, When):
        return _dump_when(value)
    if isinstance(value, Quote):
        return {"$quote": value.text}
    if isinstance(value, tuple) and all(isinstance(item, CircleLine) for item in value):
        return {"$lines": [[c.code, c.name, c.venue, _dump_when(c.when), c.joined, c.ended] for c in value]}
    return value


def _load_when(data) -> When | None:
    return None if data is None else When(datetime.fromisoformat(data["$when"]), data["tz"])


def _load_value(value):
    if isinstance(value, dict):
        if "$when" in value:
            return _load_when(value)
        if "$quote" in value:
            return Quote(value["$quote"])
        if "$lines" in value:
            return tuple(
                CircleLine(
                    line[0],
                    line[1],
                    line[2],
                    _load_when(line[3]),
                    bool(line[4:] and line[4]),
                    bool(line[5:] and line[5]),
                )
                for line in value["$lines"]
            )
    return value
