from typing import Any

from django.contrib import admin
from django.core.exceptions import PermissionDenied
from django.db import models
from django.http import HttpRequest
from django.utils import timezone

from lotse.core.admin import RoleScopedAdmin, RoleScopedInline
from lotse.core.permissions import can, is_administrator
from lotse.offers.models import (
    Language,
    Offer,
    OfferLink,
    OfferStatus,
    PracticeExample,
    TargetGroup,
)
from lotse.offers.rules import providers_for
from lotse.offers.search.backends import index_offer

# Django 6 will assume https for addresses typed without a scheme; do so already.
HTTPS_BY_DEFAULT: dict[type[models.Field], dict[str, Any]] = {
    models.URLField: {"assume_scheme": "https"}
}


class OfferLinkInline(RoleScopedInline, admin.TabularInline):
    model = OfferLink
    extra = 0
    formfield_overrides = HTTPS_BY_DEFAULT


class PracticeExampleInline(RoleScopedInline, admin.StackedInline):
    model = PracticeExample
    extra = 0
    autocomplete_fields = ["organisation"]


@admin.register(Offer)
class OfferAdmin(RoleScopedAdmin):
    change_rule = "offers.change_offer"
    add_rule = "offers.add_offer"
    list_display = ["title", "kind", "provider", "status", "valid_until"]
    list_filter = ["status", "kind", "target_groups"]
    list_select_related = ["provider"]
    search_fields = ["title", "summary"]
    prepopulated_fields = {"slug": ["title"]}
    autocomplete_fields = ["provider", "partners", "contact_point"]
    filter_horizontal = ["target_groups", "action_fields", "regions", "languages"]
    readonly_fields = ["published_at"]
    inlines = [OfferLinkInline, PracticeExampleInline]
    formfield_overrides = HTTPS_BY_DEFAULT

    def get_autocomplete_fields(self, request: HttpRequest) -> list[str]:
        """The provider search would list every organisation: others get a short choice."""
        fields = list(super().get_autocomplete_fields(request))
        return fields if is_administrator(request.user) else [f for f in fields if f != "provider"]

    def formfield_for_foreignkey(self, db_field: Any, request: HttpRequest, **kwargs: Any) -> Any:
        """Only the organisations the user may offer for can be the provider."""
        if db_field.name == "provider":
            kwargs["queryset"] = providers_for(request.user)
        return super().formfield_for_foreignkey(db_field, request, **kwargs)

    def save_model(self, request: HttpRequest, obj: Any, form: Any, change: bool) -> None:
        """Publishing stamps the date the feed and the "newest" order use.

        The provider is checked again here: the form's choices are not a permission.
        """
        if not can(request.user, "offers.offer_for_provider", obj.provider):
            raise PermissionDenied("offers.offer_for_provider")
        if obj.status == OfferStatus.PUBLISHED and obj.published_at is None:
            obj.published_at = timezone.now()
        elif obj.status == OfferStatus.DRAFT:
            obj.published_at = None
        super().save_model(request, obj, form, change)

    def save_related(self, request: HttpRequest, form: Any, formsets: Any, change: bool) -> None:
        """The search index needs the offer's relations, so it is refreshed after them."""
        super().save_related(request, form, formsets, change)
        index_offer(form.instance)


class VocabularyAdmin(RoleScopedAdmin):
    """Target groups and languages are a managed vocabulary: administrators change them."""

    coordinators_may_add = False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return is_administrator(request.user)


admin.site.register(TargetGroup, VocabularyAdmin)
admin.site.register(Language, VocabularyAdmin)
