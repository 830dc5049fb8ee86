"""disclosure override fingerprint: an override covers the figures and failures it was given for

Revision ID: 932e74475974
Revises: 02376e6c591d
Create Date: 2026-11-29 09:00:00.000000

Existing overrides are kept: each gets the fingerprint of the figures and stored checks it
was given for (the same computation as kiosk/services/disclosure/overrides.py at the
time of writing, copied here so this migration does not change when that module does).
"""
import hashlib
import json

from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '932e74475974'
down_revision = '02376e6c591d'
branch_labels = None
depends_on = None


def _fingerprint(data, checks):
    figures = {k: v for k, v in (data or {}).items() if k != "checks"}
    failed = [[c.get("rule"), list(c.get("cells") or ()), c.get("message")]
              for c in checks or () if not c.get("ok")]
    blob = json.dumps({"data": figures, "failed": failed}, ensure_ascii=False, sort_keys=True,
                      separators=(",", ":"))
    return hashlib.sha256(blob.encode("utf-8")).hexdigest()


def upgrade():
    with op.batch_alter_table('disclosure_report', schema=None) as batch_op:
        batch_op.add_column(sa.Column('override_fingerprint', sa.String(length=64), nullable=True))

    report = sa.table('disclosure_report', sa.column('id', sa.Integer), sa.column('data', sa.JSON),
                      sa.column('checks', sa.JSON), sa.column('override_reason', sa.Text),
                      sa.column('override_fingerprint', sa.String))
    conn = op.get_bind()
    rows = conn.execute(sa.select(report.c.id, report.c.data, report.c.checks)
                        .where(report.c.override_reason.is_not(None))).all()
    for row_id, data, checks in rows:
        conn.execute(report.update().where(report.c.id == row_id)
                     .values(override_fingerprint=_fingerprint(data, checks)))


def downgrade():
    with op.batch_alter_table('disclosure_report', schema=None) as batch_op:
        batch_op.drop_column('override_fingerprint')
