"""Roles and named rules: one place decides who may do what."""

import pytest
from django.core.exceptions import PermissionDenied

from lotse.core.permissions import can, coordinates, registered_rules, require, rule

pytestmark = pytest.mark.django_db


def test_a_rule_name_is_registered_once():
    with pytest.raises(ValueError, match="registered twice"):
        rule("network.change_organisation")(lambda user, obj: True)


def test_asking_for_an_unknown_rule_is_a_programming_error(adviser):
    with pytest.raises(LookupError):
        can(adviser, "network.fly_to_the_moon")


def test_require_raises_permission_denied(talent, chemnitz):
    with pytest.raises(PermissionDenied):
        require(talent, "network.change_network", chemnitz)


def test_coordinator_coordinates_only_their_own_network(coordinator, chemnitz):
    assert coordinates(coordinator, chemnitz.pk)
    assert not coordinates(coordinator, chemnitz.pk + 1000)


def test_an_inactive_administrator_has_no_rights(admin_user, chemnitz):
    assert admin_user.is_superuser
    admin_user.is_active = False
    assert not can(admin_user, "network.change_network", chemnitz)


@pytest.mark.parametrize(
    ("role", "organisation_slug", "allowed"),
    [
        ("administrator", "bmas", True),
        ("coordinator", "agentur-fuer-arbeit-chemnitz", True),  # member of the coordinated network
        ("coordinator", "pfiff-fachkraefteportal", False),  # not in Chemnitz
        ("adviser", "agentur-fuer-arbeit-chemnitz", True),  # own organisation
        ("adviser", "stadt-chemnitz", False),
        ("other_adviser", "agentur-fuer-arbeit-chemnitz", False),
        ("company", "bmw-group-werk-leipzig", False),
        ("talent", "agentur-fuer-arbeit-chemnitz", False),
        ("anonymous", "agentur-fuer-arbeit-chemnitz", False),
    ],
)
def test_who_may_change_an_organisation(users, role, organisation_slug, allowed):
    from lotse.network.models import Organisation

    organisation = Organisation.objects.get(slug=organisation_slug)
    assert can(users[role], "network.change_organisation", organisation) is allowed


def test_every_app_registers_its_rules():
    assert {"core.view_auditentry", "network.change_organisation"} <= set(registered_rules())
