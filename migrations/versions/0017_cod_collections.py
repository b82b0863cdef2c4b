"""cod collections: what couriers report they collected, kept and paid out per
cash-on-delivery parcel

Revision ID: 0017_cod_collections
Revises: 0016_product_ratings
Create Date: 2026-12-07 16:00:00

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0017_cod_collections'
down_revision = '0016_product_ratings'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('cod_collections',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('order_id', sa.Integer(), nullable=False),
    sa.Column('carrier_id', sa.String(length=64), nullable=False),
    sa.Column('tracking_number', sa.String(length=100), nullable=False),
    sa.Column('collected', sa.BigInteger(), nullable=False),
    sa.Column('charge', sa.BigInteger(), nullable=False),
    sa.Column('payout_reference', sa.String(length=100), nullable=False),
    sa.Column('paid_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('reported_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('tenant_id', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['order_id'], ['orders.id'], name=op.f('fk_cod_collections_order_id_orders'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['tenant_id'], ['tenants.id'], name=op.f('fk_cod_collections_tenant_id_tenants'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_cod_collections')),
    sa.UniqueConstraint('tenant_id', 'carrier_id', 'tracking_number', name=op.f('uq_cod_collections_tenant_id_carrier_id_tracking_number'))
    )
    with op.batch_alter_table('cod_collections', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_cod_collections_tenant_id'), ['tenant_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_cod_collections_tenant_id_order_id'), ['tenant_id', 'order_id'], unique=False)


def downgrade():
    with op.batch_alter_table('cod_collections', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_cod_collections_tenant_id_order_id'))
        batch_op.drop_index(batch_op.f('ix_cod_collections_tenant_id'))

    op.drop_table('cod_collections')
