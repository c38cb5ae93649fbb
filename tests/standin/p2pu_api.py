"""A local stand-in for P2PU's public API (DESIGN.md §7): ``GET /api/learningcircles/?id=<id>`` on 127.0.0.1.

It answers ``{count, signup_open_count, signup_closed_count, items}`` as P2PU's ``LearningCircleListView``
does for ``?id=``: the one item with that id (drafts included, as P2PU does), or none. Items are shaped
exactly like ``serialize_learning_circle`` in p2pu/learning-circles ``studygroups/views/api.py``
(``kansas_city`` below). Give ``P2PU_API_BASE`` = ``self.url``; ``self.requests`` records each path.
"""

from __future__ import annotations

import copy
import json
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs, urlsplit

HOST = "127.0.0.1"
POLL = 0.02


def kansas_city(p2pu_id: int = 4321, **changes) -> dict:
    """An in-person circle at the Plaza branch in Kansas City, Wednesdays 18:30-20:00 CST, 6 weeks, starting
    Wednesday 2030-01-09 (a date far enough ahead for any test run)."""
    item = {
        "course": {
            "id": 1187,
            "title": "Speaking in Public",
            "provider": "P2PU",
            "link": "https://learningcircles.p2pu.org/en/course/1187/speaking-in-public/",
            "course_page_url": "https://learningcircles.p2pu.org/en/course/1187/",
            "discourse_topic_url": "https://community.p2pu.org/t/speaking-in-public/1187",
        },
        "id": p2pu_id,
        "name": "Public Speaking at Plaza",
        "facilitator": "Dana",
        "facilitators": ["Dana"],
        "venue": "Plaza Branch, Room 2",
        "venue_address": "4801 Main St, Kansas City",
        "venue_website": "https://kclibrary.org/locations/plaza-branch",
        "city": "Kansas City",
        "region": "Missouri",
        "country": "United States",
        "country_en": "United States",
        "latitude": "39.0410",
        "longitude": "-94.5870",
        "place_id": "ChIJplaza",
        "online": False,
        "language": "en",
        "day": "Wednesday",
        "start_date": "2030-01-09",
        "start_datetime": "2030-01-09T18:30:00-06:00",
        "meeting_time": "18:30:00",
        "time_zone": "CST",
        "last_meeting_date": "2030-02-13",
        "end_time": "20:00:00",
        "weeks": 6,
        "url": f"https://learningcircles.p2pu.org/en/signup/plaza-branch-room-2-{p2pu_id}/",
        "report_url": f"https://learningcircles.p2pu.org/en/studygroup/{p2pu_id}/report/",
        "studygroup_path": f"/en/studygroup/{p2pu_id}/",
        "draft": False,
        "signup_limit": 15,
        "signup_count": 3,
        "signup_open": True,
        "status": "upcoming",
    }
    item.update(changes)
    return item


class P2PUStandIn:
    """P2PU's API on ``self.url``; ``items`` maps an id to its item; use as ``with P2PUStandIn() as api:``."""

    def __init__(self, port: int = 0):
        self.items: dict[int, dict] = {}
        self.requests: list[str] = []
        self._lock = threading.Lock()
        self._server = ThreadingHTTPServer((HOST, port), _Handler)
        self._server.daemon_threads = True
        self._server.standin = self  # type: ignore[attr-defined]
        self._thread: threading.Thread | None = None

    @property
    def url(self) -> str:
        """The ``P2PU_API_BASE``: ``http://127.0.0.1:PORT``."""
        return f"http://{HOST}:{self._server.server_address[1]}"

    def put(self, item: dict) -> dict:
        """Serves ``item`` under its id (replacing what was there)."""
        with self._lock:
            self.items[item["id"]] = copy.deepcopy(item)
        return item

    def answer(self, path: str) -> tuple[int, dict]:
        split = urlsplit(path)
        if split.path != "/api/learningcircles/":
            return 404, {"detail": "Not found."}
        wanted = parse_qs(split.query).get("id", [""])[0]
        if not wanted.isdigit():
            return 500, {"detail": "ValueError"}  # P2PU's int() of a non-number
        with self._lock:
            self.requests.append(path)
            items = [copy.deepcopy(self.items[int(wanted)])] if int(wanted) in self.items else []
        open_ = [i for i in items if i["signup_open"]]
        return 200, {
            "count": len(items),
            "signup_open_count": len(open_),
            "signup_closed_count": len(items) - len(open_),
            "items": items,
        }

    def start(self) -> "P2PUStandIn":
        """Serves in a daemon thread."""
        self._thread = threading.Thread(target=self._server.serve_forever, args=(POLL,), daemon=True)
        self._thread.start()
        return self

    def stop(self) -> None:
        """Stops serving and frees the port."""
        self._server.shutdown()
        self._server.server_close()

    def __enter__(self) -> "P2PUStandIn":
        return self.start()

    def __exit__(self, *exc) -> None:
        self.stop()


class _Handler(BaseHTTPRequestHandler):
    def do_GET(self) -> None:  # noqa: N802 (http.server's name)
        status, body = self.server.standin.answer(self.path)  # type: ignore[attr-defined]
        data = json.dumps(body).encode()
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    def log_message(self, *args) -> None:
        pass
