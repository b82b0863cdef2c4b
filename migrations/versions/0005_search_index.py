"""search index: the embedded search engine's tables

Revision ID: 0005_search_index
Revises: 0004_handle_redirects
Create Date: 2026-11-24 10:00:00.000000

Common tables (declared in ``core/search/schema.py``): ``search_documents``,
``search_texts``, ``search_facets``, ``search_terms``. Then, by database:

* SQLite: the FTS5 table ``search_fts`` over ``search_texts`` (external content,
  kept in step by triggers; the tokenizer keeps combining marks inside words so that
  Bengali survives; words arrive already folded), and ``search_grams`` (bigrams of
  each store's vocabulary, for typo candidates).
* PostgreSQL: ``tsv``/``head`` columns on ``search_documents`` with a GIN index on
  ``(tenant_id, tsv)``, and a trigram GIN index on the vocabulary. They need the ``pg_trgm`` and ``btree_gin``
  extensions. Both ship with PostgreSQL (contrib) and are "trusted" from PostgreSQL
  13 on, so the database owner may create them; otherwise a superuser must run
  ``CREATE EXTENSION pg_trgm; CREATE EXTENSION btree_gin;`` in the database first.
  Typo tolerance for Bengali and Armenian also needs a UTF-8 ``LC_CTYPE`` (for example
  ``C.UTF-8`` or ``en_US.UTF-8``): under ``LC_CTYPE=C`` pg_trgm sees no letters
  outside ASCII.

"""
from alembic import op
import sqlalchemy as sa
from sqlalchemy.dialects import postgresql


# revision identifiers, used by Alembic.
revision = '0005_search_index'
down_revision = '0004_handle_redirects'
branch_labels = None
depends_on = None

FTS_COLUMNS = "title_terms, keyword_terms, body_terms"
# unicode61 with marks (M*) as word characters: its default splits Bengali words at
# every vowel sign. Accents are removed before indexing, so remove_diacritics is off.
FTS_TOKENIZE = "unicode61 remove_diacritics 0 categories 'L* N* M* Co'"


def _tenant_fk(table):
    return sa.ForeignKeyConstraint(['tenant_id'], ['tenants.id'],
                                   name=op.f(f'fk_{table}_tenant_id_tenants'),
                                   ondelete='CASCADE')


