"""reviews: reviews, photos, revisions, reports, requests, opt-outs, product stats

Revision ID: reviews_0001
Revises:
Create Date: 2026-12-07 12:00:00

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = 'reviews_0001'
down_revision = None
branch_labels = ('reviews',)
depends_on = '0001_initial'

_AWARE = sa.DateTime(timezone=True)


def _tenant(table):
    return [
        sa.Column('tenant_id', sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(['tenant_id'], ['tenants.id'],
                                name=op.f(f'fk_{table}_tenant_id_tenants'), ondelete='CASCADE'),
        sa.PrimaryKeyConstraint('id', name=op.f(f'pk_{table}')),
    ]


def _child_of_review(table):
    return [
        sa.Column('review_id', sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(['review_id'], ['reviews_reviews.id'],
                                name=op.f(f'fk_{table}_review_id_reviews_reviews'),
                                ondelete='CASCADE'),
    ]


def _indexes(table, *indexes):
    """The ``tenant_id`` index every store-owned table has, then ``indexes``."""
    with op.batch_alter_table(table, schema=None) as batch_op:
        for columns in (('tenant_id',), *indexes):
            batch_op.create_index(batch_op.f(f'ix_{table}_' + '_'.join(columns)), list(columns),
                                  unique=False)


def upgrade():
    op.create_table('reviews_reviews',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('product_id', sa.Integer(), nullable=False),
    sa.Column('customer_id', sa.Integer(), nullable=True),
    sa.Column('order_id', sa.Integer(), nullable=True),
    sa.Column('reviewer_key', sa.String(length=40), nullable=True),
    sa.Column('rating', sa.SmallInteger(), nullable=False),
    sa.Column('title', sa.String(length=150), nullable=False),
    sa.Column('body', sa.Text(), nullable=False),
    sa.Column('author_name', sa.String(length=80), nullable=False),
    sa.Column('locale', sa.String(length=8), nullable=False),
    sa.Column('status', sa.String(length=16), nullable=False),
    sa.Column('held_reason', sa.String(length=300), nullable=False),
    sa.Column('verified', sa.Boolean(), nullable=False),
    sa.Column('anonymous', sa.Boolean(), nullable=False),
    sa.Column('featured', sa.Boolean(), nullable=False),
    sa.Column('photo_count', sa.Integer(), nullable=False),
    sa.Column('reply', sa.Text(), nullable=False),
    sa.Column('replied_at', _AWARE, nullable=True),
    sa.Column('created_at', _AWARE, nullable=False),
    sa.Column('updated_at', _AWARE, nullable=False),
    sa.Column('published_at', _AWARE, nullable=True),
    sa.Column('editable_until', _AWARE, nullable=True),
    *_tenant('reviews_reviews'),
    sa.UniqueConstraint('tenant_id', 'product_id', 'reviewer_key',
                        name=op.f('uq_reviews_reviews_tenant_id_product_id_reviewer_key'))
    )
    _indexes('reviews_reviews',
             ('tenant_id', 'product_id', 'status', 'created_at'),
             ('tenant_id', 'product_id', 'status', 'rating', 'id'),
             ('tenant_id', 'product_id', 'status', 'photo_count'),
             ('tenant_id', 'status', 'created_at'),
             ('tenant_id', 'featured', 'published_at'))

    op.create_table('reviews_photos',
    sa.Column('id', sa.Integer(), nullable=False),
    *_child_of_review('reviews_photos'),
    sa.Column('product_id', sa.Integer(), nullable=False),
    sa.Column('position', sa.SmallInteger(), nullable=False),
    sa.Column('storage_key', sa.String(length=300), nullable=False),
    sa.Column('width', sa.Integer(), nullable=False),
    sa.Column('height', sa.Integer(), nullable=False),
    sa.Column('widths', sa.String(length=100), nullable=False),
    sa.Column('created_at', _AWARE, nullable=False),
    *_tenant('reviews_photos'),
    )
    _indexes('reviews_photos', ('review_id',), ('tenant_id', 'product_id', 'created_at'))

    op.create_table('reviews_revisions',
    sa.Column('id', sa.Integer(), nullable=False),
    *_child_of_review('reviews_revisions'),
    sa.Column('rating', sa.SmallInteger(), nullable=False),
    sa.Column('title', sa.String(length=150), nullable=False),
    sa.Column('body', sa.Text(), nullable=False),
    sa.Column('author_name', sa.String(length=80), nullable=False),
    sa.Column('replaced_at', _AWARE, nullable=False),
    *_tenant('reviews_revisions'),
    )
    _indexes('reviews_revisions', ('review_id',))

    op.create_table('reviews_reports',
    sa.Column('id', sa.Integer(), nullable=False),
    *_child_of_review('reviews_reports'),
    sa.Column('reason', sa.String(length=20), nullable=False),
    sa.Column('note', sa.String(length=500), nullable=False),
    sa.Column('reporter_hash', sa.String(length=64), nullable=False),
    sa.Column('created_at', _AWARE, nullable=False),
    sa.Column('resolved_at', _AWARE, nullable=True),
    *_tenant('reviews_reports'),
    sa.UniqueConstraint('tenant_id', 'review_id', 'reporter_hash',
                        name=op.f('uq_reviews_reports_tenant_id_review_id_reporter_hash'))
    )
    _indexes('reviews_reports', ('review_id',))

    op.create_table('reviews_requests',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('order_id', sa.Integer(), nullable=False),
    sa.Column('customer_id', sa.Integer(), nullable=True),
    sa.Column('token_hash', sa.String(length=64), nullable=False),
    sa.Column('reminder_token_hash', sa.String(length=64), nullable=True),
    sa.Column('state', sa.String(length=16), nullable=False),
    sa.Column('due_at', _AWARE, nullable=False),
    sa.Column('reminder_due_at', _AWARE, nullable=True),
    sa.Column('sent_at', _AWARE, nullable=True),
    sa.Column('reminded_at', _AWARE, nullable=True),
    sa.Column('expires_at', _AWARE, nullable=False),
    sa.Column('created_at', _AWARE, nullable=False),
    *_tenant('reviews_requests'),
    sa.UniqueConstraint('tenant_id', 'order_id', name=op.f('uq_reviews_requests_tenant_id_order_id')),
    sa.UniqueConstraint('tenant_id', 'token_hash',
                        name=op.f('uq_reviews_requests_tenant_id_token_hash')),
    sa.UniqueConstraint('tenant_id', 'reminder_token_hash',
                        name=op.f('uq_reviews_requests_tenant_id_reminder_token_hash'))
    )
    _indexes('reviews_requests', ('tenant_id', 'state', 'due_at'))

    op.create_table('reviews_opt_outs',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('contact_hash', sa.String(length=64), nullable=False),
    sa.Column('created_at', _AWARE, nullable=False),
    *_tenant('reviews_opt_outs'),
    sa.UniqueConstraint('tenant_id', 'contact_hash',
                        name=op.f('uq_reviews_opt_outs_tenant_id_contact_hash'))
    )
    _indexes('reviews_opt_outs')

    op.create_table('reviews_product_stats',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('product_id', sa.Integer(), nullable=False),
    sa.Column('count', sa.Integer(), nullable=False),
    sa.Column('total', sa.Integer(), nullable=False),
    *[sa.Column(f'stars_{n}', sa.Integer(), nullable=False) for n in range(1, 6)],
    sa.Column('with_photos', sa.Integer(), nullable=False),
    sa.Column('photos', sa.Integer(), nullable=False),
    sa.Column('updated_at', _AWARE, nullable=False),
    *_tenant('reviews_product_stats'),
    sa.UniqueConstraint('tenant_id', 'product_id',
                        name=op.f('uq_reviews_product_stats_tenant_id_product_id'))
    )
    _indexes('reviews_product_stats')


def downgrade():
    for table in ('reviews_product_stats', 'reviews_opt_outs', 'reviews_requests',
                  'reviews_reports', 'reviews_revisions', 'reviews_photos', 'reviews_reviews'):
        op.drop_table(table)
