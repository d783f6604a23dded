"""Permission rules of the occupations app.

The reference data and coding one title are public. Coding a whole file is
work for partner staff: it keeps a server core busy for seconds.
"""

from typing import Any

from lotse.core.permissions import is_partner_staff, rule


@rule("occupations.code_in_bulk")
def can_code_in_bulk(user: Any, obj: Any) -> bool:
    """Advisers, coordinators and administrators upload files of titles to code."""
    return is_partner_staff(user)
