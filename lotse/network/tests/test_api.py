"""The JSON API under /api/v1/, told as the stories of the people who use it.

A visitor reads the published alliances with the filters of the pages; a
coordinator of the Fachkräfteallianz Chemnitz adds organisations, placed by
their postcode; an adviser of the Agentur für Arbeit Chemnitz keeps their own
organisation up to date but nobody else's; scripts sign in with a token.
"""

from typing import Any
from urllib.parse import parse_qs, urlsplit

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from rest_framework.authtoken.models import Token
from rest_framework.test import APIClient

from conftest import CHEMNITZ, client_for
from lotse.accounts.models import User
from lotse.core.models import AuditEntry
from lotse.network.models import (
    ActionField,
    Approach,
    Membership,
    Network,
    NetworkKind,
    Organisation,
    OrganisationKind,
    Region,
)

API = "/api/v1"
PACT = "fachkraeftesicherungspakt-sachsen-anhalt"
STATE_RESSORTS = "kooperation-landesressorts-fachkraeftesicherung-sachsen-anhalt"
BA_SACHSEN_ACOD = "kooperation-ba-sachsen-acod"
LAUSITZ = "wirtschaftsinitiative-lausitz"
AGENTUR_CHEMNITZ = "agentur-fuer-arbeit-chemnitz"
STADT_CHEMNITZ = "stadt-chemnitz"
IHK_CHEMNITZ = "ihk-chemnitz"
STAATSKANZLEI = "staatskanzlei-sachsen-anhalt"
BMW_LEIPZIG = "bmw-group-werk-leipzig"

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def fast_password_hashing(settings: Any) -> None:
    """The named users are created for every case of the permission matrix."""
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


def api_client(user: User | None = None) -> APIClient:
    """A client signed in through the session, as the browser's JavaScript would be."""
    client = APIClient()
    if user is not None:
        client.force_login(user)
    return client


def slugs(response: Any) -> list[str]:
    return [item["slug"] for item in response.json()["results"]]


def all_pages(client: APIClient, url: str) -> list[dict[str, Any]]:
    """Follow ``next`` until the last page, as an API consumer would."""
    results: list[dict[str, Any]] = []
    next_url: str | None = url
    while next_url:
        response = client.get(next_url)
        assert response.status_code == 200, response.content
        results += response.json()["results"]
        next_url = response.json()["next"]
    return results


def new_organisation(**overrides: Any) -> dict[str, Any]:
    return {
        "slug": "smart-systems-campus-chemnitz",
        "name": "Smart Systems Campus Chemnitz",
        "kind": OrganisationKind.CLUSTER_INITIATIVE,
        "street": "Technologie-Campus 1",
        "postcode": "09111",
        **overrides,
    }


def audit_entries(action: str, organisation: Organisation) -> list[AuditEntry]:
    return list(AuditEntry.objects.filter(action=action, object_id=str(organisation.pk)))


# --- Reading networks ---------------------------------------------------------


