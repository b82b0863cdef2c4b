"""product ratings: each rating plugin's figures per product, and the combined rating
and review count on the product

Revision ID: 0016_product_ratings
Revises: 0015_theme_draft
Create Date: 2026-12-07 12:30:00

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0016_product_ratings'
down_revision = '0015_theme_draft'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('product_ratings',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('product_id', sa.Integer(), nullable=False),
    sa.Column('plugin', sa.String(length=64), nullable=False),
    sa.Column('rating', sa.Numeric(precision=3, scale=2), nullable=False),
    sa.Column('review_count', sa.Integer(), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('tenant_id', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['product_id'], ['products.id'], name=op.f('fk_product_ratings_product_id_products'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['tenant_id'], ['tenants.id'], name=op.f('fk_product_ratings_tenant_id_tenants'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_product_ratings')),
    sa.UniqueConstraint('tenant_id', 'product_id', 'plugin', name=op.f('uq_product_ratings_tenant_id_product_id_plugin'))
    )
    with op.batch_alter_table('product_ratings', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_product_ratings_product_id'), ['product_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_product_ratings_tenant_id'), ['tenant_id'], unique=False)

    with op.batch_alter_table('products', schema=None) as batch_op:
        batch_op.add_column(sa.Column('rating', sa.Numeric(precision=3, scale=2), nullable=True))
        batch_op.add_column(sa.Column('review_count', sa.Integer(), server_default='0', nullable=False))


def downgrade():
    with op.batch_alter_table('products', schema=None) as batch_op:
        batch_op.drop_column('review_count')
        batch_op.drop_column('rating')

    with op.batch_alter_table('product_ratings', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_product_ratings_tenant_id'))
        batch_op.drop_index(batch_op.f('ix_product_ratings_product_id'))

    op.drop_table('product_ratings')
