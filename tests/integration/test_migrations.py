"""The Alembic migrations are the schema: they match the models and go down and up again."""

from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import create_engine, inspect

from bot.store.migrate import alembic_config, upgrade
from bot.store.models import Base


def _engine(url):
    return create_engine(url.replace("postgresql://", "postgresql+psycopg://", 1))


def test_migrated_schema_matches_the_models(backend):
    engine = _engine(backend["DATABASE_URL"])
    with engine.connect() as conn:
        diffs = compare_metadata(MigrationContext.configure(conn), Base.metadata)
    engine.dispose()
    assert diffs == []


def test_down_and_up_again(tmp_path):
    from alembic import command

    url = f"sqlite:///{tmp_path}/m.sqlite3"
    upgrade(url)
    command.downgrade(alembic_config(url), "base")
    engine = _engine(url)
    assert set(inspect(engine).get_table_names()) <= {"alembic_version"}
    upgrade(url)
    assert {"circle", "contact", "message", "outbox"} <= set(inspect(engine).get_table_names())
    engine.dispose()