def test_a_visitor_pages_through_the_published_networks():
    client = api_client()
    first = client.get(f"{API}/networks/?page_size=4")

    assert first.status_code == 200
    body = first.json()
    published = Network.objects.filter(is_published=True)
    assert body["count"] == published.count() == 9
    assert body["previous"] is None
    assert parse_qs(urlsplit(body["next"]).query) == {"page": ["2"], "page_size": ["4"]}
    assert len(body["results"]) == 4

    every_network = all_pages(client, f"{API}/networks/?page_size=4")
    assert [network["slug"] for network in every_network] == list(
        published.order_by("name").values_list("slug", flat=True)
    )
    chemnitz = next(network for network in every_network if network["slug"] == CHEMNITZ)
    assert chemnitz["url"] == f"http://testserver{API}/networks/{CHEMNITZ}/"
    assert chemnitz["kind"] == NetworkKind.ALLIANCE
    assert chemnitz["regions"] == [
        {"code": "14511", "name": "Chemnitz, Stadt", "level": "district"}
    ]
    assert "memberships" not in chemnitz, "the list stays small; members are in the detail"


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("kind=pact", {PACT}),
        ("kind=pact&kind=cooperation", {PACT, STATE_RESSORTS, BA_SACHSEN_ACOD}),
        ("region=15", {PACT, STATE_RESSORTS}),
        ("region=14", {CHEMNITZ, BA_SACHSEN_ACOD, LAUSITZ}),
        ("region=14511", {CHEMNITZ}),
        ("q=Chemnitz", {CHEMNITZ}),
        ("q=fachkräftesicherungspakt sachsen-anhalt", {PACT, STATE_RESSORTS}),
        ("q=Chemnitz Industrie", {CHEMNITZ}),
        ("kind=cooperation&region=15", {STATE_RESSORTS}),
    ],
)
def test_a_visitor_filters_networks_as_on_the_network_page(query, expected):
    api = api_client().get(f"{API}/networks/?{query}&page_size=100")
    page = client_for(None).get(f"{reverse('network:network_list')}?{query}")

    assert api.status_code == 200
    assert set(slugs(api)) == expected
    assert len(slugs(api)) == api.json()["count"] == len(expected), "no network twice"
    assert slugs(api) == [network.slug for network in page.context["page"].object_list]


def test_a_land_matches_the_networks_of_its_districts(chemnitz):
    magdeburg = Network.objects.create(
        slug="fachkraeftenetzwerk-magdeburg", name="Fachkräftenetzwerk Magdeburg", kind="network"
    )
    magdeburg.regions.add(Region.objects.get(code="15003"))

    client = api_client()
    assert set(slugs(client.get(f"{API}/networks/?region=15"))) == {
        PACT,
        STATE_RESSORTS,
        "fachkraeftenetzwerk-magdeburg",
    }
    assert slugs(client.get(f"{API}/networks/?region=15003")) == ["fachkraeftenetzwerk-magdeburg"]
    assert "fachkraeftenetzwerk-magdeburg" not in slugs(client.get(f"{API}/networks/?region=14"))


@pytest.mark.parametrize(
    ("query", "field"),
    [("kind=bogus", "kind"), ("region=99", "region"), ("region=14511x", "region")],
)
def test_an_invalid_filter_is_answered_with_400_naming_it(query, field):
    response = api_client().get(f"{API}/networks/?{query}")

    assert response.status_code == 400
    assert field in response.json()


def test_a_visitor_reads_a_network_with_its_memberships(chemnitz):
    response = api_client().get(f"{API}/networks/{CHEMNITZ}/")

    assert response.status_code == 200
    network = response.json()
    assert network["name"] == "Fachkräfteallianz Chemnitz"
    assert network["founded"] == 2016
    assert network["source"] == "Handlungskonzept der regionalen Fachkräfteallianz Chemnitz"
    members = {member["organisation"]: member for member in network["memberships"]}
    assert set(members) == set(
        Membership.objects.filter(network=chemnitz).values_list("organisation__slug", flat=True)
    )
    assert len(members) == 16
    assert members[AGENTUR_CHEMNITZ] == {
        "network": CHEMNITZ,
        "organisation": AGENTUR_CHEMNITZ,
        "organisation_name": "Agentur für Arbeit Chemnitz",
        "role": "managing",
        "responsibilities": "Geschäftsführendes Mitglied der Fachkräfteallianz Chemnitz.",
    }
    assert members["saxjob-gmbh"]["role"] == "partner"


def test_an_unknown_network_is_404():
    assert api_client().get(f"{API}/networks/no-such-alliance/").status_code == 404


# --- Action concepts ------------------------------------------------------------


