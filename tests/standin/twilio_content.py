"""The Content API part of the Twilio stand-in (issue 28): WhatsApp Content Templates.

* ``POST /v1/Content`` (JSON: friendly_name, language, variables, types): answers 201 with the content and
  its ``HX`` sid.
* ``POST /v1/Content/{sid}/ApprovalRequests/whatsapp`` (JSON: name, category): the template is submitted,
  its state ``received``.
* ``GET /v1/Content/{sid}/ApprovalRequests``: ``{"whatsapp": {"status": ...}}`` as Twilio answers.

Tests decide WhatsApp's verdict with ``judge(sid, "approved")`` (or ``judge_all``); a template that breaks
WhatsApp's format rules (``_breaks_rules``) is rejected as soon as it is submitted.
"""

from __future__ import annotations

import json
import re
import secrets
import threading

CONTENT_PATH = re.compile(r"^/v1/Content(?:/(HX[0-9a-f]{32})/ApprovalRequests(/whatsapp)?)?$")


class ContentApi:
    """The templates the stand-in holds; thread-safe."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self.contents: dict[str, dict] = {}
        self.created = 0

    def judge(self, sid: str, status: str) -> None:
        """WhatsApp's verdict on a submitted template: ``approved``, ``rejected``, ``pending``..."""
        with self._lock:
            self.contents[sid]["approval"] = status

    def judge_all(self, status: str) -> None:
        with self._lock:
            for content in self.contents.values():
                content["approval"] = status

    def text(self, sid: str | None, variables: str | None) -> str | None:
        """A template's text with its variables filled in, as Twilio lists the message (None: no template)."""
        with self._lock:
            content = self.contents.get(sid or "")
        if content is None:
            return None
        text = next(iter(content["types"].values())).get("body", "")
        for name, value in json.loads(variables or "{}").items():
            text = text.replace("{{" + name + "}}", value)
        return text

    def route(self, method: str, path: str, body: dict | None) -> tuple[int, dict] | None:
        """The answer to a Content API request, or None when ``path`` is not one."""
        match = CONTENT_PATH.match(path)
        if match is None:
            return None
        sid, whatsapp = match.groups()
        if sid is None:
            if method != "POST":
                return 405, {"code": 20004, "message": "Method not allowed", "status": 405}
            return self._create(body or {})
        with self._lock:
            content = self.contents.get(sid)
            if content is None:
                return 404, {"code": 20404, "message": f"The requested resource {path} was not found", "status": 404}
            if whatsapp and method == "POST":
                if content["approval"] == "unsubmitted":
                    content["approval"] = "received" if not _breaks_rules(content, body or {}) else "rejected"
                content["approval_name"] = (body or {}).get("name")
                content["category"] = (body or {}).get("category")
                return 201, {
                    "name": content["approval_name"],
                    "category": (body or {}).get("category"),
                    "content_type": next(iter(content["types"]), ""),
                    "status": content["approval"],
                    "rejection_reason": "",
                    "allow_category_change": True,
                }
            if method == "GET" and not whatsapp:
                return 200, {
                    "sid": sid,
                    "account_sid": content["account_sid"],
                    "whatsapp": {
                        "name": content.get("approval_name") or "",
                        "status": content["approval"],
                        "category": content.get("category") or "UTILITY",
                        "rejection_reason": "",
                    },
                }
        return 405, {"code": 20004, "message": "Method not allowed", "status": 405}

    def _create(self, body: dict) -> tuple[int, dict]:
        if not body.get("friendly_name") or not body.get("types"):
            return 400, {"code": 20001, "message": "friendly_name and types are required", "status": 400}
        sid = "HX" + secrets.token_hex(16)
        content = {"sid": sid, "account_sid": body.get("account_sid", ""), "approval": "unsubmitted", **body}
        with self._lock:
            self.contents[sid] = content
            self.created += 1
        return 201, {
            "sid": sid,
            "friendly_name": body["friendly_name"],
            "language": body.get("language"),
            "variables": body.get("variables") or {},
            "types": body["types"],
        }


def _breaks_rules(content: dict, request: dict) -> bool:
    """What WhatsApp's review refuses on sight: a body that starts or ends with a variable, variables not
    numbered 1, 2, 3… in order, or a sign-in code outside WhatsApp's own authentication template."""
    kind, data = next(iter(content["types"].items()))
    if (request.get("category") == "AUTHENTICATION") != (kind == "whatsapp/authentication"):
        return True
    body = (data.get("body") or "").strip()
    if kind == "whatsapp/authentication":
        return bool(body)
    numbers = re.findall(r"\{\{(\d+)\}\}", body)
    in_order = numbers[: len(set(numbers))] == [str(n) for n in range(1, len(set(numbers)) + 1)]
    return body.startswith("{{") or body.endswith("}}") or not in_order or not body
