"""The offer compass's filters, shared by the search page, the exports and the API."""

from typing import Any

import django_filters
from django import forms
from django.core.validators import RegexValidator
from django.db.models import Q, QuerySet
from django.utils.translation import gettext_lazy as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema_field

from lotse.network.models import ActionField, Organisation, Region
from lotse.offers.models import Language, Offer, OfferKind, TargetGroup


class SortOrder:
    RELEVANCE = "relevance"
    NEWEST = "newest"
    TITLE = "title"
    CHOICES = [
        (RELEVANCE, _("Relevance")),
        (NEWEST, _("Newest")),
        (TITLE, _("Title")),
    ]


def regions_covered(code: str) -> Q:
    """The regions whose offers a region's list includes: itself, its Kreise, its Land."""
    condition = Q(code=code) | Q(parent__code=code)
    if len(code) == 5:
        condition |= Q(code=code[:2])
    return condition


def covered_codes(code: str, children: dict[str, list[str]], known: set[str]) -> set[str]:
    """``regions_covered`` over codes in memory: the codes of ``known`` it selects.

    ``children`` maps a Land's code to its Kreise's codes. The catalogue counts
    region facets with it; a test holds it equal to the query for every region.
    """
    codes = ({code} | set(children.get(code, ()))) & known
    if len(code) == 5 and code[:2] in known:
        codes.add(code[:2])
    return codes


def covers_region(code: str) -> Q:
    """Offers for a region: nationwide ones and those of the regions it covers."""
    return Q(nationwide=True) | Q(regions__in=Region.objects.filter(regions_covered(code)))


@extend_schema_field(OpenApiTypes.STR)
class KeyMultipleChoiceFilter(django_filters.ModelMultipleChoiceFilter):
    """Choose related objects by their key (slug or code); repeat the parameter for more."""


class OfferFilter(django_filters.FilterSet):
    q = django_filters.CharFilter(label=_("Search"), method="filter_nothing")
    kind = django_filters.MultipleChoiceFilter(
        label=_("Kind"), choices=OfferKind.choices, widget=forms.CheckboxSelectMultiple
    )
    target_group = KeyMultipleChoiceFilter(
        label=_("Target group"),
        field_name="target_groups__slug",
        to_field_name="slug",
        queryset=TargetGroup.objects.all(),
        widget=forms.CheckboxSelectMultiple,
    )
    action_field = django_filters.ModelMultipleChoiceFilter(
        label=_("Action field"),
        field_name="action_fields",
        queryset=ActionField.objects.select_related("network"),
        widget=forms.CheckboxSelectMultiple,
    )
    provider = KeyMultipleChoiceFilter(
        label=_("Provider"),
        field_name="provider__slug",
        to_field_name="slug",
        queryset=Organisation.objects.filter(offers__isnull=False).distinct(),
        widget=forms.CheckboxSelectMultiple,
    )
    region = django_filters.CharFilter(
        label=_("Region (official code)"),
        method="filter_region",
        validators=[RegexValidator(r"^[0-9]{2}([0-9]{3})?$", _("Enter a Land or Kreis code."))],
    )
    language = KeyMultipleChoiceFilter(
        label=_("Language"),
        field_name="languages__code",
        to_field_name="code",
        queryset=Language.objects.all(),
        widget=forms.CheckboxSelectMultiple,
    )
    sort = django_filters.ChoiceFilter(
        label=_("Sort by"), choices=SortOrder.CHOICES, method="filter_nothing", empty_label=None
    )

    class Meta:
        model = Offer
        fields = ["q", "kind", "target_group", "action_field", "provider", "region", "language"]

    _form_classes: dict[type, type[forms.Form]] = {}

    def get_form_class(self) -> type[forms.Form]:
        """Built once per class: django-filter builds the form class on every request."""
        cls = type(self)
        if cls not in OfferFilter._form_classes:
            OfferFilter._form_classes[cls] = super().get_form_class()
        return OfferFilter._form_classes[cls]

    def filter_nothing(self, queryset: QuerySet, name: str, value: Any) -> QuerySet:
        """``q`` and ``sort`` are applied by the compass, which ranks and counts."""
        return queryset

    def filter_region(self, queryset: QuerySet, name: str, value: str) -> QuerySet:
        return queryset.filter(pk__in=Offer.objects.filter(covers_region(value)).values("pk"))
