"""The durable ceiling for bench/webhook.py: a bare Flask view, one INSERT … ON CONFLICT DO NOTHING and a commit.

Run under the same gunicorn config as circlebot (``gunicorn --workers 2 bench.ceiling:app``) with
``CEILING_DATABASE_URL`` (a ``postgresql://`` URL). No signature check, no flows: what any durable
webhook on this machine must at least pay per request.
"""

from __future__ import annotations

import os

import psycopg
from flask import Flask, Response, request

app = Flask(__name__)
_conn = None
EMPTY = '<?xml version="1.0" encoding="UTF-8"?><Response />'
TABLE = "CREATE TABLE IF NOT EXISTS ceiling (sid varchar(64) PRIMARY KEY, body text)"


def _connection():
    global _conn
    if _conn is None or _conn.closed:
        _conn = psycopg.connect(os.environ["CEILING_DATABASE_URL"])
    return _conn


@app.post("/twilio/sms")
def inbound():
    """Stores the MessageSid and body once and answers empty TwiML."""
    conn = _connection()
    with conn.cursor() as cursor:
        cursor.execute(
            "INSERT INTO ceiling (sid, body) VALUES (%s, %s) ON CONFLICT DO NOTHING",
            (request.form.get("MessageSid", ""), request.form.get("Body", "")),
        )
    conn.commit()
    return Response(EMPTY, mimetype="application/xml")


@app.get("/healthz")
def healthz():
    return {"ok": True}
