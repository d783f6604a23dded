"""The audit log records who did what, hides secrets and shows coordinators their networks."""

import pytest
from django.urls import reverse

from conftest import client_for
from lotse.core.audit import MASK, mask_secrets, record
from lotse.core.models import AuditEntry
from lotse.network.models import Network, Organisation

pytestmark = pytest.mark.django_db


def test_record_keeps_action_actor_object_and_the_networks_it_concerns(coordinator, chemnitz):
    entry = record("network.network.updated", chemnitz, coordinator, {"field": "summary"})

    entry.refresh_from_db()
    assert entry.action == "network.network.updated"
    assert entry.actor == coordinator
    assert entry.object_label == "Fachkräfteallianz Chemnitz"
    assert entry.data == {"field": "summary"}
    assert list(entry.scopes.values_list("network_id", flat=True)) == [chemnitz.pk]


def test_an_organisation_entry_concerns_every_network_the_organisation_is_member_of():
    agency = Organisation.objects.get(slug="bundesagentur-fuer-arbeit")
    entry = record("network.organisation.updated", agency)
    expected = set(agency.memberships.values_list("network_id", flat=True))
    assert expected
    assert set(entry.scopes.values_list("network_id", flat=True)) == expected


def test_secrets_are_masked_at_any_depth():
    data = {
        "password": "hunter2",
        "nested": {"api_key": "abc", "Token": "t", "keep": "visible"},
        "items": [{"client_secret": "s"}],
    }
    assert mask_secrets(data) == {
        "password": MASK,
        "nested": {"api_key": MASK, "Token": MASK, "keep": "visible"},
        "items": [{"client_secret": MASK}],
    }
    entry = record("accounts.token.issued", data={"token": "0123abcd"})
    entry.refresh_from_db()
    assert entry.data == {"token": MASK}


@pytest.mark.parametrize("action", ["updated", "network.updated", "Network.org.updated", ""])
def test_an_action_code_that_is_not_namespaced_is_refused(action):
    with pytest.raises(ValueError, match=r"app\.model\.verb"):
        record(action)


def test_coordinator_reads_only_entries_of_the_networks_they_coordinate(coordinator, chemnitz):
    pact = Network.objects.get(slug="fachkraeftesicherungspakt-sachsen-anhalt")
    record("network.network.updated", chemnitz, data={"marker": "chemnitz"})
    record("network.network.updated", pact, data={"marker": "pact"})

    response = client_for(coordinator).get(reverse("core:audit_log"))

    assert response.status_code == 200
    shown = {entry.data.get("marker") for entry in response.context["page"]}
    assert "chemnitz" in shown
    assert "pact" not in shown
    visible = AuditEntry.objects.visible_to(coordinator)
    assert {entry.data.get("marker") for entry in visible} >= {"chemnitz"}
    assert "pact" not in {entry.data.get("marker") for entry in visible}


def test_administrator_reads_every_entry_and_can_filter_by_action(admin_user, chemnitz):
    record("network.network.updated", chemnitz)
    record("accounts.token.issued", admin_user, admin_user)

    response = client_for(admin_user).get(reverse("core:audit_log"), {"action": "accounts."})

    assert response.status_code == 200
    assert b"accounts.token.issued" in response.content
    assert b"network.network.updated" not in response.content


def test_htmx_filter_request_gets_only_the_result_fragment(admin_user):
    response = client_for(admin_user).get(
        reverse("core:audit_log"), {"action": "network."}, HTTP_HX_REQUEST="true"
    )
    assert response.status_code == 200
    assert b'id="results"' in response.content
    assert b"<html" not in response.content


def test_going_back_past_the_browsers_saved_history_gets_the_whole_page(admin_user):
    # htmx asks for a URL it no longer holds and puts the answer in place of the body.
    response = client_for(admin_user).get(
        reverse("core:audit_log"),
        {"action": "network."},
        headers={"HX-Request": "true", "HX-History-Restore-Request": "true"},
    )
    assert b"<html" in response.content
    assert b'id="results"' in response.content


def test_a_cached_fragment_is_never_shown_as_the_page(admin_user):
    response = client_for(admin_user).get(reverse("core:audit_log"))
    assert "HX-Request" in response.headers["Vary"]


@pytest.mark.parametrize("role", ["adviser", "company", "talent"])
def test_the_audit_log_is_closed_to_other_roles(users, role):
    assert client_for(users[role]).get(reverse("core:audit_log")).status_code == 403


def test_anonymous_visitors_are_refused_the_audit_log():
    assert client_for(None).get(reverse("core:audit_log")).status_code == 403
