"""Visitors find networks, their action concepts and organisations; partners see a bit more."""

import pytest
from django.urls import reverse

from conftest import client_for
from lotse.network.models import Network, Organisation

pytestmark = pytest.mark.django_db

INTERNAL_CONTACT = "Geschäftsstelle der Fachkräfteallianz (Abstimmung unter Partnern)"


def test_start_page_explains_lotse_and_leads_into_the_networks(client):
    response = client.get(reverse("home"))
    assert response.status_code == 200
    assert b'lang="de"' in response.content
    assert reverse("network:network_list").encode() in response.content
    assert "Fachkräfteallianz Chemnitz".encode() in response.content


def test_network_page_shows_members_by_role_and_the_action_concept(client, chemnitz):
    response = client.get(chemnitz.get_absolute_url())
    content = response.content.decode()
    assert response.status_code == 200
    roles = [membership_role for membership_role, _members in response.context["members_by_role"]]
    assert len(roles) == 3
    managing = [m.organisation.slug for m in response.context["members_by_role"][0][1]]
    assert set(managing) == {"agentur-fuer-arbeit-chemnitz", "stadt-chemnitz"}
    assert "Demografischer Wandel" in content
    assert "Talente gewinnen – Fachkräfte gezielt rekrutieren" in content
    assert "251485" in content  # the fact check


def test_action_field_page_lists_goals_and_approaches_numbered_as_in_the_document(client, chemnitz):
    response = client.get(reverse("network:action_field_detail", args=[chemnitz.slug, 2]))
    content = response.content.decode()
    assert response.status_code == 200
    assert "deutschlandweite Gewinnung Rückkehrwilliger" in content
    assert "2.1" in content and "Etablierung des Welcome Centers" in content
    assert (
        Organisation.objects.get(slug="agentur-fuer-arbeit-chemnitz").get_absolute_url() in content
    )


def test_an_action_field_that_does_not_exist_is_not_found(client, chemnitz):
    assert (
        client.get(reverse("network:action_field_detail", args=[chemnitz.slug, 9])).status_code
        == 404
    )


def test_organisation_page_shows_its_networks_and_public_contacts(client):
    response = client.get(reverse("network:organisation_detail", args=["stadt-chemnitz"]))
    content = response.content.decode()
    assert "Fachkräfteallianz Chemnitz" in content
    assert "Fachkräftekoordination, Geschäftsbereich Wirtschaft" in content
    assert INTERNAL_CONTACT not in content


def test_internal_contact_is_shown_to_partners_of_the_same_network_only(users):
    url = reverse("network:organisation_detail", args=["stadt-chemnitz"])
    shown = {
        role: INTERNAL_CONTACT in client_for(users[role]).get(url).content.decode()
        for role in users
    }
    assert shown == {
        "anonymous": False,
        "administrator": True,
        "coordinator": True,  # own organisation
        "adviser": True,  # Agentur für Arbeit Chemnitz is a member of the alliance
        "other_adviser": False,  # Staatskanzlei Sachsen-Anhalt is not
        "company": False,
        "talent": False,
    }


@pytest.mark.parametrize(
    ("query", "expected", "unexpected"),
    [
        ({"kind": "chamber_crafts"}, "Handwerkskammer Chemnitz", "IHK Chemnitz"),
        (
            {"network": "kooperation-ba-sachsen-acod"},
            "Automotive Cluster",
            "Handwerkskammer Chemnitz",
        ),
        ({"region": "15"}, "Staatskanzlei", "Handwerkskammer Chemnitz"),
        ({"region": "14511"}, "Stadt Chemnitz", "Staatskanzlei"),
        ({"q": "handwerk chemnitz"}, "Handwerkskammer Chemnitz", "IHK Chemnitz"),
    ],
)
def test_organisation_list_filters(client, query, expected, unexpected):
    response = client.get(reverse("network:organisation_list"), query)
    content = response.content.decode()
    assert response.status_code == 200
    assert expected in content
    assert unexpected not in content


def test_an_invalid_filter_value_is_explained_not_a_crash(client):
    response = client.get(reverse("network:organisation_list"), {"kind": "dragon"})
    assert response.status_code == 200
    assert response.context["filter"].errors["kind"]


def test_network_list_filters_by_kind_and_region(client):
    response = client.get(reverse("network:network_list"), {"kind": "pact"})
    names = [network.name for network in response.context["page"]]
    assert names == ["Fachkräftesicherungspakt Sachsen-Anhalt"]
    response = client.get(reverse("network:network_list"), {"region": "14"})
    slugs = {network.slug for network in response.context["page"]}
    assert {
        "fachkraefteallianz-chemnitz",
        "kooperation-ba-sachsen-acod",
        "wirtschaftsinitiative-lausitz",
    } <= slugs
    assert "switch-aachen" not in slugs


def test_htmx_filter_request_returns_only_the_results(client):
    response = client.get(
        reverse("network:organisation_list"), {"kind": "university"}, HTTP_HX_REQUEST="true"
    )
    assert response.status_code == 200
    assert response.content.lstrip().startswith(b'<div id="results"')
    assert "Technische Universität Chemnitz".encode() in response.content


def test_list_and_detail_pages_stay_within_a_fixed_query_budget(
    client, django_assert_max_num_queries
):
    with django_assert_max_num_queries(8):
        client.get(reverse("network:organisation_list"))
    with django_assert_max_num_queries(8):
        client.get(reverse("network:network_list"))
    with django_assert_max_num_queries(14):
        client.get(Network.objects.get(slug="fachkraefteallianz-chemnitz").get_absolute_url())


def test_a_draft_network_is_seen_only_by_its_coordinator_and_administrators(users, chemnitz):
    chemnitz.is_published = False
    chemnitz.save()
    url = chemnitz.get_absolute_url()
    status = {role: client_for(users[role]).get(url).status_code for role in users}
    assert status == {
        "anonymous": 404, "administrator": 200, "coordinator": 200, "adviser": 404,
        "other_adviser": 404, "company": 404, "talent": 404,
    }  # fmt: skip
    field_url = reverse("network:action_field_detail", args=[chemnitz.slug, 1])
    assert client_for(None).get(field_url).status_code == 404


def test_the_interface_switches_to_english(client):
    response = client.post(reverse("set_language"), {"language": "en", "next": "/"}, follow=True)
    assert response.status_code == 200
    assert b'lang="en"' in response.content


def test_company_users_of_a_member_organisation_do_not_see_internal_contacts(db):
    from lotse.accounts.models import User

    member = Organisation.objects.get(slug="agentur-fuer-arbeit-chemnitz")
    user = User.objects.create_user("firm", role="company", organisation=member)
    url = reverse("network:organisation_detail", args=["stadt-chemnitz"])
    assert INTERNAL_CONTACT not in client_for(user).get(url).content.decode()
