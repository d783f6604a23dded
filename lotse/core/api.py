"""Base pieces of the JSON API under /api/v1/ that every app's ``api.py`` uses."""

from typing import Any

from rest_framework import pagination, permissions
from rest_framework.request import Request

from lotse.core.permissions import is_partner_staff


class PageNumberPagination(pagination.PageNumberPagination):
    page_size_query_param = "page_size"
    max_page_size = 500


class ReadOnlyOrStaffWrites(permissions.BasePermission):
    """Anyone may read public resources; only partner staff may attempt writes.

    Whether a write is really allowed on a given object is decided by the
    app's service through ``core.permissions.require``.
    """

    def has_permission(self, request: Request, view: Any) -> bool:
        if request.method in permissions.SAFE_METHODS:
            return True
        return is_partner_staff(request.user)
