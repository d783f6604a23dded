"""A coordinator maintains their own network in the administration, and only that."""

import pytest
from django.urls import reverse

from conftest import client_for
from lotse.core.models import AuditEntry
from lotse.network.models import ContactPoint, Network, Organisation

pytestmark = pytest.mark.django_db


def test_coordinator_sees_every_network_but_may_change_only_their_own(coordinator, chemnitz):
    client = client_for(coordinator)
    pact = Network.objects.get(slug="fachkraeftesicherungspakt-sachsen-anhalt")

    own = client.get(reverse("admin:network_network_change", args=[chemnitz.pk]))
    other = client.get(reverse("admin:network_network_change", args=[pact.pk]))

    assert own.status_code == 200 and own.context["has_change_permission"]
    assert other.status_code == 200 and not other.context["has_change_permission"]
    refused = client.post(reverse("admin:network_network_change", args=[pact.pk]), {"name": "x"})
    assert refused.status_code == 403


def test_a_change_in_the_administration_is_audited(coordinator, chemnitz):
    client = client_for(coordinator)
    url = reverse(
        "admin:network_actionfield_change", args=[chemnitz.action_fields.get(number=1).pk]
    )
    page = client.get(url)
    form = page.context["adminform"].form
    data = {name: form[name].value() for name in form.fields if form[name].value() is not None}
    data["title"] = "Fähigkeiten entwickeln"
    for formset in page.context["inline_admin_formsets"]:
        management = formset.formset.management_form
        for name in management.fields:
            data[f"{management.prefix}-{name}"] = management[name].value()
        for index, inline_form in enumerate(formset.formset.forms):
            for name in inline_form.fields:
                value = inline_form[name].value()
                if value is not None:
                    data[f"{formset.formset.prefix}-{index}-{name}"] = value

    response = client.post(url, data)

    assert response.status_code == 302, (
        response.context and response.context["adminform"].form.errors
    )
    entry = AuditEntry.objects.get(action="network.actionfield.updated")
    assert entry.actor == coordinator
    assert entry.data["changes"] == {"title": "Fähigkeiten entwickeln"}


def test_coordinator_cannot_manage_user_accounts(coordinator):
    response = client_for(coordinator).get(reverse("admin:index"))
    assert b"accounts/user" not in response.content


def test_coordinator_can_attach_challenges_only_to_their_own_network(coordinator, chemnitz):
    client = client_for(coordinator)
    add_url = reverse("admin:network_challenge_add")
    choices = client.get(add_url).context["adminform"].form.fields["network"].queryset
    assert list(choices) == [chemnitz]

    pact = Network.objects.get(slug="fachkraeftesicherungspakt-sachsen-anhalt")
    response = client.post(add_url, {"network": pact.pk, "number": 9, "title": "Fremd"})
    assert response.status_code == 200  # the form refuses the foreign network
    assert not pact.challenges.filter(title="Fremd").exists()

    response = client.post(
        add_url, {"network": chemnitz.pk, "number": 7, "title": "Fachkräfte binden"}
    )
    assert response.status_code == 302
    assert AuditEntry.objects.filter(action="network.challenge.created", actor=coordinator).exists()


def _internal_contact(slug: str) -> ContactPoint:
    return ContactPoint.objects.create(
        organisation=Organisation.objects.get(slug=slug),
        function="Interne Abstimmung Landesprojekte",
        email="abstimmung@example.org",
        visibility="network",
    )


def test_coordinator_does_not_see_internal_contacts_of_foreign_organisations(coordinator):
    contact = _internal_contact("staatskanzlei-sachsen-anhalt")
    organisation = contact.organisation
    client = client_for(coordinator)

    page = client.get(reverse("admin:network_organisation_change", args=[organisation.pk]))
    listing = client.get(reverse("admin:network_contactpoint_changelist"))

    assert page.status_code == 200
    assert b"abstimmung@example.org" not in page.content
    assert b"Interne Abstimmung Landesprojekte" not in listing.content


def test_draft_networks_of_others_stay_hidden_in_the_administration(coordinator):
    pact = Network.objects.get(slug="fachkraeftesicherungspakt-sachsen-anhalt")
    pact.is_published = False
    pact.save()
    client = client_for(coordinator)

    memberships = client.get(reverse("admin:network_membership_changelist"))
    membership = pact.memberships.first()
    opened = client.get(reverse("admin:network_membership_change", args=[membership.pk]))

    assert "Fachkräftesicherungspakt".encode() not in memberships.content
    assert opened.status_code == 302  # Django's admin redirects for objects it cannot find