def test_the_action_concept_is_numbered_like_the_document(chemnitz):
    response = api_client().get(f"{API}/networks/{CHEMNITZ}/action-concept/")

    assert response.status_code == 200
    concept = response.json()
    assert concept["network"] == CHEMNITZ
    assert [(p["kind"], p["number"], p["title"]) for p in concept["principles"]] == [
        ("mission", 1, "Fachkräftesicherung"),
        ("mission", 2, "Standortattraktivität"),
        ("mission", 3, "Vernetzung und Kooperation"),
        ("mission", 4, "Qualifizierung und Weiterbildung"),
    ]
    assert concept["challenges"][0] == {
        "number": 1,
        "title": "Demografischer Wandel",
        "description": "Ruhestand/ Pension der älterwerdenden Bevölkerung, "
        "Herausforderung der Nachbesetzung",
    }
    assert [c["number"] for c in concept["challenges"]] == list(
        range(1, len(concept["challenges"]) + 1)
    )

    fields = concept["action_fields"]
    assert [field["number"] for field in fields] == [1, 2, 3, 4]
    assert fields[0]["title"] == (
        "Fähigkeiten und Neigungen entwickeln – Fachkräfte individuell (aus)bilden"
    )
    assert fields[0]["goals"][0] == {
        "number": "1.1",
        "text": "Stärkung der dualen und berufsbegleitenden Ausbildung",
    }
    for field in fields:
        assert field["network"] == CHEMNITZ
        for items in (field["goals"], field["approaches"]):
            numbers = [item["number"] for item in items]
            assert numbers == [f"{field['number']}.{n}" for n in range(1, len(items) + 1)]
    approach = Approach.objects.get(
        action_field__network=chemnitz, action_field__number=2, number=3
    )
    second = fields[1]
    assert {"number": "2.3", "text": approach.text} in second["approaches"]


def test_action_fields_are_listed_per_network(chemnitz):
    client = api_client()
    response = client.get(f"{API}/action-fields/?network={CHEMNITZ}")

    assert response.status_code == 200
    body = response.json()
    assert body["count"] == 4
    assert [(f["network"], f["number"]) for f in body["results"]] == [
        (CHEMNITZ, 1), (CHEMNITZ, 2), (CHEMNITZ, 3), (CHEMNITZ, 4),
    ]  # fmt: skip
    assert body["results"][1]["approaches"][2]["number"] == "2.3"

    everything = all_pages(client, f"{API}/action-fields/?page_size=5")
    assert len(everything) == ActionField.objects.filter(network__is_published=True).count()
    assert {field["network"] for field in everything} >= {CHEMNITZ, PACT}

    pact = client.get(f"{API}/action-fields/?network={PACT}").json()
    assert pact["count"] == ActionField.objects.filter(network__slug=PACT).count() > 0
    assert {field["network"] for field in pact["results"]} == {PACT}

    assert client.get(f"{API}/action-fields/?network=no-such-alliance").json()["count"] == 0

    field_id = ActionField.objects.get(network=chemnitz, number=2).pk
    detail = client.get(f"{API}/action-fields/{field_id}/")
    assert detail.status_code == 200
    assert detail.json() == body["results"][1]


# --- Reading organisations --------------------------------------------------------


def test_a_visitor_filters_organisations_by_kind_network_and_region(chemnitz):
    client = api_client()

    ministries = all_pages(client, f"{API}/organisations/?kind=ministry&page_size=2")
    assert {o["slug"] for o in ministries} == set(
        Organisation.objects.filter(kind="ministry").values_list("slug", flat=True)
    )
    assert len(ministries) == 4
    assert {o["kind"] for o in ministries} == {"ministry"}

    members = all_pages(client, f"{API}/organisations/?network={CHEMNITZ}")
    assert sorted(o["slug"] for o in members) == sorted(
        chemnitz.memberships.values_list("organisation__slug", flat=True)
    )

    in_saxony_anhalt = all_pages(client, f"{API}/organisations/?region=15")
    assert STAATSKANZLEI in {o["slug"] for o in in_saxony_anhalt}
    assert {o["region"]["code"] for o in in_saxony_anhalt} == {"15"}
    assert len(in_saxony_anhalt) == Organisation.objects.filter(region__code="15").count()

    in_chemnitz = all_pages(client, f"{API}/organisations/?region=14511")
    assert {o["region"]["code"] for o in in_chemnitz} == {"14511"}
    assert {AGENTUR_CHEMNITZ, STADT_CHEMNITZ, IHK_CHEMNITZ} <= {o["slug"] for o in in_chemnitz}

    agencies_in_saxony = client.get(f"{API}/organisations/?kind=employment_agency&region=14")
    assert set(slugs(agencies_in_saxony)) == {
        AGENTUR_CHEMNITZ,
        "bundesagentur-fuer-arbeit-rd-sachsen",
    }

    both = client.get(f"{API}/organisations/?network={CHEMNITZ}&kind=job_centre&q=Chemnitz")
    assert slugs(both) == ["jobcenter-chemnitz"]


