"""Engines for the store: a SQLite file by default, PostgreSQL (psycopg 3) when ``CDI_DATABASE_URL`` says so.

SQLite is given real transactions: SQLAlchemy, not the driver, emits ``BEGIN``, and a write unit of work
starts with ``BEGIN IMMEDIATE`` so that two workers on one file serialise instead of failing half-way;
foreign keys are switched on for every connection.
"""

from __future__ import annotations

import os
from typing import Any

from sqlalchemy import URL, Connection, Engine, create_engine, event, make_url

DEFAULT_URL = "sqlite:///cdi.db"
ENV_VAR = "CDI_DATABASE_URL"
WRITE = "cdi_write"
"""Execution option marking a connection that will write (SQLite: ``BEGIN IMMEDIATE``)."""


def database_url(value: str | URL | None = None) -> URL:
    """The URL to use: ``value``, else ``$CDI_DATABASE_URL``, else ``sqlite:///cdi.db``.

    A bare ``postgresql://`` (or ``postgres://``) URL gets the psycopg 3 driver, the one the project installs.
    """
    url = make_url(value or os.environ.get(ENV_VAR) or DEFAULT_URL)
    if url.drivername in ("postgresql", "postgres"):
        url = url.set(drivername="postgresql+psycopg")
    return url


def make_engine(value: str | URL | None = None) -> Engine:
    url = database_url(value)
    if url.get_backend_name() != "sqlite":
        return create_engine(url, pool_pre_ping=True)
    engine = create_engine(url, connect_args={"timeout": 30})

    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_connection: Any, connection_record: Any) -> None:
        dbapi_connection.isolation_level = None  # the driver must not open transactions on its own
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.close()

    @event.listens_for(engine, "begin")
    def _on_begin(connection: Connection) -> None:
        immediate = connection.get_execution_options().get(WRITE, False)
        connection.exec_driver_sql("BEGIN IMMEDIATE" if immediate else "BEGIN")

    return engine
