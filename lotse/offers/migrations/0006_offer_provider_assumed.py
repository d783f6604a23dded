"""Offer.provider_assumed: the source does not name the provider.

Added with ALTER TABLE on both databases: Django's own AddField rebuilds the
table on SQLite for a NOT NULL column, which would drop the FTS5 triggers of
migration 0002.
"""

from django.db import migrations, models

COLUMN_TYPE = {"sqlite": "bool NOT NULL DEFAULT 0", "postgresql": "boolean NOT NULL DEFAULT false"}


def add_column(apps, schema_editor):
    vendor = schema_editor.connection.vendor
    schema_editor.execute(
        f"ALTER TABLE offers_offer ADD COLUMN provider_assumed {COLUMN_TYPE[vendor]}"
    )


def drop_column(apps, schema_editor):
    schema_editor.execute("ALTER TABLE offers_offer DROP COLUMN provider_assumed")


class Migration(migrations.Migration):
    dependencies = [
        ("offers", "0005_catalogue_index"),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.AddField(
                    model_name="offer",
                    name="provider_assumed",
                    field=models.BooleanField(
                        default=False,
                        help_text="The source does not name the provider; it is assumed.",
                        verbose_name="provider assumed",
                    ),
                ),
            ],
            database_operations=[migrations.RunPython(add_column, drop_column)],
        ),
    ]
