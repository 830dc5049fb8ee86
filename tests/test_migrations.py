"""The Alembic migrations build exactly the schema the models describe.

`kiosk serve` creates and upgrades databases with the migrations, while most tests use
`create_all`; a model change without its migration would pass those tests and break every
hall's upgrade. This test fails until the migration is written.
"""

from __future__ import annotations

from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext

from kiosk.cli.common import ensure_schema
from kiosk.extensions import db

from .conftest import make_app


def test_migrations_match_the_models(tmp_path):
    app = make_app(tmp_path, tmp_path / "migrated.db", create=False)
    with app.app_context():
        ensure_schema(app)
        with db.engine.connect() as conn:
            diff = compare_metadata(MigrationContext.configure(conn), db.metadata)
        db.session.remove()
        db.engine.dispose()
    assert diff == [], f"models and migrations differ; add a migration: {diff}"
