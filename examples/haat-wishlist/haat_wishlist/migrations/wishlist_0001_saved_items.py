"""saved items

Revision ID: wishlist_0001
Revises:
Create Date: 2026-12-06 20:46:26.993500

The first revision of the wishlist's branch, written by
``haat plugin migration wishlist -m "saved items"``. It starts from core's first
revision, which creates ``tenants`` and ``products``: both are referenced here.
"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = 'wishlist_0001'
down_revision = None
branch_labels = ('wishlist',)
depends_on = '0001_initial'


def upgrade():
    op.create_table('wishlist_items',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('shopper', sa.String(length=64), nullable=False),
    sa.Column('product_id', sa.Integer(), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('tenant_id', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['product_id'], ['products.id'], name=op.f('fk_wishlist_items_product_id_products'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['tenant_id'], ['tenants.id'], name=op.f('fk_wishlist_items_tenant_id_tenants'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_wishlist_items')),
    sa.UniqueConstraint('tenant_id', 'shopper', 'product_id', name=op.f('uq_wishlist_items_tenant_id_shopper_product_id'))
    )
    with op.batch_alter_table('wishlist_items', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_wishlist_items_product_id'), ['product_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_wishlist_items_tenant_id'), ['tenant_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_wishlist_items_tenant_id_created_at'), ['tenant_id', 'created_at'], unique=False)
        batch_op.create_index(batch_op.f('ix_wishlist_items_tenant_id_shopper_created_at'), ['tenant_id', 'shopper', 'created_at'], unique=False)


def downgrade():
    with op.batch_alter_table('wishlist_items', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_wishlist_items_tenant_id_shopper_created_at'))
        batch_op.drop_index(batch_op.f('ix_wishlist_items_tenant_id_created_at'))
        batch_op.drop_index(batch_op.f('ix_wishlist_items_tenant_id'))
        batch_op.drop_index(batch_op.f('ix_wishlist_items_product_id'))

    op.drop_table('wishlist_items')
