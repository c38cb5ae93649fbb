"""The simulator's clock controls: the demo's zone (seeding again in it) and "Go to…" named moments.

``GET /simulator/moments`` lists the moments (``bot/demo/moments.py``) with the demo's zone and its quiet
hours; ``POST /simulator/go-to`` jumps to one; ``POST /simulator/zone`` starts the demo again in another
zone, so its first meeting is at a waking hour there.
"""

from __future__ import annotations

from flask import Blueprint, abort, current_app, jsonify, request

from bot.demo import moments as demo_moments
from bot.demo import seed as demo
from bot.demo import zone as demo_zone

bp = Blueprint("clock", __name__)


def _runtime():
    return current_app.extensions["circlebot"]


def _json() -> dict:
    if not request.is_json:
        abort(415, description="send JSON")
    data = request.get_json(silent=True)
    return data if isinstance(data, dict) else {}


def clock_state(runtime) -> dict:
    """The demo clock as the page shows it: now, the zone, the quiet hours, whether it is the real time."""
    clock = runtime.clock
    offset = getattr(clock, "offset", None)
    return {
        "now": clock().isoformat(),
        "timezone": demo.timezone_of(runtime),
        "quiet_hours": runtime.settings.quiet_hours or "",
        "demo_time": bool(offset),
    }


@bp.get("/simulator/moments")
def moments():
    """The named moments "Go to…" offers, each with when it is and whether it is still ahead."""
    runtime = _runtime()
    now = runtime.clock()
    listed = [
        {"name": m.name, "label": m.label, "at": m.at.isoformat(), "past": m.name != "now" and m.at < now}
        for m in demo_moments.moments(runtime)
    ]
    return jsonify(moments=listed, zones=list(demo_zone.SUGGESTED), **clock_state(runtime))


@bp.post("/simulator/go-to")
def go_to():
    """Jumps the demo clock to a named moment and sends what is due then."""
    name = str(_json().get("moment") or "")[:32]
    runtime = _runtime()
    jump = demo_moments.go_to(runtime, name)
    if jump is None:
        return jsonify(
            moved=False, detail="that moment has passed (the demo clock only goes forward)", **clock_state(runtime)
        )
    return jsonify(moved=True, at=jump.at.isoformat(), sent=jump.sent, **clock_state(runtime))


@bp.post("/simulator/zone")
def set_zone():
    """Starts the demo again in the zone given (its first meeting at a waking hour there)."""
    runtime = _runtime()
    if runtime.settings.twilio_enabled:
        abort(403, description="reset is only for the simulator's own demo data")
    name = demo_zone.valid(str(_json().get("timezone") or ""))
    if name is None:
        abort(400, description="a time zone is a name like America/Chicago or Europe/Paris")
    demo_zone.choose(current_app.instance_path, name)
    demo.reset(runtime, name)
    return jsonify(code=demo.DEMO_CODE, **clock_state(runtime))
