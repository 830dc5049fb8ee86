"""search: guide aliases (事项俗称), staff's lexicon entries, phone page view counts

Revision ID: b5c1d2e3f4a5
Revises: 73284fcf25c3
Create Date: 2026-12-02 06:30:00.000000

One column with a default for existing guides (no aliases) and two new tables, so nothing
existing is rewritten.
"""
from alembic import op
import sqlalchemy as sa

import kiosk.models.base


revision = 'b5c1d2e3f4a5'
down_revision = '73284fcf25c3'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('guide', schema=None) as batch_op:
        batch_op.add_column(sa.Column('aliases', sa.JSON(), nullable=False, server_default='[]'))
    op.create_table('search_term',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('left', sa.Text(), nullable=False),
    sa.Column('right', sa.Text(), nullable=False),
    sa.Column('created_by', sa.String(length=100), nullable=False),
    sa.Column('created_at', kiosk.models.base.UTCDateTime(timezone=True), nullable=False),
    sa.Column('updated_at', kiosk.models.base.UTCDateTime(timezone=True), nullable=False),
    sa.PrimaryKeyConstraint('id')
    )
    op.create_table('guide_view_count',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('day', sa.Date(), nullable=False),
    sa.Column('ref', sa.String(length=100), nullable=False),
    sa.Column('channel', sa.String(length=20), nullable=False),
    sa.Column('count', sa.Integer(), nullable=False),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('day', 'ref', 'channel')
    )


def downgrade():
    op.drop_table('guide_view_count')
    op.drop_table('search_term')
    with op.batch_alter_table('guide', schema=None) as batch_op:
        batch_op.drop_column('aliases')
