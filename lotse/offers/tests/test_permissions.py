"""Who may offer in whose name.

An offer speaks for its provider, so adding, importing or changing an offer for an
organisation takes the right to change that organisation: administrators, the
organisation's own staff (coordinator or adviser), and coordinators of *all* the
networks it belongs to. The services, the administration and the import ask the
same rule, ``offers.offer_for_provider``.
"""

from typing import Any

import pytest
from django.core.exceptions import PermissionDenied
from django.urls import reverse

from conftest import client_for
from lotse.core.permissions import can
from lotse.network.models import Membership, MembershipRole, Network, Organisation
from lotse.offers import services
from lotse.offers.models import Offer, TargetGroup
from lotse.offers.rules import providers_for

pytestmark = pytest.mark.django_db

OUTSIDE = "staatskanzlei-sachsen-anhalt"  # a partner in Sachsen-Anhalt, not in Chemnitz
MEMBER = "ihk-chemnitz"  # a member of the Chemnitz alliance only
OWN = "agentur-fuer-arbeit-chemnitz"  # the adviser's organisation


def organisation(slug: str) -> Organisation:
    return Organisation.objects.get(slug=slug)


def new_offer(actor: Any, provider: str) -> Offer:
    return services.create_offer(
        actor=actor,
        title="Sprechstunde Fachkräftesicherung",
        slug="sprechstunde-fachkraefte",
        kind="advice",
        summary="Offene Sprechstunde für Betriebe.",
        provider=organisation(provider),
        target_groups=list(TargetGroup.objects.filter(slug="companies")),
    )


def share_with_a_foreign_network(slug: str, coordinator: Any) -> None:
    foreign = Network.objects.exclude(pk__in=coordinator.coordinated_network_ids()).first()
    Membership.objects.create(
        network=foreign, organisation=organisation(slug), role=MembershipRole.PARTNER
    )


# --- creating ---


def test_a_coordinator_cannot_create_an_offer_for_an_organisation_outside_their_network(
    coordinator,
):
    with pytest.raises(PermissionDenied):
        new_offer(coordinator, OUTSIDE)
    assert not Offer.objects.filter(slug="sprechstunde-fachkraefte").exists()


def test_a_coordinator_creates_offers_for_a_member_whose_networks_they_all_coordinate(
    coordinator,
):
    offer = new_offer(coordinator, MEMBER)

    assert offer.provider.slug == MEMBER
    assert can(coordinator, "offers.change_offer", offer)


def test_a_member_shared_with_a_foreign_network_is_not_the_coordinators_to_speak_for(
    coordinator,
):
    share_with_a_foreign_network(MEMBER, coordinator)

    with pytest.raises(PermissionDenied):
        new_offer(coordinator, MEMBER)
    assert not can(
        coordinator, "offers.change_offer", Offer.objects.filter(provider__slug=MEMBER)[0]
    )


def test_an_adviser_offers_only_for_their_own_organisation(adviser):
    assert new_offer(adviser, OWN).provider.slug == OWN
    with pytest.raises(PermissionDenied):
        services.create_offer(
            actor=adviser, title="Fremd", slug="fremd", kind="advice", summary="x",
            provider=organisation("stadt-chemnitz"),
            target_groups=list(TargetGroup.objects.filter(slug="companies")),
        )  # fmt: skip


def test_an_administrator_offers_for_any_organisation(admin_user):
    assert new_offer(admin_user, OUTSIDE).provider.slug == OUTSIDE


def test_users_without_a_staff_role_offer_for_nobody(company_user, talent):
    for user in (company_user, talent, None):
        assert not can(
            user, "offers.offer_for_provider", organisation(company_user.organisation.slug)
        )
        assert not providers_for(user).exists()


# --- changing ---


def test_a_coordinator_keeps_the_offers_of_a_member_of_their_network_current(coordinator):
    offer = Offer.objects.filter(provider__slug=MEMBER).first()
    assert offer is not None

    services.update_offer(offer, actor=coordinator, title="Neuer Titel")

    offer.refresh_from_db()
    assert offer.title == "Neuer Titel"


def test_a_coordinator_cannot_change_an_offer_of_an_organisation_outside_their_network(
    coordinator,
):
    offer = Offer.objects.filter(provider__slug=OUTSIDE).first()
    assert offer is not None

    with pytest.raises(PermissionDenied):
        services.update_offer(offer, actor=coordinator, title="Übernommen")


def test_an_offer_cannot_be_moved_to_a_provider_one_may_not_offer_for(adviser):
    offer = Offer.objects.filter(provider__slug=OWN).first()
    assert offer is not None

    with pytest.raises(PermissionDenied):
        services.update_offer(offer, actor=adviser, provider=organisation("stadt-chemnitz"))

    offer.refresh_from_db()
    assert offer.provider.slug == OWN


def test_the_stored_provider_decides_not_one_changed_in_memory(adviser):
    offer = Offer.objects.filter(provider__slug="stadt-chemnitz").first()
    assert offer is not None
    offer.provider = organisation(OWN)  # not saved: the stored offer is still the city's

    with pytest.raises(PermissionDenied):
        services.update_offer(offer, actor=adviser, title="Übernommen")


# --- the administration ---


def test_the_administration_offers_only_providers_one_may_offer_for(coordinator, adviser):
    choices = client_for(coordinator).get(reverse("admin:offers_offer_add"))
    providers = choices.context["adminform"].form.fields["provider"].queryset
    slugs = set(providers.values_list("slug", flat=True))

    assert {"stadt-chemnitz", MEMBER, OWN} <= slugs
    assert OUTSIDE not in slugs
    assert all(can(coordinator, "offers.offer_for_provider", org) for org in providers)
    assert list(providers_for(adviser).values_list("slug", flat=True)) == [OWN]


def test_a_crafted_administration_post_cannot_move_an_offer_to_a_foreign_provider(coordinator):
    offer = Offer.objects.filter(provider__slug="stadt-chemnitz").first()
    assert offer is not None
    client = client_for(coordinator)
    url = reverse("admin:offers_offer_change", args=[offer.pk])
    page = client.get(url)
    assert page.status_code == 200
    form = page.context["adminform"].form
    data = {name: form[name].value() for name in form.fields if form[name].value() is not None}
    data["provider"] = organisation(OUTSIDE).pk
    for formset in page.context["inline_admin_formsets"]:
        management = formset.formset.management_form
        for name in management.fields:
            data[f"{management.prefix}-{name}"] = management[name].value()

    response = client.post(url, data)

    assert response.status_code == 200  # the form again, with an error at the provider
    assert "provider" in response.context["adminform"].form.errors
    offer.refresh_from_db()
    assert offer.provider.slug == "stadt-chemnitz"
