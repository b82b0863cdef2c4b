"""address book: a signed-in shopper's saved delivery addresses

Revision ID: 0011_address_book
Revises: 0010_message_templates
Create Date: 2026-12-07 03:30:00

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0011_address_book'
down_revision = '0010_message_templates'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('shopper_addresses',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('contact', sa.String(length=254), nullable=False),
    sa.Column('name', sa.String(length=200), nullable=False),
    sa.Column('phone', sa.String(length=32), nullable=False),
    sa.Column('country', sa.String(length=2), nullable=False),
    sa.Column('region', sa.String(length=100), nullable=False),
    sa.Column('city', sa.String(length=100), nullable=False),
    sa.Column('line1', sa.String(length=200), nullable=False),
    sa.Column('line2', sa.String(length=200), nullable=False),
    sa.Column('postcode', sa.String(length=16), nullable=False),
    sa.Column('is_default', sa.Boolean(), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('used_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('tenant_id', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['tenant_id'], ['tenants.id'], name=op.f('fk_shopper_addresses_tenant_id_tenants'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_shopper_addresses'))
    )
    with op.batch_alter_table('shopper_addresses', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_shopper_addresses_tenant_id'), ['tenant_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_shopper_addresses_tenant_id_contact'), ['tenant_id', 'contact'], unique=False)


def downgrade():
    with op.batch_alter_table('shopper_addresses', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_shopper_addresses_tenant_id_contact'))
        batch_op.drop_index(batch_op.f('ix_shopper_addresses_tenant_id'))

    op.drop_table('shopper_addresses')
