"""coming soon: a store can stay closed to shoppers (a password page) until its owner
opens it, and hide the dashboard's getting-started list

Stores that exist already are open, as they were; the sign-up service creates new
stores "coming soon".

Revision ID: 0013_coming_soon
Revises: 0012_timeline_words
Create Date: 2026-12-08 09:00:00

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0013_coming_soon'
down_revision = '0012_timeline_words'
branch_labels = None
depends_on = None


def upgrade():
    # Not in batch mode: on SQLite a batch would copy the table and lose its
    # AUTOINCREMENT, and store ids must never be reused (caches key on them).
    op.add_column('tenants', sa.Column('open', sa.Boolean(), server_default=sa.true(),
                                       nullable=False))
    op.add_column('tenants', sa.Column('storefront_password', sa.String(length=255),
                                       server_default='', nullable=False))
    op.add_column('tenants', sa.Column('coming_soon_message', sa.String(length=500),
                                       server_default='', nullable=False))
    op.add_column('tenants', sa.Column('setup_list_hidden', sa.Boolean(),
                                       server_default=sa.false(), nullable=False))


def downgrade():
    # SQLite 3.35+ and PostgreSQL drop a column in place (no table copy, see above).
    op.execute('ALTER TABLE tenants DROP COLUMN setup_list_hidden')
    op.execute('ALTER TABLE tenants DROP COLUMN coming_soon_message')
    op.execute('ALTER TABLE tenants DROP COLUMN storefront_password')
    op.execute('ALTER TABLE tenants DROP COLUMN "open"')
