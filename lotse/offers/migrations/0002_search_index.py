"""The full-text index of the offers, in each database's own way.

PostgreSQL: a stored generated tsvector (german configuration, title weight A)
with a GIN index, and pg_trgm for the vocabulary. SQLite: an FTS5 table of
Snowball stems kept current by triggers. The SQL is written out here, not
imported, so that this migration stays as it was when it ran.
"""

from django.db import migrations

POSTGRESQL = [
    "CREATE EXTENSION IF NOT EXISTS pg_trgm",
    "ALTER TABLE offers_offer ADD COLUMN search_vector tsvector GENERATED ALWAYS AS ("
    "setweight(to_tsvector('german'::regconfig, search_title), 'A') || "
    "setweight(to_tsvector('german'::regconfig, search_body), 'B')) STORED",
    "CREATE INDEX offers_offer_search_vector ON offers_offer USING GIN (search_vector)",
    "CREATE INDEX offers_searchterm_trgm ON offers_searchterm USING GIN (word gin_trgm_ops)",
]
POSTGRESQL_REVERSE = [
    "DROP INDEX IF EXISTS offers_searchterm_trgm",
    "ALTER TABLE offers_offer DROP COLUMN IF EXISTS search_vector",
]
SQLITE = [
    "CREATE VIRTUAL TABLE offers_offer_fts USING fts5("
    "stems_title, stems_body, content='offers_offer', content_rowid='id', tokenize='unicode61')",
    "CREATE TRIGGER offers_offer_fts_insert AFTER INSERT ON offers_offer BEGIN "
    "INSERT INTO offers_offer_fts(rowid, stems_title, stems_body) "
    "VALUES (new.id, new.stems_title, new.stems_body); END",
    "CREATE TRIGGER offers_offer_fts_delete AFTER DELETE ON offers_offer BEGIN "
    "INSERT INTO offers_offer_fts(offers_offer_fts, rowid, stems_title, stems_body) "
    "VALUES ('delete', old.id, old.stems_title, old.stems_body); END",
    "CREATE TRIGGER offers_offer_fts_update AFTER UPDATE OF stems_title, stems_body "
    "ON offers_offer BEGIN "
    "INSERT INTO offers_offer_fts(offers_offer_fts, rowid, stems_title, stems_body) "
    "VALUES ('delete', old.id, old.stems_title, old.stems_body); "
    "INSERT INTO offers_offer_fts(rowid, stems_title, stems_body) "
    "VALUES (new.id, new.stems_title, new.stems_body); END",
]
SQLITE_REVERSE = [
    "DROP TRIGGER IF EXISTS offers_offer_fts_update",
    "DROP TRIGGER IF EXISTS offers_offer_fts_delete",
    "DROP TRIGGER IF EXISTS offers_offer_fts_insert",
    "DROP TABLE IF EXISTS offers_offer_fts",
]


def _run(statements_by_vendor):
    def run(apps, schema_editor):
        for statement in statements_by_vendor.get(schema_editor.connection.vendor, []):
            schema_editor.execute(statement)

    return run


class Migration(migrations.Migration):
    dependencies = [("offers", "0001_initial")]

    operations = [
        migrations.RunPython(
            _run({"postgresql": POSTGRESQL, "sqlite": SQLITE}),
            _run({"postgresql": POSTGRESQL_REVERSE, "sqlite": SQLITE_REVERSE}),
        )
    ]
