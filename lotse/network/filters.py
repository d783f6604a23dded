"""FilterSets shared by the list pages and the API."""

from typing import Any

import django_filters
from django import forms
from django.db.models import Q, QuerySet
from django.utils.translation import gettext_lazy as _

from lotse.network.models import (
    ActionField,
    Network,
    NetworkKind,
    Organisation,
    OrganisationKind,
    Region,
)


def _search(queryset: QuerySet, fields: tuple[str, ...], value: str) -> QuerySet:
    condition = Q()
    for word in value.split():
        any_field = Q()
        for field in fields:
            any_field |= Q(**{f"{field}__icontains": word})
        condition &= any_field
    return queryset.filter(condition)


def _in_region(queryset: QuerySet, path: str, code: str) -> QuerySet:
    """A Land code matches the Land and all its districts."""
    return queryset.filter(Q(**{f"{path}__code": code}) | Q(**{f"{path}__parent__code": code}))


class RegionChoiceFilter(django_filters.ChoiceFilter):
    """Choice of Länder and of the districts that have data, by official code."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("choices", self.region_choices)
        kwargs.setdefault("label", _("Region"))
        kwargs.setdefault("empty_label", _("All regions"))
        super().__init__(*args, **kwargs)

    @staticmethod
    def region_choices() -> list[tuple[str, str]]:
        used = Region.objects.filter(
            Q(organisations__isnull=False) | Q(networks__is_published=True)
        ).values("pk")
        regions = Region.objects.filter(Q(level="state") | Q(pk__in=used)).select_related("parent")
        return [
            (
                region.code,
                region.name
                if region.parent is None
                else f"{region.name} ({region.parent.abbreviation})",
            )
            for region in regions.order_by("level", "name").distinct()
        ]


class OrganisationFilter(django_filters.FilterSet):
    q = django_filters.CharFilter(label=_("Search"), method="filter_q")
    kind = django_filters.MultipleChoiceFilter(
        label=_("Kind"), choices=OrganisationKind.choices, widget=forms.CheckboxSelectMultiple
    )
    network = django_filters.ModelChoiceFilter(
        label=_("Network"),
        empty_label=_("All networks"),
        field_name="memberships__network",
        to_field_name="slug",
        queryset=lambda request: Network.objects.visible_to(getattr(request, "user", None)),
    )
    region = RegionChoiceFilter(method="filter_region")

    class Meta:
        model = Organisation
        fields = ["q", "kind", "network", "region"]

    def filter_q(self, queryset: QuerySet, name: str, value: str) -> QuerySet:
        return _search(queryset, ("name", "short_name", "description", "city"), value)

    def filter_region(self, queryset: QuerySet, name: str, value: str) -> QuerySet:
        return _in_region(queryset, "region", value)


class NetworkFilter(django_filters.FilterSet):
    q = django_filters.CharFilter(label=_("Search"), method="filter_q")
    kind = django_filters.MultipleChoiceFilter(
        label=_("Kind"), choices=NetworkKind.choices, widget=forms.CheckboxSelectMultiple
    )
    region = RegionChoiceFilter(method="filter_region")

    class Meta:
        model = Network
        fields = ["q", "kind", "region"]

    def filter_q(self, queryset: QuerySet, name: str, value: str) -> QuerySet:
        return _search(queryset, ("name", "summary", "description"), value)

    def filter_region(self, queryset: QuerySet, name: str, value: str) -> QuerySet:
        return _in_region(queryset, "regions", value).distinct()


class ActionFieldFilter(django_filters.FilterSet):
    network = django_filters.CharFilter(label=_("Network"), field_name="network__slug")
    q = django_filters.CharFilter(label=_("Search"), method="filter_q")

    class Meta:
        model = ActionField
        fields = ["network", "q"]

    def filter_q(self, queryset: QuerySet, name: str, value: str) -> QuerySet:
        return _search(
            queryset, ("title", "description", "goals__text", "approaches__text"), value
        ).distinct()
