"""``GET /`` in production and in the demo, and ``circlebot demo --reset`` on the embedded default."""

from __future__ import annotations

import pytest
from click.testing import CliRunner
from sqlalchemy import create_engine, select
from sqlalchemy.orm import Session

from bot import create_app
from bot.cli import main
from bot.store.models import Circle, Contact
from tests.helpers import RUN_QUEUE, add_contact


def test_home_page_in_production_says_what_this_is(client):
    response = client.get("/")
    assert response.status_code == 200 and response.mimetype == "text/html"
    page = response.get_data(as_text=True)
    assert "learning circles" in page and "JOIN" in page


def test_home_in_the_demo_leads_to_the_simulator(backend, tmp_path):
    app = create_app(
        {
            "DATABASE_URL": backend["DATABASE_URL"],
            "REDIS_URL": backend["REDIS_URL"],
            "INSTANCE_PATH": str(tmp_path),
            "simulator": True,
            "queue_name": RUN_QUEUE,
        }
    )
    response = app.test_client().get("/")
    app.extensions["circlebot"].uow.engine.dispose()
    assert response.status_code == 302 and response.headers["Location"] == "/simulator"


@pytest.fixture
def embedded(tmp_path, monkeypatch):
    """``circlebot`` on the embedded default in a temp instance; the server and its worker thread stay off."""
    import flask

    from bot.outbound.queue import EmbeddedQueue

    for name in ("DATABASE_URL", "REDIS_URL", "PUBLIC_BASE_URL"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("CIRCLEBOT_INSTANCE", str(tmp_path))
    monkeypatch.setattr(flask.Flask, "run", lambda self, **kwargs: None)
    monkeypatch.setattr(EmbeddedQueue, "start_thread", lambda self, **kwargs: None)
    engine = create_engine(f"sqlite:///{tmp_path}/circlebot.sqlite3")
    yield engine
    engine.dispose()


def test_demo_reset_starts_again_from_the_demo_circle(embedded):
    runner = CliRunner()
    first = runner.invoke(main, ["demo"], catch_exceptions=False)
    assert first.exit_code == 0 and "/simulator" in first.output
    created = runner.invoke(
        main,
        [
            "circle",
            "create",
            "--name",
            "Other",
            "--venue",
            "Branch",
            "--weekday",
            "tue",
            "--time",
            "18:00",
            "--timezone",
            "America/Chicago",
            "--weeks",
            "2",
            "--language",
            "en",
            "--facilitator-phone",
            "(816) 555-0100",
        ],
    )
    assert created.exit_code == 0, created.output
    with Session(embedded) as session:
        add_contact(session, "+18165550123", session.scalar(select(Circle.created_at)), name="Amina")
        session.commit()
        assert len(session.scalars(select(Circle.code)).all()) == 2
    again = runner.invoke(main, ["demo"], catch_exceptions=False)
    assert "reset" not in again.output
    with Session(embedded) as session:
        assert len(session.scalars(select(Circle.code)).all()) == 2  # without --reset nothing goes
    reset = runner.invoke(main, ["demo", "--reset"], catch_exceptions=False)
    assert reset.exit_code == 0 and "circlebot demo: reset" in reset.output
    with Session(embedded) as session:
        assert session.scalars(select(Circle.code)).all() == ["DEMO"]
        assert len(session.scalars(select(Contact)).all()) == 1  # the demo circle's facilitator, a contact too
