"""sample-board: notes

Revision ID: sample_board_0001
Revises:
Create Date: 2026-12-06 20:30:00

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = 'sample_board_0001'
down_revision = None
branch_labels = ('sample-board',)
depends_on = '0001_initial'


def upgrade():
    op.create_table('sample_board_notes',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('title', sa.String(length=200), nullable=False),
    sa.Column('body', sa.Text(), nullable=False),
    sa.Column('pinned', sa.Boolean(), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('archived_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('tenant_id', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['tenant_id'], ['tenants.id'], name=op.f('fk_sample_board_notes_tenant_id_tenants'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_sample_board_notes')),
    sa.UniqueConstraint('tenant_id', 'title', name=op.f('uq_sample_board_notes_tenant_id_title'))
    )
    with op.batch_alter_table('sample_board_notes', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_sample_board_notes_tenant_id'), ['tenant_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_sample_board_notes_tenant_id_archived_at_pinned_created_at'), ['tenant_id', 'archived_at', 'pinned', 'created_at'], unique=False)


def downgrade():
    with op.batch_alter_table('sample_board_notes', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_sample_board_notes_tenant_id_archived_at_pinned_created_at'))
        batch_op.drop_index(batch_op.f('ix_sample_board_notes_tenant_id'))

    op.drop_table('sample_board_notes')
