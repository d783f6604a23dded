"""The demo offers say what the seed documents say, and no more."""

from pathlib import Path

import pytest
import yaml

import lotse.offers
from lotse.offers.models import Offer

DEMO_FILE = Path(lotse.offers.__file__).parent / "demo" / "offers.yaml"

pytestmark = pytest.mark.django_db


def test_a_provider_the_document_does_not_name_is_marked_as_assumed(client):
    assumed = Offer.objects.get(slug="pop-up-buero")
    assert assumed.provider_assumed

    page = client.get(assumed.get_absolute_url()).content.decode()
    assert "angenommen" in page  # "assumed: the source does not name the provider"


def test_a_provider_the_document_names_is_shown_as_fact(client):
    named = Offer.objects.get(slug="welcome-center-chemnitz")
    assert not named.provider_assumed

    assert "angenommen" not in client.get(named.get_absolute_url()).content.decode()


def test_every_offer_marked_uncertain_in_the_demo_file_is_marked_assumed():
    offers = yaml.safe_load(DEMO_FILE.read_text(encoding="utf-8"))["offers"]
    uncertain = {offer["key"] for offer in offers if offer.get("provider_uncertain")}

    assert uncertain
    assert set(Offer.objects.filter(provider_assumed=True).values_list("slug", flat=True)) == (
        uncertain
    )
