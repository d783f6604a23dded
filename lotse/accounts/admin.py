from typing import Any

from django.contrib import admin
from django.contrib.auth.admin import UserAdmin
from django.http import HttpRequest, HttpResponse
from django.utils.translation import gettext_lazy as _
from rest_framework.authtoken.models import TokenProxy

from lotse.accounts.models import User
from lotse.core.audit import record
from lotse.core.permissions import is_administrator


@admin.register(User)
class LotseUserAdmin(UserAdmin):
    """Accounts are managed by administrators only."""

    list_display = ["username", "role", "organisation", "is_active", "is_demo"]
    list_filter = ["role", "is_active", "is_demo"]
    autocomplete_fields = ["organisation"]
    filter_horizontal = ["coordinated_networks", "groups", "user_permissions"]
    fieldsets = [
        *(UserAdmin.fieldsets or ()),
        (_("Lotse"), {"fields": ["role", "organisation", "coordinated_networks"]}),
    ]

    def has_module_permission(self, request: HttpRequest) -> bool:
        return is_administrator(request.user)

    def has_view_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return is_administrator(request.user)

    has_add_permission = has_module_permission  # type: ignore[assignment]

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return is_administrator(request.user)

    has_delete_permission = has_change_permission

    def save_model(self, request: HttpRequest, obj: Any, form: Any, change: bool) -> None:
        """Role, organisation and rights of a person are audited (passwords masked)."""
        super().save_model(request, obj, form, change)
        changed = {name: str(form.cleaned_data.get(name)) for name in form.changed_data}
        record(f"accounts.user.{'updated' if change else 'created'}", obj, request.user, changed)

    def delete_model(self, request: HttpRequest, obj: Any) -> None:
        record("accounts.user.deleted", obj, request.user)
        super().delete_model(request, obj)

    def change_view(
        self, request: HttpRequest, object_id: str, form_url: str = "", extra_context: Any = None
    ) -> HttpResponse:
        """Opening a person's account is access to personal data: it is logged."""
        response = super().change_view(request, object_id, form_url, extra_context)
        if request.method == "GET" and response.status_code == 200:
            viewed = self.get_object(request, object_id)
            if viewed is not None:
                record("accounts.user.viewed", viewed, request.user)
        return response


# API token keys are secrets: nobody browses them; users replace their own.
admin.site.unregister(TokenProxy)
