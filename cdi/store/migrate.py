"""Schema migrations, applied from code: ``upgrade_to_head`` runs at start-up, no ``alembic.ini`` needed.

The Alembic environment lives in the package (``cdi/store/migrations``), so an installed wheel can migrate
its own database. On PostgreSQL the upgrade holds an advisory lock, so that several workers starting at once
migrate one after the other instead of racing to create the same tables.

To write a new migration after changing ``orm.py``::

    CDI_DATABASE_URL=sqlite:///scratch.db python -m cdi.store.migrate revision "what changed"

then read and tidy the generated file under ``migrations/versions``.
"""

from __future__ import annotations

import sys
from pathlib import Path

from alembic import command
from alembic.config import Config
from sqlalchemy import URL, Engine, text

from cdi.store.engine import WRITE, database_url, make_engine

MIGRATIONS_DIR = Path(__file__).with_name("migrations")
_LOCK_KEY = 0x0CD1_5702  # any constant: identifies "the cdi store migration" among advisory locks


def alembic_config(url: URL | None = None) -> Config:
    """An Alembic configuration pointing into the package; ``url`` becomes ``sqlalchemy.url``."""
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS_DIR))
    config.set_main_option("file_template", "%%(rev)s_%%(slug)s")
    if url is not None:
        # ConfigParser interpolation: a literal % (e.g. in a URL-encoded password) must be doubled.
        config.set_main_option("sqlalchemy.url", url.render_as_string(hide_password=False).replace("%", "%%"))
    return config


def upgrade_to_head(engine_or_url: Engine | str | URL) -> None:
    """Bring the database at ``engine_or_url`` to the newest schema, in one transaction."""
    owned = not isinstance(engine_or_url, Engine)
    engine = make_engine(engine_or_url) if not isinstance(engine_or_url, Engine) else engine_or_url
    try:
        with engine.execution_options(**{WRITE: True}).begin() as connection:
            if connection.dialect.name == "postgresql":
                connection.execute(text("SELECT pg_advisory_xact_lock(:key)"), {"key": _LOCK_KEY})
            config = alembic_config(engine.url)
            config.attributes["connection"] = connection
            command.upgrade(config, "head")
    finally:
        if owned:
            engine.dispose()


def _main(argv: list[str]) -> int:
    if len(argv) == 2 and argv[0] == "revision":
        url = database_url()
        upgrade_to_head(url)
        command.revision(alembic_config(url), message=argv[1], autogenerate=True)
        return 0
    if argv == ["upgrade"]:
        upgrade_to_head(database_url())
        return 0
    print("usage: python -m cdi.store.migrate upgrade | revision MESSAGE", file=sys.stderr)
    return 2


if __name__ == "__main__":
    raise SystemExit(_main(sys.argv[1:]))
