"""touch kiosk: individual ratings (evaluation), visit events, a kiosk's idle timeout

Revision ID: 73284fcf25c3
Revises: 932e74475974
Create Date: 2026-12-02 04:21:50.723650

Two new tables and one nullable column, so nothing existing is rewritten: ``evaluation``
holds one row per 好差评 rating (kiosk first, other channels later), ``visit_event`` what
kiosk visits did, and ``screen.idle_seconds`` a kiosk's own idle timeout (NULL = 60 s).
"""
from alembic import op
import sqlalchemy as sa

import kiosk.models.base


# revision identifiers, used by Alembic.
revision = '73284fcf25c3'
down_revision = '932e74475974'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('evaluation',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('rated_at', kiosk.models.base.UTCDateTime(timezone=True), nullable=False),
    sa.Column('channel', sa.String(length=20), nullable=False),
    sa.Column('external_id', sa.String(length=100), nullable=True),
    sa.Column('screen_id', sa.Integer(), nullable=True),
    sa.Column('guide_id', sa.Integer(), nullable=True),
    sa.Column('bundle_id', sa.Integer(), nullable=True),
    sa.Column('department_id', sa.Integer(), nullable=True),
    sa.Column('window', sa.String(length=100), nullable=False),
    sa.Column('staff_number', sa.String(length=40), nullable=True),
    sa.Column('level', sa.Integer(), nullable=False),
    sa.Column('reasons', sa.JSON(), nullable=False),
    sa.Column('comment', sa.Text(), nullable=True),
    sa.Column('contact_phone', sa.String(length=40), nullable=True),
    sa.Column('created_at', kiosk.models.base.UTCDateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['bundle_id'], ['bundle.id'], ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['department_id'], ['department.id'], ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['guide_id'], ['guide.id'], ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['screen_id'], ['screen.id'], ondelete='SET NULL'),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('external_id')
    )
    with op.batch_alter_table('evaluation', schema=None) as batch_op:
        batch_op.create_index('ix_evaluation_rated_at', ['rated_at'], unique=False)
        batch_op.create_index('ix_evaluation_screen_rated', ['screen_id', 'rated_at'], unique=False)

    op.create_table('visit_event',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('at', kiosk.models.base.UTCDateTime(timezone=True), nullable=False),
    sa.Column('screen_id', sa.Integer(), nullable=True),
    sa.Column('visit', sa.String(length=32), nullable=False),
    sa.Column('kind', sa.String(length=20), nullable=False),
    sa.Column('page', sa.String(length=20), nullable=True),
    sa.Column('ref', sa.String(length=100), nullable=True),
    sa.Column('query', sa.String(length=100), nullable=True),
    sa.Column('results', sa.Integer(), nullable=True),
    sa.Column('reason', sa.String(length=20), nullable=True),
    sa.Column('level', sa.Integer(), nullable=True),
    sa.ForeignKeyConstraint(['screen_id'], ['screen.id'], ondelete='SET NULL'),
    sa.PrimaryKeyConstraint('id')
    )
    with op.batch_alter_table('visit_event', schema=None) as batch_op:
        batch_op.create_index('ix_visit_event_kind_at', ['kind', 'at'], unique=False)
        batch_op.create_index('ix_visit_event_screen_at', ['screen_id', 'at'], unique=False)

    with op.batch_alter_table('screen', schema=None) as batch_op:
        batch_op.add_column(sa.Column('idle_seconds', sa.Integer(), nullable=True))


def downgrade():
    with op.batch_alter_table('screen', schema=None) as batch_op:
        batch_op.drop_column('idle_seconds')

    with op.batch_alter_table('visit_event', schema=None) as batch_op:
        batch_op.drop_index('ix_visit_event_screen_at')
        batch_op.drop_index('ix_visit_event_kind_at')
    op.drop_table('visit_event')

    with op.batch_alter_table('evaluation', schema=None) as batch_op:
        batch_op.drop_index('ix_evaluation_screen_rated')
        batch_op.drop_index('ix_evaluation_rated_at')
    op.drop_table('evaluation')
