"""Permission rules of the network app (registered in ``apps.ready``)."""

from typing import Any

from lotse.core.permissions import Role, coordinates, has_role, is_administrator, rule


@rule("network.add_network")
def can_add_network(user: Any, obj: Any) -> bool:
    return is_administrator(user)


@rule("network.change_network")
def can_change_network(user: Any, network: Any) -> bool:
    return network is not None and coordinates(user, network.pk)


@rule("network.add_organisation")
def can_add_organisation(user: Any, obj: Any) -> bool:
    return has_role(user, Role.COORDINATOR)


@rule("network.change_organisation")
def can_change_organisation(user: Any, organisation: Any) -> bool:
    """Administrators; the organisation's own staff; coordinators of *all* its networks.

    An organisation that also belongs to a network the coordinator does not
    coordinate is shared: adding it to one's own network must not hand over
    its data, so only its own staff and administrators change it.
    """
    if organisation is None or organisation.pk is None:
        return False
    if is_administrator(user):
        return True
    if has_role(user, Role.ADVISER, Role.COORDINATOR) and user.organisation_id == organisation.pk:
        return True
    if not has_role(user, Role.COORDINATOR):
        return False
    network_ids = set(organisation.memberships.values_list("network_id", flat=True))
    return bool(network_ids) and network_ids <= user.coordinated_network_ids()


@rule("network.change_contactpoint")
def can_change_contact_point(user: Any, contact_point: Any) -> bool:
    """Contact points belong to their organisation: whoever may change it."""
    organisation = getattr(contact_point, "organisation", None)
    return can_change_organisation(user, organisation)


@rule("network.change_parent")
def can_change_parent(user: Any, organisation: Any) -> bool:
    """Who runs or funds an organisation, and its stable key, are network structure."""
    return has_role(user, Role.COORDINATOR) and can_change_organisation(user, organisation)
