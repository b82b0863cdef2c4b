"""shopper sessions: signed-in browsers of shoppers kept on the server, so signing out ends them

Revision ID: 0021_customer_sessions
Revises: 0020_media_jobs
Create Date: 2026-12-09 10:00:00

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0021_customer_sessions'
down_revision = '0020_media_jobs'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('shopper_sessions',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('channel', sa.String(length=8), nullable=False),
    sa.Column('contact', sa.String(length=254), nullable=False),
    sa.Column('token_hash', sa.String(length=64), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('last_seen_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('expires_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('tenant_id', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['tenant_id'], ['tenants.id'], name=op.f('fk_shopper_sessions_tenant_id_tenants'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_shopper_sessions'))
    )
    with op.batch_alter_table('shopper_sessions', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_shopper_sessions_tenant_id'), ['tenant_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_shopper_sessions_tenant_id_contact'), ['tenant_id', 'contact'], unique=False)
        batch_op.create_index(batch_op.f('ix_shopper_sessions_tenant_id_expires_at'), ['tenant_id', 'expires_at'], unique=False)


def downgrade():
    with op.batch_alter_table('shopper_sessions', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_shopper_sessions_tenant_id_expires_at'))
        batch_op.drop_index(batch_op.f('ix_shopper_sessions_tenant_id_contact'))
        batch_op.drop_index(batch_op.f('ix_shopper_sessions_tenant_id'))

    op.drop_table('shopper_sessions')