def test_organisation_filters_match_the_organisation_page(chemnitz):
    query = f"network={CHEMNITZ}&region=14511&kind=employment_agency&kind=municipality"
    api = api_client().get(f"{API}/organisations/?{query}")
    page = client_for(None).get(f"{reverse('network:organisation_list')}?{query}")

    assert set(slugs(api)) == {AGENTUR_CHEMNITZ, STADT_CHEMNITZ}
    assert slugs(api) == [o.slug for o in page.context["page"].object_list]


def test_an_organisation_is_read_by_its_slug():
    response = api_client().get(f"{API}/organisations/{AGENTUR_CHEMNITZ}/")

    assert response.status_code == 200
    organisation = response.json()
    assert organisation["name"] == "Agentur für Arbeit Chemnitz"
    assert organisation["region"] == {
        "code": "14511",
        "name": "Chemnitz, Stadt",
        "level": "district",
    }
    assert organisation["parent"] == "bundesagentur-fuer-arbeit-rd-sachsen"
    assert organisation["url"] == f"http://testserver{API}/organisations/{AGENTUR_CHEMNITZ}/"
    assert api_client().get(f"{API}/organisations/bmas/").json()["region"] is None


# --- Token authentication ----------------------------------------------------------


def test_a_script_signs_in_with_its_token(adviser):
    token = Token.objects.create(user=adviser)
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {token.key}")

    me = client.get(f"{API}/me/")
    assert me.status_code == 200
    assert me.json()["username"] == "alex"

    changed = client.patch(
        f"{API}/organisations/{AGENTUR_CHEMNITZ}/",
        {"website": "https://www.arbeitsagentur.de/vor-ort/chemnitz"},
        format="json",
    )
    assert changed.status_code == 200, changed.content
    assert (
        Organisation.objects.get(slug=AGENTUR_CHEMNITZ).website
        == "https://www.arbeitsagentur.de/vor-ort/chemnitz"
    )


@pytest.mark.parametrize("url", [f"{API}/me/", f"{API}/networks/", f"{API}/organisations/"])
def test_a_wrong_token_is_401_even_for_public_reads(adviser, url):
    Token.objects.create(user=adviser)
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION="Token 0123456789abcdef0123456789abcdef01234567")

    response = client.get(url)

    assert response.status_code == 401
    assert response["WWW-Authenticate"] == "Token"


def test_a_deactivated_users_token_is_401(adviser):
    token = Token.objects.create(user=adviser)
    User.objects.filter(pk=adviser.pk).update(is_active=False)
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {token.key}")

    assert client.get(f"{API}/me/").status_code == 401


# --- Writing organisations ---------------------------------------------------------


def test_a_coordinator_adds_an_organisation_placed_by_its_postcode(coordinator):
    response = api_client(coordinator).post(
        f"{API}/organisations/", new_organisation(), format="json"
    )

    assert response.status_code == 201, response.content
    created = response.json()
    assert created["region"] == {"code": "14511", "name": "Chemnitz, Stadt", "level": "district"}
    assert (created["latitude"], created["longitude"]) == ("50.83510", "12.92220")
    assert created["city"] == "Chemnitz"
    assert response["Location"] == created["url"]
    organisation = Organisation.objects.get(slug="smart-systems-campus-chemnitz")
    assert organisation.region.code == "14511"
    (entry,) = audit_entries("network.organisation.created", organisation)
    assert entry.actor == coordinator
    assert entry.data == {"name": "Smart Systems Campus Chemnitz", "kind": "cluster_initiative"}

    found = api_client().get(f"{API}/organisations/?region=14&q=Smart Systems")
    assert slugs(found) == ["smart-systems-campus-chemnitz"]


