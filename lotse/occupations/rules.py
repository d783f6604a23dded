"""Permission rules of the occupations app.

The reference data and coding one title are public. Coding a whole file is
work for partner staff: it keeps a server core busy for seconds.
"""

from typing import Any

from lotse.core.permissions import is_administrator, is_partner_staff, rule


@rule("occupations.code_in_bulk")
def can_code_in_bulk(user: Any, obj: Any) -> bool:
    """Advisers, coordinators and administrators upload files of titles to code."""
    return is_partner_staff(user)


@rule("occupations.forget_checked_title")
def can_forget_checked_title(user: Any, checked: Any) -> bool:
    """Its organisation's staff, a coordinator of its networks or an administrator.

    A code chosen by hand counts for every partner, so a wrong one must be easy to
    withdraw, but not by any partner: only by those answerable for it.
    """
    if not is_partner_staff(user) or checked is None:
        return False
    if is_administrator(user) or checked.organisation_id == user.organisation_id:
        return True
    return not user.coordinated_network_ids().isdisjoint(checked.audit_network_ids())
