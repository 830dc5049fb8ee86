"""popular guides: the stored ranking behind popular:<n> playlist items

Revision ID: c7d8e9f0a1b2
Revises: b5c1d2e3f4a5
Create Date: 2026-12-03 09:00:00.000000

A new table only; the popular-guides job fills it on its first run (until then a popular
item shows published guides in name order).
"""
from alembic import op
import sqlalchemy as sa


revision = 'c7d8e9f0a1b2'
down_revision = 'b5c1d2e3f4a5'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('popular_guide',
    sa.Column('position', sa.Integer(), autoincrement=False, nullable=False),
    sa.Column('code', sa.String(length=64), nullable=False),
    sa.PrimaryKeyConstraint('position')
    )


def downgrade():
    op.drop_table('popular_guide')
