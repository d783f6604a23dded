from typing import Any

from django.contrib import admin
from django.http import HttpRequest
from django.utils import timezone

from lotse.core.admin import RoleScopedAdmin, RoleScopedInline
from lotse.core.permissions import is_administrator
from lotse.offers.models import (
    Language,
    Offer,
    OfferLink,
    OfferStatus,
    PracticeExample,
    TargetGroup,
)
from lotse.offers.search.backends import index_offer


class OfferLinkInline(RoleScopedInline, admin.TabularInline):
    model = OfferLink
    extra = 0


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

    def save_model(self, request: HttpRequest, obj: Any, form: Any, change: bool) -> None:
        """Publishing stamps the date the feed and the "newest" order use."""
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
