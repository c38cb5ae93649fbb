"""Alembic environment: the URL comes from the Config attribute ``url`` (bot/store/migrate.py)."""

from alembic import context

from bot.store.db import make_engine
from bot.store.models import Base

config = context.config
target_metadata = Base.metadata


def run_migrations_online() -> None:
    """Runs the migrations on a live connection."""
    connection = config.attributes.get("connection")
    if connection is not None:
        context.configure(connection=connection, target_metadata=target_metadata, render_as_batch=True)
        with context.begin_transaction():
            context.run_migrations()
        return
    engine = make_engine(config.attributes["url"])
    with engine.connect() as conn:
        context.configure(connection=conn, target_metadata=target_metadata, render_as_batch=True)
        if conn.dialect.name == "sqlite":  # batch mode drops and copies tables that others refer to
            driver = conn.connection.driver_connection
            assert driver is not None  # None only once the connection is closed
            driver.execute("PRAGMA foreign_keys=OFF")
        with context.begin_transaction():
            context.run_migrations()
    engine.dispose()


run_migrations_online()
