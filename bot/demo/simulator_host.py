"""The simulator's side of the host controls (issue 26): a phone in a conference asks whether the
facilitator muted it or took it out of the call (``GET /simulator/call/state``), so the other phones show
"muted by the facilitator". Only the demo registers this blueprint, with the simulator's.
"""

from __future__ import annotations

from flask import Blueprint, abort, current_app, jsonify, request

from bot.domain import conference_room

bp = Blueprint("simulator_host", __name__)


@bp.get("/simulator/call/state")
def call_state():
    """``{"muted": bool, "on_line": bool}`` for the simulator's call ``call_sid``."""
    sid = (request.args.get("call_sid") or "").strip()
    if not sid or len(sid) > 64:
        abort(400, description="call_sid is required")
    with current_app.extensions["circlebot"].uow() as session:
        muted, on_line = conference_room.call_state(session, sid)
    return jsonify(muted=muted, on_line=on_line)
