"""hardening: server-side staff sessions, per-client login throttle, API token expiry,
review of editors' schedule entries and disclosure reports

Revision ID: d1e2f3a4b5c6
Revises: c7d8e9f0a1b2
Create Date: 2026-12-02 13:00:00.000000

The account-wide lock (user.failed_logins / user.locked_until) is replaced by the
login_throttle table, keyed by client address and name (issue 10: five wrong passwords from
anywhere locked even the admin out). Open sessions signed before this migration carry the
old session id form and end at their next request: staff sign in once more.
"""
from alembic import op
import sqlalchemy as sa

from kiosk.models.base import UTCDateTime


revision = 'd1e2f3a4b5c6'
down_revision = 'c7d8e9f0a1b2'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('login_throttle',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('client', sa.String(length=64), nullable=False),
    sa.Column('name', sa.String(length=64), nullable=False),
    sa.Column('failures', sa.Integer(), nullable=False),
    sa.Column('locks', sa.Integer(), nullable=False),
    sa.Column('locked_until', UTCDateTime(), nullable=True),
    sa.Column('last_failure_at', UTCDateTime(), nullable=False),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('client', 'name')
    )
    with op.batch_alter_table('login_throttle', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_login_throttle_name'), ['name'], unique=False)

    op.create_table('staff_session',
    sa.Column('id', sa.String(length=43), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.Column('created_at', UTCDateTime(), nullable=False),
    sa.Column('client', sa.String(length=64), nullable=True),
    sa.Column('revoked_at', UTCDateTime(), nullable=True),
    sa.Column('revoked_reason', sa.String(length=40), nullable=True),
    sa.ForeignKeyConstraint(['user_id'], ['user.id'], ),
    sa.PrimaryKeyConstraint('id')
    )
    with op.batch_alter_table('staff_session', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_staff_session_user_id'), ['user_id'], unique=False)

    with op.batch_alter_table('api_token', schema=None) as batch_op:
        batch_op.add_column(sa.Column('expires_at', UTCDateTime(), nullable=True))

    with op.batch_alter_table('schedule_entry', schema=None) as batch_op:
        batch_op.add_column(sa.Column('live', sa.Boolean(), nullable=False, server_default=sa.true()))
        batch_op.add_column(sa.Column('pending', sa.JSON(), nullable=True))

    with op.batch_alter_table('disclosure_report', schema=None) as batch_op:
        batch_op.add_column(sa.Column('pending', sa.JSON(), nullable=True))

    with op.batch_alter_table('user', schema=None) as batch_op:
        batch_op.drop_column('locked_until')
        batch_op.drop_column('failed_logins')


def downgrade():
    with op.batch_alter_table('user', schema=None) as batch_op:
        batch_op.add_column(sa.Column('failed_logins', sa.Integer(), nullable=False, server_default='0'))
        batch_op.add_column(sa.Column('locked_until', UTCDateTime(), nullable=True))
    with op.batch_alter_table('api_token', schema=None) as batch_op:
        batch_op.drop_column('expires_at')
    with op.batch_alter_table('disclosure_report', schema=None) as batch_op:
        batch_op.drop_column('pending')
    with op.batch_alter_table('schedule_entry', schema=None) as batch_op:
        batch_op.drop_column('pending')
        batch_op.drop_column('live')
    op.drop_table('staff_session')
    op.drop_table('login_throttle')
