"""Twilio's Content API (``TWILIO_CONTENT_API_BASE``, default https://content.twilio.com): creating the
WhatsApp Content Templates, asking WhatsApp to approve them, and reading their approval state (issue 28)."""

from __future__ import annotations

import requests

DEFAULT_BASE = "https://content.twilio.com"
TIMEOUT = 15.0


class ContentApiError(Exception):
    """The Content API refused or could not be reached."""


class ContentApi:
    """A thin client of ``/v1/Content`` with the account's basic auth."""

    def __init__(self, settings):
        self.base = (settings.extra.get("TWILIO_CONTENT_API_BASE") or DEFAULT_BASE).rstrip("/")
        self.session = requests.Session()
        self.session.auth = (settings.twilio_account_sid or "", settings.twilio_auth_token or "")
        if self.base.startswith(("http://127.0.0.1", "http://localhost")):
            self.session.trust_env = False  # a local stand-in: no proxy from the environment

    def _call(self, method: str, path: str, body: dict | None = None) -> dict:
        try:
            response = self.session.request(method, self.base + path, json=body, timeout=TIMEOUT)
        except requests.exceptions.RequestException as exc:
            raise ContentApiError(f"Content API unreachable: {exc.__class__.__name__}") from exc
        if response.status_code >= 400:
            raise ContentApiError(f"Content API {response.status_code}: {response.text[:200]}")
        return response.json()

    def create(self, content: dict) -> str:
        """Creates a template; returns its ``HX`` sid."""
        return self._call("POST", "/v1/Content", content)["sid"]

    def request_approval(self, sid: str, name: str, category: str = "UTILITY") -> str:
        """Asks WhatsApp to approve the template; returns its state (``received``, ``pending``...)."""
        answer = self._call(
            "POST", f"/v1/Content/{sid}/ApprovalRequests/whatsapp", {"name": name, "category": category}
        )
        return str(answer.get("status") or "pending")

    def state(self, sid: str) -> str:
        """WhatsApp's approval state of the template (``approved``, ``rejected``, ``pending``...)."""
        answer = self._call("GET", f"/v1/Content/{sid}/ApprovalRequests")
        return str((answer.get("whatsapp") or {}).get("status") or "unsubmitted")
