"""The audit log: services call :func:`record` for every change and for every
read of personal data, so that actions from the shell or a task are logged too.
"""

import re
from collections.abc import Iterable, Mapping
from typing import Any

from django.contrib.contenttypes.models import ContentType
from django.db import models

from lotse.core.models import AuditEntry, AuditScope

ACTION_PATTERN = re.compile(r"^[a-z][a-z_]*\.[a-z][a-z_]*\.[a-z][a-z_]*$")
SECRET_KEY_PATTERN = re.compile(r"pass(word)?|secret|token|api[_-]?key|credential|iban", re.I)
MASK = "********"


def mask_secrets(data: Any) -> Any:
    """Replace the values of secret-looking keys, at any depth."""
    if isinstance(data, Mapping):
        return {
            str(key): MASK if SECRET_KEY_PATTERN.search(str(key)) else mask_secrets(value)
            for key, value in data.items()
        }
    if isinstance(data, list | tuple):
        return [mask_secrets(item) for item in data]
    if isinstance(data, str | int | float | bool) or data is None:
        return data
    return str(data)


def _network_ids_of(obj: Any) -> set[int]:
    """Models say which networks they belong to through ``audit_network_ids()``."""
    method = getattr(obj, "audit_network_ids", None)
    return set(method()) if callable(method) else set()


def record(
    action: str,
    obj: models.Model | None = None,
    actor: Any = None,
    data: Mapping[str, Any] | None = None,
    *,
    network_ids: Iterable[int] = (),
) -> AuditEntry:
    """Write one audit entry.

    ``action`` is namespaced ``<app>.<model>.<past-tense verb>``, e.g.
    ``network.organisation.updated``. Values under secret-looking keys are masked.
    """
    if not ACTION_PATTERN.match(action):
        raise ValueError(f"audit action {action!r} is not of the form app.model.verb")
    if actor is not None and not getattr(actor, "is_authenticated", False):
        actor = None
    entry = AuditEntry.objects.create(
        action=action,
        actor=actor,
        actor_label=str(actor) if actor is not None else "",
        content_type=ContentType.objects.get_for_model(obj) if obj is not None else None,
        object_id=str(obj.pk) if obj is not None else "",
        object_label=str(obj)[:300] if obj is not None else "",
        data=mask_secrets(dict(data or {})),
    )
    scopes = set(network_ids) | (_network_ids_of(obj) if obj is not None else set())
    AuditScope.objects.bulk_create(
        [AuditScope(entry=entry, network_id=network_id) for network_id in sorted(scopes)]
    )
    return entry
