"""timeline words: an order event keeps its message's template and values, so the
admin shows it in each reader's language

Revision ID: 0012_timeline_words
Revises: 0011_address_book
Create Date: 2026-12-07 06:00:00

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0012_timeline_words'
down_revision = '0011_address_book'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('order_events', schema=None) as batch_op:
        batch_op.add_column(sa.Column('template', sa.Text(), nullable=False,
                                      server_default=''))
        batch_op.add_column(sa.Column('params', sa.JSON(), nullable=True))


def downgrade():
    with op.batch_alter_table('order_events', schema=None) as batch_op:
        batch_op.drop_column('params')
        batch_op.drop_column('template')