def test_an_organisation_in_a_district_of_saxony_anhalt_is_found_by_the_land(coordinator):
    response = api_client(coordinator).post(
        f"{API}/organisations/",
        new_organisation(slug="kompetenzzentrum-magdeburg", name="Kompetenzzentrum Magdeburg",
                         postcode="39104", street=""),
        format="json",
    )  # fmt: skip

    assert response.status_code == 201, response.content
    assert response.json()["region"]["code"] == "15003"
    in_the_land = {o["slug"] for o in all_pages(api_client(), f"{API}/organisations/?region=15")}
    assert {"kompetenzzentrum-magdeburg", STAATSKANZLEI} <= in_the_land


def test_region_and_coordinates_come_from_the_postcode_not_from_the_payload(coordinator):
    response = api_client(coordinator).post(
        f"{API}/organisations/",
        new_organisation(region="15", latitude="1.0", longitude="2.0"),
        format="json",
    )

    assert response.status_code == 201, response.content
    assert response.json()["region"]["code"] == "14511"
    assert (response.json()["latitude"], response.json()["longitude"]) == ("50.83510", "12.92220")


def test_a_company_gets_its_sme_status_from_its_size_class(coordinator):
    response = api_client(coordinator).post(
        f"{API}/organisations/",
        new_organisation(slug="maschinenbau-muster", name="Maschinenbau Muster GmbH",
                         kind="company", sector_wz2008="28.41", size_class="small"),
        format="json",
    )  # fmt: skip

    assert response.status_code == 201, response.content
    assert response.json()["is_sme"] is True


def test_an_adviser_keeps_their_own_organisation_up_to_date_but_nobody_elses(adviser):
    client = api_client(adviser)
    own = client.patch(
        f"{API}/organisations/{AGENTUR_CHEMNITZ}/",
        {"short_name": "AA Chemnitz", "description": "Berufsberatung und Arbeitsvermittlung."},
        format="json",
    )

    assert own.status_code == 200, own.content
    assert own.json()["description"] == "Berufsberatung und Arbeitsvermittlung."
    agentur = Organisation.objects.get(slug=AGENTUR_CHEMNITZ)
    assert agentur.description == "Berufsberatung und Arbeitsvermittlung."
    (entry,) = audit_entries("network.organisation.updated", agentur)
    assert entry.actor == adviser
    assert entry.data["changes"] == {
        "description": {
            "from": "Geschäftsführendes Mitglied der regionalen Fachkräfteallianz Chemnitz.",
            "to": "Berufsberatung und Arbeitsvermittlung.",
        }
    }

    stadt = Organisation.objects.get(slug=STADT_CHEMNITZ)
    other = client.patch(
        f"{API}/organisations/{STADT_CHEMNITZ}/", {"description": "Übernommen."}, format="json"
    )
    assert other.status_code == 403
    stadt.refresh_from_db()
    assert stadt.description != "Übernommen."
    assert audit_entries("network.organisation.updated", stadt) == []


def test_a_new_postcode_moves_the_organisation(adviser):
    response = api_client(adviser).patch(
        f"{API}/organisations/{AGENTUR_CHEMNITZ}/", {"postcode": "09111"}, format="json"
    )

    assert response.status_code == 200, response.content
    moved = Organisation.objects.get(slug=AGENTUR_CHEMNITZ)
    assert (moved.postcode, moved.region.code) == ("09111", "14511")
    assert (str(moved.latitude), str(moved.longitude)) == ("50.83510", "12.92220")


