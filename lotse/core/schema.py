"""The OpenAPI description of the JSON API (``make openapi`` writes docs/openapi.yaml)."""

from typing import Any

from drf_spectacular.openapi import AutoSchema as SpectacularAutoSchema
from rest_framework import permissions

from lotse.core.api import ReadOnlyOrStaffWrites


class AutoSchema(SpectacularAutoSchema):
    """Public reads say that they need no credentials.

    drf-spectacular knows only its own permission classes for that, so a read under
    ``ReadOnlyOrStaffWrites`` (or a subclass) would list credentials as required.
    """

    def get_auth(self) -> list[dict[str, Any]]:
        auth = super().get_auth()
        public = any(isinstance(p, ReadOnlyOrStaffWrites) for p in self.view.get_permissions())
        if public and self.method in permissions.SAFE_METHODS and {} not in auth:
            auth.append({})
        return auth
