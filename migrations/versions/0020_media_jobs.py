"""media jobs: a product photo is processed by a job after the save; until its clean
original and renditions exist, its row says so (``processing``) and pages show a
placeholder

Revision ID: 0020_media_jobs
Revises: 0017_cod_collections
Create Date: 2026-12-08 10:00:00

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0020_media_jobs'
down_revision = '0019_domain_claims'
branch_labels = None
depends_on = None

TABLES = ('product_images', 'staged_images')


def upgrade():
    for table in TABLES:
        with op.batch_alter_table(table, schema=None) as batch_op:
            batch_op.add_column(sa.Column('processing', sa.Boolean(), nullable=False,
                                          server_default=sa.false()))


def downgrade():
    for table in TABLES:
        with op.batch_alter_table(table, schema=None) as batch_op:
            batch_op.drop_column('processing')