def test_adding_a_shared_organisation_to_ones_network_does_not_hand_over_its_data(
    coordinator, chemnitz
):
    chancellery = Organisation.objects.get(slug="staatskanzlei-sachsen-anhalt")
    client = client_for(coordinator)
    response = client.post(
        reverse("admin:network_membership_add"),
        {"network": chemnitz.pk, "organisation": chancellery.pk, "role": "partner"},
    )
    assert response.status_code == 302
    assert chancellery.memberships.filter(network=chemnitz).exists()

    refused = client.post(
        reverse("admin:network_organisation_change", args=[chancellery.pk]),
        {"name": "Übernommen", "slug": chancellery.slug, "kind": "ministry"},
    )

    assert refused.status_code == 403
    chancellery.refresh_from_db()
    assert chancellery.name == "Staatskanzlei Sachsen-Anhalt"


def test_contact_points_can_be_added_only_to_organisations_one_may_change(coordinator):
    client = client_for(coordinator)
    add_url = reverse("admin:network_contactpoint_add")
    choices = client.get(add_url).context["adminform"].form.fields["organisation"].queryset
    slugs = set(choices.values_list("slug", flat=True))
    assert "stadt-chemnitz" in slugs
    assert "bundesagentur-fuer-arbeit" not in slugs

    agency = Organisation.objects.get(slug="bundesagentur-fuer-arbeit")
    client.post(add_url, {"organisation": agency.pk, "function": "Hotline", "visibility": "public"})
    assert not agency.contact_points.filter(function="Hotline").exists()


def test_contact_points_added_inline_are_audited(admin_user):
    city = Organisation.objects.get(slug="stadt-chemnitz")
    client = client_for(admin_user)
    url = reverse("admin:network_organisation_change", args=[city.pk])
    form = client.get(url).context["adminform"].form
    data = {name: form[name].value() for name in form.fields if form[name].value() is not None}
    existing = list(city.contact_points.order_by("pk"))
    prefix = "contact_points"
    data.update({
        f"{prefix}-TOTAL_FORMS": len(existing) + 1, f"{prefix}-INITIAL_FORMS": len(existing),
        f"{prefix}-MIN_NUM_FORMS": 0, f"{prefix}-MAX_NUM_FORMS": 1000,
    })  # fmt: skip
    for index, contact in enumerate(existing):
        data.update({
            f"{prefix}-{index}-id": contact.pk, f"{prefix}-{index}-organisation": city.pk,
            f"{prefix}-{index}-function": contact.function,
            f"{prefix}-{index}-visibility": contact.visibility,
        })  # fmt: skip
    new = len(existing)
    data.update({
        f"{prefix}-{new}-organisation": city.pk, f"{prefix}-{new}-function": "Welcome Service",
        f"{prefix}-{new}-visibility": "public",
    })  # fmt: skip

    response = client.post(url, data)

    assert response.status_code == 302, response.context and response.context["errors"]
    entry = AuditEntry.objects.get(action="network.contactpoint.created")
    assert entry.object_label.startswith("Welcome Service")
    assert entry.actor == admin_user


def test_a_role_change_in_the_account_administration_is_audited(admin_user, talent):
    client = client_for(admin_user)
    url = reverse("admin:accounts_user_change", args=[talent.pk])
    form = client.get(url).context["adminform"].form
    data = {name: form[name].value() for name in form.fields if form[name].value() is not None}
    data.update({"role": "administrator", "is_superuser": "on", "date_joined_0": "2026-01-01",
                 "date_joined_1": "10:00:00"})  # fmt: skip
    data.pop("date_joined", None)
    data.pop("last_login", None)
    data["coordinated_networks"] = []
    data["groups"] = []
    data["user_permissions"] = []

    response = client.post(url, data)

    assert response.status_code == 302, response.context and response.context["adminform"].errors
    entry = AuditEntry.objects.get(action="accounts.user.updated")
    assert entry.data["role"] == "administrator"
    assert entry.data["is_superuser"] == "True"