def test_a_coordinator_changes_members_of_their_network_only(coordinator):
    client = api_client(coordinator)

    member = client.patch(
        f"{API}/organisations/{IHK_CHEMNITZ}/", {"website": "https://www.ihk.de/chemnitz"},
        format="json",
    )  # fmt: skip
    outsider = client.patch(
        f"{API}/organisations/{STAATSKANZLEI}/", {"website": "https://stk.sachsen-anhalt.de"},
        format="json",
    )  # fmt: skip

    assert member.status_code == 200, member.content
    assert outsider.status_code == 403
    assert Organisation.objects.get(slug=STAATSKANZLEI).website == ""


INVALID_ORGANISATIONS = [
    pytest.param({"kind": "bakery"}, "kind", id="unknown-kind"),
    pytest.param({"postcode": "0911"}, "postcode", id="four-digit-postcode"),
    pytest.param({"postcode": "00000"}, "postcode", id="unknown-postcode"),
    pytest.param({"size_class": "small"}, "size_class", id="size-class-of-a-non-company"),
    pytest.param({"sector_wz2008": "28"}, "sector_wz2008", id="sector-of-a-non-company"),
    pytest.param({"is_sme": True}, "is_sme", id="sme-flag-of-a-non-company"),
    pytest.param({"name": ""}, "name", id="empty-name"),
    pytest.param({"slug": STADT_CHEMNITZ}, "slug", id="taken-slug"),
    pytest.param({"parent": "no-such-organisation"}, "parent", id="unknown-parent"),
]


@pytest.mark.parametrize(("change", "field"), INVALID_ORGANISATIONS)
def test_an_invalid_organisation_is_refused_naming_the_field(coordinator, change, field):
    organisations, entries = Organisation.objects.count(), AuditEntry.objects.count()

    response = api_client(coordinator).post(
        f"{API}/organisations/", new_organisation(**change), format="json"
    )

    assert response.status_code == 400, response.content
    assert field in response.json(), response.json()
    assert Organisation.objects.count() == organisations
    assert AuditEntry.objects.count() == entries


@pytest.mark.parametrize(
    ("slug", "change", "field"),
    [
        (AGENTUR_CHEMNITZ, {"postcode": "00000"}, "postcode"),
        (AGENTUR_CHEMNITZ, {"size_class": "medium"}, "size_class"),
        (BMW_LEIPZIG, {"kind": "other"}, "size_class"),
        (BMW_LEIPZIG, {"size_class": "tiny"}, "size_class"),
    ],
)
def test_an_invalid_change_is_refused_and_changes_nothing(admin_user, slug, change, field):
    before = Organisation.objects.get(slug=slug)
    entries = AuditEntry.objects.count()

    response = api_client(admin_user).patch(f"{API}/organisations/{slug}/", change, format="json")

    assert response.status_code == 400, response.content
    assert field in response.json(), response.json()
    after = Organisation.objects.get(slug=slug)
    assert [getattr(after, name) for name in ("kind", "postcode", "region_id", "size_class")] == [
        getattr(before, name) for name in ("kind", "postcode", "region_id", "size_class")
    ]
    assert AuditEntry.objects.count() == entries


def test_who_may_not_write_learns_nothing_about_the_payload(adviser, other_adviser):
    """Permission comes before validation: a 403, not a list of what was wrong."""
    organisations = Organisation.objects.count()

    post = api_client(adviser).post(
        f"{API}/organisations/", new_organisation(slug=STADT_CHEMNITZ), format="json"
    )
    patch = api_client(other_adviser).patch(
        f"{API}/organisations/{AGENTUR_CHEMNITZ}/", {"postcode": "0911"}, format="json"
    )

    assert post.status_code == 403
    assert patch.status_code == 403
    assert "slug" not in post.json() and "postcode" not in patch.json()
    assert Organisation.objects.count() == organisations


# --- Drafts ---------------------------------------------------------------------------


@pytest.fixture
def draft(chemnitz: Network) -> Network:
    chemnitz.is_published = False
    chemnitz.save(update_fields=["is_published"])
    return chemnitz


