"""Write ä, ö, ü again in the words PostgreSQL's german stemmer reads (search.analysis.with_umlauts).

The rule is written out here, not imported, so that this migration stays as it
was when it ran.
"""

import re

from django.db import migrations

SPELLED_OUT = re.compile("ae|oe|ue")
UMLAUT = {"ae": "ä", "oe": "ö", "ue": "ü"}


def with_umlauts(text):
    return SPELLED_OUT.sub(lambda pair: UMLAUT[pair.group()], text)


def rewrite(apps, schema_editor):
    Offer = apps.get_model("offers", "Offer")
    changed = []
    for offer in Offer.objects.only("search_title", "search_body").iterator(chunk_size=2000):
        offer.search_title = with_umlauts(offer.search_title)
        offer.search_body = with_umlauts(offer.search_body)
        changed.append(offer)
        if len(changed) == 2000:
            Offer.objects.bulk_update(changed, ["search_title", "search_body"])
            changed = []
    Offer.objects.bulk_update(changed, ["search_title", "search_body"])


class Migration(migrations.Migration):
    dependencies = [("offers", "0003_catalogue_version")]

    operations = [migrations.RunPython(rewrite, migrations.RunPython.noop)]
