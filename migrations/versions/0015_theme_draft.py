"""theme draft: theme settings the store's staff saved or are previewing, not yet
published to shoppers

Revision ID: 0015_theme_draft
Revises: 0014_variant_photos
Create Date: 2026-12-08 09:00:00

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0015_theme_draft'
down_revision = '0014_variant_photos'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('theme_settings', schema=None) as batch_op:
        batch_op.add_column(sa.Column('draft', sa.JSON(), nullable=True))


def downgrade():
    with op.batch_alter_table('theme_settings', schema=None) as batch_op:
        batch_op.drop_column('draft')
