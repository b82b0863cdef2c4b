"""domain claims: many stores may hold an unverified claim on a host name, at most one
holds it verified (only verified domains route)

Revision ID: 0019_domain_claims
Revises: 0017_cod_collections
Create Date: 2026-12-10 10:00:00

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0019_domain_claims'
down_revision = '0018_staff_sessions'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('domains', schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f('uq_domains_hostname'), type_='unique')
        batch_op.create_unique_constraint(batch_op.f('uq_domains_tenant_id_hostname'),
                                          ['tenant_id', 'hostname'])
        batch_op.create_index(batch_op.f('ix_domains_hostname'), ['hostname'], unique=True,
                              sqlite_where=sa.text('verified'),
                              postgresql_where=sa.text('verified'))


def downgrade():
    # Unverified claims that share a name with another store's row cannot survive the
    # old platform-wide unique rule; the verified row (or the oldest claim) is kept.
    op.execute(
        "DELETE FROM domains WHERE id IN (SELECT d.id FROM domains d JOIN domains o "
        "ON o.hostname = d.hostname AND o.id <> d.id "
        "WHERE NOT d.verified AND (o.verified OR o.id < d.id))")
    with op.batch_alter_table('domains', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_domains_hostname'))
        batch_op.drop_constraint(batch_op.f('uq_domains_tenant_id_hostname'), type_='unique')
        batch_op.create_unique_constraint(batch_op.f('uq_domains_hostname'), ['hostname'])