@pytest.mark.parametrize(
    ("role", "sees_it"),
    [
        ("anonymous", False),
        ("talent", False),
        ("company", False),
        ("other_adviser", False),
        ("adviser", False),  # a member's adviser, but not its coordinator
        ("coordinator", True),
        ("administrator", True),
    ],
)
def test_a_draft_network_is_visible_only_to_its_coordinators(users, draft, role, sees_it):
    client = api_client(users[role])

    detail = client.get(f"{API}/networks/{CHEMNITZ}/")
    concept = client.get(f"{API}/networks/{CHEMNITZ}/action-concept/")
    listed = {n["slug"] for n in all_pages(client, f"{API}/networks/")}
    fields = client.get(f"{API}/action-fields/?network={CHEMNITZ}").json()
    members = client.get(f"{API}/organisations/?network={CHEMNITZ}")

    if sees_it:
        assert (detail.status_code, concept.status_code) == (200, 200)
        assert CHEMNITZ in listed
        assert fields["count"] == 4
        assert members.status_code == 200
        assert members.json()["count"] == draft.memberships.count()
    else:
        assert (detail.status_code, concept.status_code) == (404, 404)
        assert CHEMNITZ not in listed
        assert fields["count"] == 0
        field_id = ActionField.objects.get(network=draft, number=1).pk
        assert client.get(f"{API}/action-fields/{field_id}/").status_code == 404
        # An unknown network and a draft one are refused alike: no hint that it exists.
        unknown = client.get(f"{API}/organisations/?network=no-such-alliance")
        assert members.status_code == unknown.status_code == 400
        assert "network" in members.json()


# --- Who may do what --------------------------------------------------------------------

ROLES = [
    "anonymous",
    "talent",
    "company",
    "adviser",
    "other_adviser",
    "coordinator",
    "administrator",
]


def everyone(status: int) -> dict[str, int]:
    return dict.fromkeys(ROLES, status)


def signed_in(status: int) -> dict[str, int]:
    return {**everyone(status), "anonymous": 401}


def staff(status: int, **exceptions: int) -> dict[str, int]:
    """Partner staff get ``status``; the others are turned away before anything happens."""
    return {
        **everyone(status), "anonymous": 401, "talent": 403, "company": 403, **exceptions,
    }  # fmt: skip


AGENTUR_URL = f"{API}/organisations/{AGENTUR_CHEMNITZ}/"
STAATSKANZLEI_URL = f"{API}/organisations/{STAATSKANZLEI}/"
BMW_URL = f"{API}/organisations/{BMW_LEIPZIG}/"

MATRIX: list[tuple[str, str, dict[str, int]]] = [
    ("get", f"{API}/", everyone(200)),
    ("get", f"{API}/networks/", everyone(200)),
    ("get", f"{API}/networks/{CHEMNITZ}/", everyone(200)),
    ("get", f"{API}/networks/{CHEMNITZ}/action-concept/", everyone(200)),
    ("get", f"{API}/action-fields/", everyone(200)),
    ("get", f"{API}/organisations/", everyone(200)),
    ("get", AGENTUR_URL, everyone(200)),
    ("get", f"{API}/schema/", everyone(200)),
    ("get", f"{API}/me/", signed_in(200)),
    ("post", f"{API}/me/", signed_in(405)),
    ("post", f"{API}/networks/", staff(405)),
    ("patch", f"{API}/networks/{CHEMNITZ}/", staff(405)),
    ("delete", f"{API}/networks/{CHEMNITZ}/", staff(405)),
    ("post", f"{API}/organisations/", staff(201, adviser=403, other_adviser=403)),
    ("patch", AGENTUR_URL, staff(200, other_adviser=403)),
    ("put", AGENTUR_URL, staff(200, other_adviser=403)),
    ("patch", STAATSKANZLEI_URL, staff(200, adviser=403, coordinator=403)),
    ("patch", BMW_URL, staff(403, administrator=200)),
    ("delete", AGENTUR_URL, staff(405)),
]

PAYLOADS = {
    "post": new_organisation(),
    "patch": {"description": "Stand: 2026."},
    "put": {
        "slug": AGENTUR_CHEMNITZ,
        "name": "Agentur für Arbeit Chemnitz",
        "kind": "employment_agency",
        "postcode": "09120",
        "street": "Heinrich-Lorenz-Straße 20",
    },
}