def upgrade():
    dialect = op.get_bind().dialect.name
    op.create_table(
        'search_documents',
        sa.Column('id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'),
                  autoincrement=False, nullable=False),
        sa.Column('product_id', sa.Integer(), nullable=False),
        sa.Column('price', sa.BigInteger(), nullable=False),
        sa.Column('in_stock', sa.Boolean(), nullable=False),
        sa.Column('rating', sa.Float(), nullable=True),
        sa.Column('review_count', sa.Integer(), nullable=False),
        sa.Column('created', sa.BigInteger(), nullable=False),
        sa.Column('tenant_id', sa.Integer(), nullable=False),
        _tenant_fk('search_documents'),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_search_documents')),
        sa.UniqueConstraint('tenant_id', 'product_id',
                            name=op.f('uq_search_documents_tenant_id_product_id')),
    )
    op.create_index(op.f('ix_search_documents_tenant_id'), 'search_documents', ['tenant_id'])

    op.create_table(
        'search_texts',
        sa.Column('id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'),
                  autoincrement=False, nullable=False),
        sa.Column('handle', sa.String(length=255), nullable=False),
        sa.Column('title', sa.Text(), nullable=False),
        sa.Column('description', sa.Text(), nullable=False),
        sa.Column('title_terms', sa.Text(), nullable=False),
        sa.Column('keyword_terms', sa.Text(), nullable=False),
        sa.Column('body_terms', sa.Text(), nullable=False),
        sa.Column('tenant_id', sa.Integer(), nullable=False),
        _tenant_fk('search_texts'),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_search_texts')),
    )
    op.create_index(op.f('ix_search_texts_tenant_id'), 'search_texts', ['tenant_id'])

    op.create_table(
        'search_facets',
        sa.Column('doc_id', sa.BigInteger(), nullable=False),
        sa.Column('kind', sa.String(length=1), nullable=False),
        sa.Column('value', sa.String(length=255), nullable=False),
        sa.Column('tenant_id', sa.Integer(), nullable=False),
        _tenant_fk('search_facets'),
        sa.PrimaryKeyConstraint('tenant_id', 'doc_id', 'kind', 'value',
                                name=op.f('pk_search_facets')),
        sqlite_with_rowid=False,
    )
    op.create_index(op.f('ix_search_facets_tenant_id'), 'search_facets', ['tenant_id'])
    op.create_index(op.f('ix_search_facets_tenant_id_kind_value_doc_id'), 'search_facets',
                    ['tenant_id', 'kind', 'value', 'doc_id'])

    op.create_table(
        'search_terms',
        sa.Column('term', sa.Text().with_variant(sa.Text(collation='C'), 'postgresql'),
                  nullable=False),
        sa.Column('docs', sa.Integer(), nullable=False),
        sa.Column('chars', sa.Integer(), nullable=False),
        sa.Column('tenant_id', sa.Integer(), nullable=False),
        _tenant_fk('search_terms'),
        sa.PrimaryKeyConstraint('tenant_id', 'term', name=op.f('pk_search_terms')),
        sqlite_with_rowid=False,
    )
    op.create_index(op.f('ix_search_terms_tenant_id'), 'search_terms', ['tenant_id'])

    if dialect == 'sqlite':
        op.execute(f"""
            CREATE VIRTUAL TABLE search_fts USING fts5(
                {FTS_COLUMNS}, content='search_texts', content_rowid='id',
                tokenize="{FTS_TOKENIZE}")""")
        # bm25 weights: title 10, keywords 4, description 1.
        op.execute("INSERT INTO search_fts(search_fts, rank) VALUES ('rank', 'bm25(10.0, 4.0, 1.0)')")
        op.execute(f"""
            CREATE TRIGGER search_texts_ai AFTER INSERT ON search_texts BEGIN
                INSERT INTO search_fts(rowid, {FTS_COLUMNS})
                VALUES (new.id, new.title_terms, new.keyword_terms, new.body_terms);
            END""")
        op.execute(f"""
            CREATE TRIGGER search_texts_ad AFTER DELETE ON search_texts BEGIN
                INSERT INTO search_fts(search_fts, rowid, {FTS_COLUMNS})
                VALUES ('delete', old.id, old.title_terms, old.keyword_terms, old.body_terms);
            END""")
        op.execute(f"""
            CREATE TRIGGER search_texts_au AFTER UPDATE ON search_texts BEGIN
                INSERT INTO search_fts(search_fts, rowid, {FTS_COLUMNS})
                VALUES ('delete', old.id, old.title_terms, old.keyword_terms, old.body_terms);
                INSERT INTO search_fts(rowid, {FTS_COLUMNS})
                VALUES (new.id, new.title_terms, new.keyword_terms, new.body_terms);
            END""")
        # Bigrams of each store's words, with the word's length: the typo candidates of
        # a word are the words of a similar length that share enough of its bigrams.
        op.execute("""
            CREATE TABLE search_grams (
                tenant_id INTEGER NOT NULL,
                gram TEXT NOT NULL,
                chars INTEGER NOT NULL,
                term TEXT NOT NULL,
                CONSTRAINT pk_search_grams PRIMARY KEY (tenant_id, gram, chars, term)
            ) WITHOUT ROWID""")
    elif dialect == 'postgresql':
        bind = op.get_bind()
        for extension in ('pg_trgm', 'btree_gin'):
            installed = bind.execute(sa.text("SELECT 1 FROM pg_extension WHERE extname = :name"),
                                     {"name": extension}).scalar()
            if not installed:
                op.execute(f'CREATE EXTENSION IF NOT EXISTS {extension}')
        # tsv: every word, for matching (no positions); head: the title's words (weight
        # A) and the keywords' (B), to rank by where the words are.
        op.add_column('search_documents', sa.Column('tsv', postgresql.TSVECTOR(), nullable=False))
        op.add_column('search_documents', sa.Column('head', postgresql.TSVECTOR(), nullable=False))
        op.create_index('ix_search_documents_tenant_id_tsv', 'search_documents',
                        ['tenant_id', 'tsv'], postgresql_using='gin')
        op.create_index('ix_search_terms_tenant_id_term_trgm', 'search_terms',
                        ['tenant_id', 'term'], postgresql_using='gin',
                        postgresql_ops={'term': 'gin_trgm_ops'})


def downgrade():
    dialect = op.get_bind().dialect.name
    if dialect == 'sqlite':
        op.execute("DROP TABLE IF EXISTS search_grams")
        for trigger in ('search_texts_ai', 'search_texts_ad', 'search_texts_au'):
            op.execute(f"DROP TRIGGER IF EXISTS {trigger}")
        op.execute("DROP TABLE IF EXISTS search_fts")
    elif dialect == 'postgresql':
        op.drop_index('ix_search_terms_tenant_id_term_trgm', table_name='search_terms')
        op.drop_index('ix_search_documents_tenant_id_tsv', table_name='search_documents')
        # The extensions stay: other things may use them, and dropping needs privileges.
    op.drop_index(op.f('ix_search_terms_tenant_id'), table_name='search_terms')
    op.drop_table('search_terms')
    op.drop_index(op.f('ix_search_facets_tenant_id_kind_value_doc_id'), table_name='search_facets')
    op.drop_index(op.f('ix_search_facets_tenant_id'), table_name='search_facets')
    op.drop_table('search_facets')
    op.drop_index(op.f('ix_search_texts_tenant_id'), table_name='search_texts')
    op.drop_table('search_texts')
    op.drop_index(op.f('ix_search_documents_tenant_id'), table_name='search_documents')
    op.drop_table('search_documents')
