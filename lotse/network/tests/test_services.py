"""Writes go through services that check permission, validate, place and audit."""

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from lotse.core.models import AuditEntry
from lotse.network.models import Organisation
from lotse.network.services import create_organisation, update_organisation

pytestmark = pytest.mark.django_db


def test_coordinator_adds_a_company_that_is_placed_by_its_postcode(coordinator):
    company = create_organisation(
        actor=coordinator, name="Beispiel Zerspanung GmbH", slug="beispiel-zerspanung",
        kind="company", postcode="09120", size_class="medium", sector_wz2008="25.62",
    )  # fmt: skip
    assert company.region.code == "14511"
    assert company.city == "Chemnitz"
    assert company.latitude is not None
    assert company.is_sme is True  # derived from the size class
    entry = AuditEntry.objects.get(action="network.organisation.created", object_id=str(company.pk))
    assert entry.actor == coordinator


def test_an_unknown_postcode_is_refused_and_nothing_is_saved(coordinator):
    before = (Organisation.objects.count(), AuditEntry.objects.count())
    with pytest.raises(ValidationError) as error:
        create_organisation(actor=coordinator, name="X", slug="x", kind="other", postcode="00000")
    assert error.value.message_dict["postcode"] == [
        "Keine Adresse in Deutschland hat diese Postleitzahl."
    ]
    assert (Organisation.objects.count(), AuditEntry.objects.count()) == before


def test_company_details_belong_to_companies_only(coordinator):
    with pytest.raises(ValidationError):
        create_organisation(
            actor=coordinator, name="Y", slug="y", kind="university", size_class="small"
        )


def test_talent_may_not_add_organisations(talent):
    with pytest.raises(PermissionDenied):
        create_organisation(actor=talent, name="Z", slug="z", kind="other")


def test_adviser_updates_their_organisation_and_the_audit_shows_old_and_new(adviser):
    agency = Organisation.objects.get(slug="agentur-fuer-arbeit-chemnitz")
    old_description = agency.description
    update_organisation(agency, actor=adviser, description="Neu beschrieben")
    entry = AuditEntry.objects.get(action="network.organisation.updated")
    assert entry.data == {
        "changes": {"description": {"from": old_description, "to": "Neu beschrieben"}}
    }
    assert entry.actor == adviser
    assert set(entry.scopes.values_list("network_id", flat=True)) == set(
        agency.memberships.values_list("network_id", flat=True)
    )


def test_adviser_may_not_change_another_organisation(adviser):
    city = Organisation.objects.get(slug="stadt-chemnitz")
    with pytest.raises(PermissionDenied):
        update_organisation(city, actor=adviser, description="fremd")
    city.refresh_from_db()
    assert city.description != "fremd"


def test_fields_that_do_not_exist_are_named(adviser):
    agency = Organisation.objects.get(slug="agentur-fuer-arbeit-chemnitz")
    with pytest.raises(ValidationError) as error:
        update_organisation(agency, actor=adviser, colour="blue")
    assert error.value.message_dict == {"colour": ["Kein Feld einer Organisation."]}


def test_an_adviser_may_not_move_their_organisation_under_another_or_rename_its_key(adviser):
    agency = Organisation.objects.get(slug="agentur-fuer-arbeit-chemnitz")
    with pytest.raises(PermissionDenied):
        update_organisation(agency, actor=adviser, parent=Organisation.objects.get(slug="bmas"))
    with pytest.raises(PermissionDenied):
        update_organisation(agency, actor=adviser, slug="aa-chemnitz")
    agency.refresh_from_db()
    assert (agency.slug, agency.parent.slug) == (
        "agentur-fuer-arbeit-chemnitz",
        "bundesagentur-fuer-arbeit-rd-sachsen",
    )


def test_an_organisation_cannot_be_run_by_itself_not_even_through_others(admin_user):
    regional = Organisation.objects.get(slug="bundesagentur-fuer-arbeit-rd-sachsen")
    local = Organisation.objects.get(slug="agentur-fuer-arbeit-chemnitz")
    assert local.parent == regional
    with pytest.raises(ValidationError) as error:
        update_organisation(regional, actor=admin_user, parent=local)
    assert "parent" in error.value.message_dict
    with pytest.raises(ValidationError):
        update_organisation(local, actor=admin_user, parent=local)
