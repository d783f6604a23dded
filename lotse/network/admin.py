from typing import Any

from django import forms
from django.contrib import admin
from django.core.exceptions import ValidationError
from django.db.models import Q, QuerySet
from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _

from lotse.core.admin import RoleScopedAdmin, RoleScopedInline
from lotse.core.permissions import can, is_administrator
from lotse.network.models import (
    ActionField,
    Approach,
    Challenge,
    ContactPoint,
    Goal,
    KeyFigure,
    Membership,
    Network,
    Organisation,
    PostalCode,
    Principle,
    Region,
)
from lotse.network.services import place_organisation


class VisibleNetworkFilter(admin.SimpleListFilter):
    """Filter by network, offering only the networks the user may see."""

    title = _("network")
    parameter_name = "network"

    def lookups(self, request: HttpRequest, model_admin: Any) -> list[tuple[str, str]]:
        return [(str(n.pk), n.name) for n in Network.objects.visible_to(request.user).only("name")]

    def queryset(self, request: HttpRequest, queryset: QuerySet) -> QuerySet:
        return queryset.filter(network=self.value()) if self.value() else queryset


class OrganisationAdminForm(forms.ModelForm):
    """Places the organisation by its postcode, so a wrong postcode is a form error."""

    website = forms.URLField(
        label=_("website"), required=False, max_length=200, assume_scheme="https"
    )

    class Meta:
        model = Organisation
        fields = [
            "name", "short_name", "slug", "kind", "description", "website", "parent",
            "street", "postcode", "city", "sector_wz2008", "size_class", "is_sme",
        ]  # fmt: skip

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        if "postcode" in self.changed_data and not self.errors:
            self.instance.postcode = cleaned.get("postcode", "")
            try:
                place_organisation(self.instance)
            except ValidationError as error:
                self.add_error("postcode", error.message_dict["postcode"])
        return cleaned


class ReferenceDataAdmin(RoleScopedAdmin):
    """Regions and postcodes are reference data: coordinators read, administrators change."""

    coordinators_may_add = False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return is_administrator(request.user)


@admin.register(Region)
class RegionAdmin(ReferenceDataAdmin):
    list_display = ["code", "name", "level", "parent"]
    list_select_related = ["parent"]
    list_filter = ["level"]
    search_fields = ["code", "name"]


@admin.register(PostalCode)
class PostalCodeAdmin(ReferenceDataAdmin):
    list_display = ["code", "place", "region"]
    search_fields = ["code", "place"]
    list_select_related = ["region"]
    raw_id_fields = ["region"]


class ContactPointInline(RoleScopedInline, admin.TabularInline):
    model = ContactPoint
    extra = 0
    fields = ["function", "email", "phone", "visibility"]


class MembershipInline(RoleScopedInline, admin.TabularInline):
    model = Membership
    extra = 0
    autocomplete_fields = ["organisation"]
    fields = ["organisation", "role", "responsibilities"]


@admin.register(Organisation)
class OrganisationAdmin(RoleScopedAdmin):
    form = OrganisationAdminForm
    change_rule = "network.change_organisation"
    add_rule = "network.add_organisation"
    list_display = ["name", "kind", "city", "region"]
    list_select_related = ["region"]
    list_filter = ["kind", "region__parent"]
    search_fields = ["name", "short_name", "city"]
    prepopulated_fields = {"slug": ["name"]}
    autocomplete_fields = ["parent"]
    readonly_fields = ["region", "latitude", "longitude"]
    inlines = [ContactPointInline]
    fieldsets = [
        (
            None,
            {"fields": ["name", "short_name", "slug", "kind", "description", "website", "parent"]},
        ),
        (
            _("Address"),
            {"fields": ["street", "postcode", "city", "region", "latitude", "longitude"]},
        ),
        (_("Company"), {"fields": ["sector_wz2008", "size_class", "is_sme"]}),
    ]

    def get_readonly_fields(self, request: HttpRequest, obj: Any = None) -> list[str]:
        """Who runs an organisation and its key are structure: coordinators and up."""
        fields = list(super().get_readonly_fields(request, obj))
        if obj is not None and not can(request.user, "network.change_parent", obj):
            fields += ["slug", "parent"]
        return fields


class ChallengeInline(RoleScopedInline, admin.TabularInline):
    model = Challenge
    extra = 0


class PrincipleInline(RoleScopedInline, admin.TabularInline):
    model = Principle
    extra = 0


class ActionFieldInline(RoleScopedInline, admin.TabularInline):
    model = ActionField
    extra = 0
    fields = ["number", "title"]
    show_change_link = True


class KeyFigureInline(RoleScopedInline, admin.TabularInline):
    model = KeyFigure
    extra = 0


@admin.register(Network)
class NetworkAdmin(RoleScopedAdmin):
    list_display = ["name", "kind", "founded", "is_published"]
    list_filter = ["kind", "is_published"]
    search_fields = ["name", "summary"]
    prepopulated_fields = {"slug": ["name"]}
    filter_horizontal = ["regions"]
    inlines = [
        MembershipInline,
        PrincipleInline,
        ChallengeInline,
        ActionFieldInline,
        KeyFigureInline,
    ]

    def has_add_permission(self, request):  # type: ignore[no-untyped-def]
        return can(request.user, "network.add_network")


class GoalInline(RoleScopedInline, admin.TabularInline):
    model = Goal
    extra = 0


class ApproachInline(RoleScopedInline, admin.TabularInline):
    model = Approach
    extra = 0


@admin.register(ActionField)
class ActionFieldAdmin(RoleScopedAdmin):
    list_display = ["__str__", "network"]
    list_filter = [VisibleNetworkFilter]
    inlines = [GoalInline, ApproachInline]


@admin.register(Membership)
class MembershipAdmin(RoleScopedAdmin):
    list_display = ["organisation", "network", "role"]
    list_filter = [VisibleNetworkFilter, "role"]
    autocomplete_fields = ["organisation"]


for model in (Principle, Challenge, KeyFigure):
    admin.site.register(model, RoleScopedAdmin)


@admin.register(ContactPoint)
class ContactPointAdmin(RoleScopedAdmin):
    change_rule = "network.change_contactpoint"
    list_display = ["function", "organisation", "visibility"]
    list_filter = ["visibility"]
    list_select_related = ["organisation"]
    search_fields = ["function", "organisation__name"]

    def formfield_for_foreignkey(self, db_field: Any, request: HttpRequest, **kwargs: Any) -> Any:
        """Contact points can be added only to organisations the user may change."""
        if db_field.name == "organisation" and not is_administrator(request.user):
            candidates = Organisation.objects.filter(
                Q(pk=request.user.organisation_id)  # type: ignore[union-attr]
                | Q(memberships__network_id__in=request.user.coordinated_network_ids())  # type: ignore[union-attr]
            ).distinct()
            allowed = [
                o.pk for o in candidates if can(request.user, "network.change_organisation", o)
            ]
            kwargs["queryset"] = Organisation.objects.filter(pk__in=allowed)
        return super().formfield_for_foreignkey(db_field, request, **kwargs)
