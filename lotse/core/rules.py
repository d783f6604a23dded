"""Permission rules of the kernel."""

from typing import Any

from lotse.core.permissions import Role, has_role, rule


@rule("core.view_auditentry")
def can_view_audit_log(user: Any, obj: Any) -> bool:
    return has_role(user, Role.COORDINATOR)