@pytest.mark.parametrize(
    ("method", "role", "url", "expected"),
    [
        pytest.param(method, role, url, expected, id=f"{method.upper()} {url} as {role}")
        for method, url, by_role in MATRIX
        for role, expected in by_role.items()
    ],
)
def test_permission_matrix(users, method, role, url, expected):
    client = api_client(users[role])
    entries = AuditEntry.objects.count()

    response = getattr(client, method)(url, PAYLOADS.get(method), format="json")

    assert response.status_code == expected, response.content[:500]
    if expected == 401:
        assert response["WWW-Authenticate"] == "Token"
    if method != "get":
        written = 200 <= expected < 300
        assert AuditEntry.objects.count() == entries + int(written)


def test_the_matrix_covers_every_role_and_endpoint(users):
    assert set(users) == set(ROLES)
    routes = {url.removeprefix(API) for _method, url, _by_role in MATRIX}
    assert {"/", "/me/", "/networks/", "/action-fields/", "/organisations/"} <= routes
    assert all(set(by_role) == set(ROLES) for _method, _url, by_role in MATRIX)


# --- Query counts -------------------------------------------------------------------------


def _queries(client: APIClient, url: str) -> tuple[int, int]:
    with CaptureQueriesContext(connection) as queries:
        response = client.get(url)
    assert response.status_code == 200, response.content[:300]
    return len(queries), len(response.json()["results"])


@pytest.mark.parametrize("role", ["anonymous", "coordinator"])
@pytest.mark.parametrize(
    "url",
    [
        f"{API}/networks/?",
        f"{API}/networks/?region=14&",
        f"{API}/organisations/?",
        f"{API}/organisations/?network={CHEMNITZ}&region=14&",
        f"{API}/action-fields/?",
        f"{API}/action-fields/?q=Ausbildung&",
    ],
)
def test_list_queries_do_not_grow_with_the_number_of_rows(users, role, url):
    client = api_client(users[role])
    client.get(f"{url}page_size=1")  # the session and user are loaded alike on every request

    few_queries, few_rows = _queries(client, f"{url}page_size=1")
    many_queries, many_rows = _queries(client, f"{url}page_size=20")

    assert many_rows > few_rows
    assert many_queries == few_queries, (
        f"{few_rows} rows: {few_queries}, {many_rows}: {many_queries}"
    )


def test_detail_queries_do_not_grow_with_memberships_and_action_fields(
    django_assert_max_num_queries,
):
    client = api_client()
    with CaptureQueriesContext(connection) as big_network:
        assert client.get(f"{API}/networks/{CHEMNITZ}/").status_code == 200
    with CaptureQueriesContext(connection) as small_network:
        assert client.get(f"{API}/networks/switch-aachen/").status_code == 200
    assert len(big_network) == len(small_network)

    with django_assert_max_num_queries(8):
        assert client.get(f"{API}/networks/{CHEMNITZ}/action-concept/").status_code == 200
    with django_assert_max_num_queries(8):
        assert client.get(f"{API}/networks/{PACT}/action-concept/").status_code == 200


# --- Who am I --------------------------------------------------------------------------


def test_me_tells_the_signed_in_user_their_role_and_organisation(coordinator, talent):
    cora = api_client(coordinator).get(f"{API}/me/")
    tom = api_client(talent).get(f"{API}/me/")

    assert cora.status_code == tom.status_code == 200
    assert cora.json() == {
        "username": "cora",
        "role": "coordinator",
        "organisation": STADT_CHEMNITZ,
        "coordinated_networks": [CHEMNITZ],
    }
    assert tom.json() == {
        "username": "tom",
        "role": "talent",
        "organisation": None,
        "coordinated_networks": [],
    }


def test_me_is_401_for_a_visitor():
    response = api_client().get(f"{API}/me/")

    assert response.status_code == 401
    assert response["WWW-Authenticate"] == "Token"
