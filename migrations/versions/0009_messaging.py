"""messaging and shopper sign-in: the message log, one-time codes, SMS with email, staff alerts

Revision ID: 0009_messaging
Revises: 0008_plugin_platform
Create Date: 2026-12-07 00:30:00

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0009_messaging'
down_revision = '0008_plugin_platform'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('messages',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('key', sa.String(length=200), nullable=False),
    sa.Column('event', sa.String(length=40), nullable=False),
    sa.Column('channel', sa.String(length=8), nullable=False),
    sa.Column('recipient', sa.String(length=254), nullable=False),
    sa.Column('customer_id', sa.Integer(), nullable=True),
    sa.Column('order_id', sa.Integer(), nullable=True),
    sa.Column('locale', sa.String(length=8), nullable=False),
    sa.Column('data', sa.JSON(), nullable=False),
    sa.Column('subject', sa.String(length=300), nullable=False),
    sa.Column('body', sa.Text(), nullable=False),
    sa.Column('parts', sa.Integer(), nullable=False),
    sa.Column('provider', sa.String(length=64), nullable=False),
    sa.Column('provider_ref', sa.String(length=200), nullable=False),
    sa.Column('status', sa.String(length=16), nullable=False),
    sa.Column('attempts', sa.Integer(), nullable=False),
    sa.Column('error', sa.String(length=500), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('sent_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('tenant_id', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['customer_id'], ['customers.id'], name=op.f('fk_messages_customer_id_customers'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['order_id'], ['orders.id'], name=op.f('fk_messages_order_id_orders'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['tenant_id'], ['tenants.id'], name=op.f('fk_messages_tenant_id_tenants'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_messages')),
    sa.UniqueConstraint('tenant_id', 'key', name=op.f('uq_messages_tenant_id_key'))
    )
    with op.batch_alter_table('messages', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_messages_tenant_id'), ['tenant_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_messages_tenant_id_customer_id_created_at'), ['tenant_id', 'customer_id', 'created_at'], unique=False)
        batch_op.create_index(batch_op.f('ix_messages_tenant_id_order_id'), ['tenant_id', 'order_id'], unique=False)

    op.create_table('shopper_codes',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('purpose', sa.String(length=16), nullable=False),
    sa.Column('channel', sa.String(length=8), nullable=False),
    sa.Column('address', sa.String(length=254), nullable=False),
    sa.Column('salt', sa.String(length=32), nullable=False),
    sa.Column('code_hash', sa.String(length=64), nullable=False),
    sa.Column('order_id', sa.Integer(), nullable=True),
    sa.Column('attempts', sa.Integer(), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('expires_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('used_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('tenant_id', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['order_id'], ['orders.id'], name=op.f('fk_shopper_codes_order_id_orders'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['tenant_id'], ['tenants.id'], name=op.f('fk_shopper_codes_tenant_id_tenants'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_shopper_codes'))
    )
    with op.batch_alter_table('shopper_codes', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_shopper_codes_tenant_id'), ['tenant_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_shopper_codes_tenant_id_address_purpose_created_at'), ['tenant_id', 'address', 'purpose', 'created_at'], unique=False)

    op.create_table('customer_consents',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('customer_id', sa.Integer(), nullable=False),
    sa.Column('purpose', sa.String(length=16), nullable=False),
    sa.Column('channel', sa.String(length=8), nullable=False),
    sa.Column('granted', sa.Boolean(), nullable=False),
    sa.Column('source', sa.String(length=24), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('tenant_id', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['customer_id'], ['customers.id'], name=op.f('fk_customer_consents_customer_id_customers'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['tenant_id'], ['tenants.id'], name=op.f('fk_customer_consents_tenant_id_tenants'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_customer_consents'))
    )
    with op.batch_alter_table('customer_consents', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_customer_consents_tenant_id'), ['tenant_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_customer_consents_tenant_id_customer_id_purpose_channel_id'), ['tenant_id', 'customer_id', 'purpose', 'channel', 'id'], unique=False)
    op.add_column('customers', sa.Column('locale', sa.String(length=8), server_default='', nullable=False))

    # Not in batch mode: on SQLite a batch would copy the table and lose its
    # AUTOINCREMENT, and store ids must never be reused (caches key on them).
    op.add_column('tenants', sa.Column('sms_with_email', sa.Boolean(), server_default=sa.false(), nullable=False))
    op.add_column('staff_users', sa.Column('phone', sa.String(length=32), server_default='', nullable=False))
    op.add_column('staff_users', sa.Column('alerts', sa.JSON(), nullable=True))


def downgrade():
    # SQLite 3.35+ and PostgreSQL drop a column in place (no table copy, see above).
    op.execute('ALTER TABLE tenants DROP COLUMN sms_with_email')
    op.execute('ALTER TABLE staff_users DROP COLUMN alerts')
    op.execute('ALTER TABLE staff_users DROP COLUMN phone')

    with op.batch_alter_table('messages', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_messages_tenant_id_order_id'))
        batch_op.drop_index(batch_op.f('ix_messages_tenant_id_customer_id_created_at'))
        batch_op.drop_index(batch_op.f('ix_messages_tenant_id'))

    op.drop_table('messages')

    op.execute('ALTER TABLE customers DROP COLUMN locale')
    with op.batch_alter_table('customer_consents', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_customer_consents_tenant_id_customer_id_purpose_channel_id'))
        batch_op.drop_index(batch_op.f('ix_customer_consents_tenant_id'))

    op.drop_table('customer_consents')

    with op.batch_alter_table('shopper_codes', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_shopper_codes_tenant_id_address_purpose_created_at'))
        batch_op.drop_index(batch_op.f('ix_shopper_codes_tenant_id'))

    op.drop_table('shopper_codes')
