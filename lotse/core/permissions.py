"""Roles and permission rules shared by every app.

The kernel knows the roles but no domain model: apps register named rules
(``network.change_organisation``) in their ``rules.py`` and every view, API
endpoint and service asks :func:`can` or :func:`require`, so a rule is written
once. Users are read through a small protocol (``role``, ``organisation_id``,
``network_ids()``, ``coordinated_network_ids()``) that the accounts app fulfils.
"""

from collections.abc import Callable
from typing import Any, Protocol

from django.core.exceptions import PermissionDenied
from django.db import models
from django.utils.translation import gettext_lazy as _


class Role(models.TextChoices):
    ADMINISTRATOR = "administrator", _("Administrator")
    COORDINATOR = "coordinator", _("Network coordinator")
    ADVISER = "adviser", _("Adviser of a partner organisation")
    COMPANY = "company", _("Company user")
    TALENT = "talent", _("Talent")


STAFF_ROLES = frozenset({Role.ADMINISTRATOR, Role.COORDINATOR, Role.ADVISER})


class LotseUser(Protocol):
    is_authenticated: bool
    role: str
    organisation_id: int | None

    def network_ids(self) -> frozenset[int]: ...

    def coordinated_network_ids(self) -> frozenset[int]: ...


Rule = Callable[[Any, Any], bool]
_rules: dict[str, Rule] = {}


def rule(name: str) -> Callable[[Rule], Rule]:
    """Register a permission rule under ``<app>.<verb>_<model>``."""

    def register(function: Rule) -> Rule:
        if name in _rules:
            raise ValueError(f"permission rule {name!r} is registered twice")
        _rules[name] = function
        return function

    return register


def role_of(user: Any) -> str | None:
    if user is None or not getattr(user, "is_authenticated", False) or not user.is_active:
        return None
    return user.role


def is_administrator(user: Any) -> bool:
    if role_of(user) is None:
        return False
    return user.role == Role.ADMINISTRATOR or bool(getattr(user, "is_superuser", False))


def has_role(user: Any, *roles: str) -> bool:
    return is_administrator(user) or role_of(user) in roles


def is_partner_staff(user: Any) -> bool:
    """Staff of a partner organisation: adviser, coordinator or administrator."""
    return has_role(user, *STAFF_ROLES)


def coordinates(user: Any, network_id: int | None) -> bool:
    if is_administrator(user):
        return True
    if network_id is None or role_of(user) != Role.COORDINATOR:
        return False
    return network_id in user.coordinated_network_ids()


def can(user: Any, permission: str, obj: Any = None) -> bool:
    try:
        check = _rules[permission]
    except KeyError:
        raise LookupError(f"no permission rule named {permission!r}") from None
    return bool(check(user, obj))


def require(user: Any, permission: str, obj: Any = None) -> None:
    """Raise ``PermissionDenied`` unless ``user`` may do ``permission`` on ``obj``."""
    if not can(user, permission, obj):
        raise PermissionDenied(permission)


def registered_rules() -> list[str]:
    return sorted(_rules)
