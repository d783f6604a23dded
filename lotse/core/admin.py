"""Admin pieces shared by every app: access by Lotse's roles, changes audited."""

from typing import Any

from django.contrib import admin
from django.core.exceptions import PermissionDenied
from django.db import models
from django.db.models import QuerySet
from django.http import HttpRequest

from lotse.core.audit import record
from lotse.core.models import AuditEntry
from lotse.core.permissions import Role, can, coordinates, has_role, is_administrator


def _visible(queryset: QuerySet, request: HttpRequest) -> QuerySet:
    visible_to = getattr(queryset, "visible_to", None)
    return visible_to(request.user) if callable(visible_to) else queryset


def _record_change(
    request: HttpRequest, obj: models.Model, verb: str, changed: dict[str, Any] | None = None
) -> None:
    data = {"changes": {name: str(value) for name, value in changed.items()}} if changed else {}
    record(f"{obj._meta.app_label}.{obj._meta.model_name}.{verb}", obj, request.user, data)


class RoleScopedAdmin(admin.ModelAdmin):
    """A model admin whose access follows Lotse's roles instead of per-model permissions.

    Administrators may do everything. Coordinators see what ``visible_to``
    gives them and change objects of the networks they coordinate (or what
    ``change_rule`` allows); a new object must pass the same check. Every save
    and delete, inline ones included, is written to the audit log.
    """

    change_rule: str | None = None
    add_rule: str | None = None
    coordinators_may_add = True

    def get_queryset(self, request: HttpRequest) -> QuerySet:
        return _visible(super().get_queryset(request), request)

    def has_module_permission(self, request: HttpRequest) -> bool:
        return bool(request.user.is_staff) and has_role(request.user, Role.COORDINATOR)

    def has_view_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return self.has_module_permission(request)

    def has_add_permission(self, request: HttpRequest) -> bool:
        if is_administrator(request.user):
            return True
        if self.add_rule:
            return self.has_module_permission(request) and can(request.user, self.add_rule)
        return self.coordinators_may_add and self.has_module_permission(request)

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        if not self.has_module_permission(request):
            return False
        if obj is None or is_administrator(request.user):
            return True
        if self.change_rule:
            return can(request.user, self.change_rule, obj)
        return any(coordinates(request.user, network_id) for network_id in obj.audit_network_ids())

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        if obj is None:
            return is_administrator(request.user)
        return self.has_change_permission(request, obj)

    def formfield_for_foreignkey(self, db_field: Any, request: HttpRequest, **kwargs: Any) -> Any:
        """A coordinator can only attach things to the networks they coordinate."""
        if db_field.name == "network" and not is_administrator(request.user):
            kwargs["queryset"] = db_field.related_model.objects.filter(
                pk__in=request.user.coordinated_network_ids()  # type: ignore[union-attr]
            )
        return super().formfield_for_foreignkey(db_field, request, **kwargs)

    def save_model(self, request: HttpRequest, obj: models.Model, form: Any, change: bool) -> None:
        if not change:
            allowed = (
                can(request.user, self.add_rule)
                if self.add_rule
                else self.has_change_permission(request, obj)
            )
            if not allowed:
                raise PermissionDenied  # a crafted POST past the limited choices
        super().save_model(request, obj, form, change)
        changed = {name: form.cleaned_data.get(name) for name in form.changed_data}
        _record_change(request, obj, "updated" if change else "created", changed)

    def save_formset(self, request: HttpRequest, form: Any, formset: Any, change: bool) -> None:
        """Inline rows are audited one by one, like the object they belong to."""
        instances = formset.save(commit=False)
        for obj in formset.deleted_objects:
            _record_change(request, obj, "deleted")
            obj.delete()
        changed_by_form = {id(inline.instance): inline.changed_data for inline in formset.forms}
        for obj in instances:
            verb = "created" if obj._state.adding else "updated"
            obj.save()
            fields = changed_by_form.get(id(obj), [])
            _record_change(request, obj, verb, {name: getattr(obj, name, "") for name in fields})
        formset.save_m2m()

    def delete_model(self, request: HttpRequest, obj: models.Model) -> None:
        _record_change(request, obj, "deleted")
        super().delete_model(request, obj)

    def delete_queryset(self, request: HttpRequest, queryset: QuerySet) -> None:
        for obj in queryset:
            _record_change(request, obj, "deleted")
        super().delete_queryset(request, queryset)


class RoleScopedInline:
    """Inlines show only what the user may see and follow the parent's permissions."""

    admin_site: admin.AdminSite
    parent_model: type[models.Model]

    def get_queryset(self, request: HttpRequest) -> QuerySet:
        return _visible(super().get_queryset(request), request)  # type: ignore[misc]

    def _parent_allows(self, request: HttpRequest, obj: Any) -> bool:
        parent_admin = self.admin_site._registry[self.parent_model]
        return bool(parent_admin.has_change_permission(request, obj))

    def has_view_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return bool(request.user.is_staff) and has_role(request.user, Role.COORDINATOR)

    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return self._parent_allows(request, obj)

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return self._parent_allows(request, obj)

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return self._parent_allows(request, obj)


@admin.register(AuditEntry)
class AuditEntryAdmin(RoleScopedAdmin):
    list_display = ["created_at", "action", "actor_label", "object_label"]
    list_filter = ["action"]
    search_fields = ["action", "object_label", "actor_label"]
    readonly_fields = [field.name for field in AuditEntry._meta.fields]

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False
