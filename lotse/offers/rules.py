"""Permission rules of the offer compass."""

from typing import Any

from lotse.core.permissions import Role, has_role, is_administrator, rule


@rule("offers.add_offer")
def can_add_offer(user: Any, obj: Any) -> bool:
    return has_role(user, Role.COORDINATOR, Role.ADVISER)


@rule("offers.change_offer")
def can_change_offer(user: Any, offer: Any) -> bool:
    """Administrators, and staff of the providing organisation, keep an offer current."""
    if offer is None:
        return False
    if is_administrator(user):
        return True
    return has_role(user, Role.COORDINATOR, Role.ADVISER) and (
        user.organisation_id == offer.provider_id
    )


@rule("offers.import_offers")
def can_import_offers(user: Any, obj: Any) -> bool:
    return has_role(user, Role.COORDINATOR)
