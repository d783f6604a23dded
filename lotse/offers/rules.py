"""Permission rules of the offer compass.

An offer speaks in its provider's name, so whoever offers for a provider must be
allowed to speak for it: exactly those who may change the organisation
(``network.change_organisation``): administrators, the organisation's own staff,
and coordinators of *all* the networks it belongs to.
"""

from typing import Any

from django.db.models import Q, QuerySet

from lotse.core.permissions import Role, can, has_role, is_administrator, rule
from lotse.network.models import Organisation


@rule("offers.offer_for_provider")
def can_offer_for_provider(user: Any, organisation: Any) -> bool:
    """May ``user`` add, import or change offers in the name of ``organisation``?"""
    return can(user, "network.change_organisation", organisation)


@rule("offers.add_offer")
def can_add_offer(user: Any, provider: Any) -> bool:
    """Without a provider: may add offers at all; with one: may add offers for it."""
    if provider is None:
        return has_role(user, Role.COORDINATOR, Role.ADVISER)
    return can_offer_for_provider(user, provider)


@rule("offers.change_offer")
def can_change_offer(user: Any, offer: Any) -> bool:
    """Whoever may offer for the provider keeps its offers current."""
    if offer is None:
        return False
    return can_offer_for_provider(user, offer.provider)


@rule("offers.import_offers")
def can_import_offers(user: Any, obj: Any) -> bool:
    """Coordinators import files; each row is then checked against its provider."""
    return has_role(user, Role.COORDINATOR)


def providers_for(user: Any) -> QuerySet[Organisation]:
    """The organisations ``user`` may offer for: the choices of an offer form.

    The database narrows the candidates (one's own organisation, members of the
    networks one coordinates); :func:`can_offer_for_provider` decides, so the
    choices never differ from the rule the services apply.
    """
    organisations = Organisation.objects.order_by("name")
    if is_administrator(user):
        return organisations
    if not has_role(user, Role.COORDINATOR, Role.ADVISER):
        return organisations.none()
    candidates = Q(pk=user.organisation_id)
    if has_role(user, Role.COORDINATOR):
        candidates |= Q(memberships__network__in=user.coordinated_network_ids())
    allowed = [
        organisation.pk
        for organisation in organisations.filter(candidates).distinct()
        if can_offer_for_provider(user, organisation)
    ]
    return organisations.filter(pk__in=allowed)
