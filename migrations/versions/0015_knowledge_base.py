"""knowledge base (issue 12)

Revision ID: 0015
Revises: 0014
Create Date: 2026-12-04 18:05:56.638367

Articles with their versions, files, categories and links to models, manufacturers and diagnosis
codes. On PostgreSQL the articles also get a generated tsvector (Russian stemming, title and tags
weighted above the body) and its GIN index, the same as the model's DDL makes for create_all.
"""
from __future__ import annotations

import sqlalchemy as sa
from alembic import op

import servicecenter.db

# As servicecenter/knowledge/models.py had it when this revision was written (a migration keeps its own copy).
SEARCH_VECTOR_SQL = ("setweight(to_tsvector('russian'::regconfig, coalesce(title, '') || ' ' || coalesce(tags_text, '')), 'A')"
                     " || setweight(to_tsvector('russian'::regconfig, coalesce(body, '')), 'B')")


revision = '0015'
down_revision = '0014'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('knowledge_articles',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('title', sa.String(length=200), nullable=False),
    sa.Column('body', sa.Text(), nullable=False),
    sa.Column('visibility', sa.Enum('public', 'internal', 'partner', 'customer', name='visibility', native_enum=False, length=32), nullable=False),
    sa.Column('customer_id', sa.Integer(), nullable=True),
    sa.Column('state', sa.Enum('draft', 'published', 'archived', name='articlestate', native_enum=False, length=32), nullable=False),
    sa.Column('tags_text', sa.String(length=500), nullable=False),
    sa.Column('search_text', sa.Text(), nullable=False),
    sa.Column('revision', sa.Integer(), nullable=False),
    sa.Column('source_order_id', sa.Integer(), nullable=True),
    sa.Column('author_id', sa.Integer(), nullable=True),
    sa.Column('created_at', servicecenter.db.UTCDateTime(timezone=True), nullable=False),
    sa.Column('updated_at', servicecenter.db.UTCDateTime(timezone=True), nullable=False),
    sa.Column('updated_by_id', sa.Integer(), nullable=True),
    sa.ForeignKeyConstraint(['author_id'], ['users.id'], name=op.f('fk_knowledge_articles_author_id_users')),
    sa.ForeignKeyConstraint(['customer_id'], ['customers.id'], name=op.f('fk_knowledge_articles_customer_id_customers')),
    sa.ForeignKeyConstraint(['source_order_id'], ['repair_orders.id'], name=op.f('fk_knowledge_articles_source_order_id_repair_orders')),
    sa.ForeignKeyConstraint(['updated_by_id'], ['users.id'], name=op.f('fk_knowledge_articles_updated_by_id_users')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_knowledge_articles'))
    )
    with op.batch_alter_table('knowledge_articles', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_knowledge_articles_author_id'), ['author_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_knowledge_articles_customer_id'), ['customer_id'], unique=False)
        batch_op.create_index('ix_knowledge_articles_state_visibility', ['state', 'visibility'], unique=False)
        batch_op.create_index(batch_op.f('ix_knowledge_articles_updated_at'), ['updated_at'], unique=False)
    if op.get_bind().dialect.name == "postgresql":
        op.execute(f"ALTER TABLE knowledge_articles ADD COLUMN search_vector tsvector "
                   f"GENERATED ALWAYS AS ({SEARCH_VECTOR_SQL}) STORED")
        op.execute("CREATE INDEX ix_knowledge_articles_search_vector ON knowledge_articles USING gin (search_vector)")

    op.create_table('knowledge_article_categories',
    sa.Column('article_id', sa.Integer(), nullable=False),
    sa.Column('category', sa.String(length=80), nullable=False),
    sa.ForeignKeyConstraint(['article_id'], ['knowledge_articles.id'], name=op.f('fk_knowledge_article_categories_article_id_knowledge_articles'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('article_id', 'category', name=op.f('pk_knowledge_article_categories'))
    )
    with op.batch_alter_table('knowledge_article_categories', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_knowledge_article_categories_category'), ['category'], unique=False)

    op.create_table('knowledge_article_codes',
    sa.Column('article_id', sa.Integer(), nullable=False),
    sa.Column('code_id', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['article_id'], ['knowledge_articles.id'], name=op.f('fk_knowledge_article_codes_article_id_knowledge_articles'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['code_id'], ['diagnosis_codes.id'], name=op.f('fk_knowledge_article_codes_code_id_diagnosis_codes')),
    sa.PrimaryKeyConstraint('article_id', 'code_id', name=op.f('pk_knowledge_article_codes'))
    )
    with op.batch_alter_table('knowledge_article_codes', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_knowledge_article_codes_code_id'), ['code_id'], unique=False)

    op.create_table('knowledge_article_manufacturers',
    sa.Column('article_id', sa.Integer(), nullable=False),
    sa.Column('manufacturer_id', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['article_id'], ['knowledge_articles.id'], name=op.f('fk_knowledge_article_manufacturers_article_id_knowledge_articles'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['manufacturer_id'], ['manufacturers.id'], name=op.f('fk_knowledge_article_manufacturers_manufacturer_id_manufacturers')),
    sa.PrimaryKeyConstraint('article_id', 'manufacturer_id', name=op.f('pk_knowledge_article_manufacturers'))
    )
    with op.batch_alter_table('knowledge_article_manufacturers', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_knowledge_article_manufacturers_manufacturer_id'), ['manufacturer_id'], unique=False)

    op.create_table('knowledge_article_models',
    sa.Column('article_id', sa.Integer(), nullable=False),
    sa.Column('model_id', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['article_id'], ['knowledge_articles.id'], name=op.f('fk_knowledge_article_models_article_id_knowledge_articles'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['model_id'], ['product_models.id'], name=op.f('fk_knowledge_article_models_model_id_product_models')),
    sa.PrimaryKeyConstraint('article_id', 'model_id', name=op.f('pk_knowledge_article_models'))
    )
    with op.batch_alter_table('knowledge_article_models', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_knowledge_article_models_model_id'), ['model_id'], unique=False)

    op.create_table('knowledge_article_versions',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('article_id', sa.Integer(), nullable=False),
    sa.Column('number', sa.Integer(), nullable=False),
    sa.Column('title', sa.String(length=200), nullable=False),
    sa.Column('body', sa.Text(), nullable=False),
    sa.Column('fields', sa.JSON(), nullable=False),
    sa.Column('note', sa.String(length=200), nullable=False),
    sa.Column('author_id', sa.Integer(), nullable=True),
    sa.Column('created_at', servicecenter.db.UTCDateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['article_id'], ['knowledge_articles.id'], name=op.f('fk_knowledge_article_versions_article_id_knowledge_articles'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['author_id'], ['users.id'], name=op.f('fk_knowledge_article_versions_author_id_users')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_knowledge_article_versions'))
    )
    with op.batch_alter_table('knowledge_article_versions', schema=None) as batch_op:
        batch_op.create_index('uq_knowledge_article_versions_article_id_number', ['article_id', 'number'], unique=True)

    op.create_table('knowledge_files',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('article_id', sa.Integer(), nullable=False),
    sa.Column('stored_name', sa.String(length=64), nullable=False),
    sa.Column('original_name', sa.String(length=200), nullable=False),
    sa.Column('content_type', sa.String(length=64), nullable=False),
    sa.Column('size', sa.Integer(), nullable=False),
    sa.Column('width', sa.Integer(), nullable=True),
    sa.Column('height', sa.Integer(), nullable=True),
    sa.Column('uploaded_by_id', sa.Integer(), nullable=True),
    sa.Column('uploaded_at', servicecenter.db.UTCDateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['article_id'], ['knowledge_articles.id'], name=op.f('fk_knowledge_files_article_id_knowledge_articles'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['uploaded_by_id'], ['users.id'], name=op.f('fk_knowledge_files_uploaded_by_id_users')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_knowledge_files')),
    sa.UniqueConstraint('stored_name', name=op.f('uq_knowledge_files_stored_name'))
    )
    with op.batch_alter_table('knowledge_files', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_knowledge_files_article_id'), ['article_id'], unique=False)

def downgrade() -> None:
    with op.batch_alter_table('knowledge_files', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_knowledge_files_article_id'))

    op.drop_table('knowledge_files')
    with op.batch_alter_table('knowledge_article_versions', schema=None) as batch_op:
        batch_op.drop_index('uq_knowledge_article_versions_article_id_number')

    op.drop_table('knowledge_article_versions')
    with op.batch_alter_table('knowledge_article_models', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_knowledge_article_models_model_id'))

    op.drop_table('knowledge_article_models')
    with op.batch_alter_table('knowledge_article_manufacturers', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_knowledge_article_manufacturers_manufacturer_id'))

    op.drop_table('knowledge_article_manufacturers')
    with op.batch_alter_table('knowledge_article_codes', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_knowledge_article_codes_code_id'))

    op.drop_table('knowledge_article_codes')
    with op.batch_alter_table('knowledge_article_categories', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_knowledge_article_categories_category'))

    op.drop_table('knowledge_article_categories')
    with op.batch_alter_table('knowledge_articles', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_knowledge_articles_updated_at'))
        batch_op.drop_index('ix_knowledge_articles_state_visibility')
        batch_op.drop_index(batch_op.f('ix_knowledge_articles_customer_id'))
        batch_op.drop_index(batch_op.f('ix_knowledge_articles_author_id'))

    op.drop_table('knowledge_articles')
