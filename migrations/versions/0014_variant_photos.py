"""variant photos: a variant may show one of its product's images; photos chosen in the
product editor are kept as staged images until the product is saved

Revision ID: 0014_variant_photos
Revises: 0013_coming_soon
Create Date: 2026-12-07 09:00:00

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0014_variant_photos'
down_revision = '0013_coming_soon'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('product_variants', schema=None) as batch_op:
        batch_op.add_column(sa.Column('image_id', sa.Integer(), nullable=True))
        batch_op.create_index(batch_op.f('ix_product_variants_image_id'), ['image_id'],
                              unique=False)
        batch_op.create_foreign_key(
            batch_op.f('fk_product_variants_image_id_product_images'), 'product_images',
            ['image_id'], ['id'], ondelete='SET NULL')

    op.create_table(
        'staged_images',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('storage_key', sa.String(length=300), nullable=False),
        sa.Column('name', sa.String(length=200), nullable=False),
        sa.Column('width', sa.Integer(), nullable=False),
        sa.Column('height', sa.Integer(), nullable=False),
        sa.Column('widths', sa.String(length=100), nullable=False),
        sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
        sa.Column('tenant_id', sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(['tenant_id'], ['tenants.id'],
                                name=op.f('fk_staged_images_tenant_id_tenants'),
                                ondelete='CASCADE'),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_staged_images')),
    )
    with op.batch_alter_table('staged_images', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_staged_images_tenant_id'), ['tenant_id'],
                              unique=False)
        batch_op.create_index(batch_op.f('ix_staged_images_tenant_id_created_at'),
                              ['tenant_id', 'created_at'], unique=False)


def downgrade():
    with op.batch_alter_table('staged_images', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_staged_images_tenant_id_created_at'))
        batch_op.drop_index(batch_op.f('ix_staged_images_tenant_id'))
    op.drop_table('staged_images')

    with op.batch_alter_table('product_variants', schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f('fk_product_variants_image_id_product_images'),
                                 type_='foreignkey')
        batch_op.drop_index(batch_op.f('ix_product_variants_image_id'))
        batch_op.drop_column('image_id')
