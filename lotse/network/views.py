"""Public pages of networks, action concepts and organisations."""

from django.core.paginator import Paginator
from django.db.models import Prefetch
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, render

from lotse.core.htmx import render_page
from lotse.network.filters import NetworkFilter, OrganisationFilter
from lotse.network.models import (
    ActionField,
    ContactPoint,
    Membership,
    Network,
    Organisation,
    PrincipleKind,
)


def home(request: HttpRequest) -> HttpResponse:
    """Start page: what Lotse is, and the way into the networks."""
    networks = (
        Network.objects.visible_to(request.user).with_member_counts().prefetch_related("regions")
    )
    return render(request, "network/home.html", {"networks": networks})


def network_list(request: HttpRequest) -> HttpResponse:
    networks = (
        Network.objects.visible_to(request.user).with_member_counts().prefetch_related("regions")
    )
    filterset = NetworkFilter(request.GET, queryset=networks, request=request)
    page = Paginator(filterset.qs, 24).get_page(request.GET.get("page"))
    context = {"filter": filterset, "page": page, "nav": "networks"}
    return render_page(request, "network/network_list.html", context, fragment="results")


def network_detail(request: HttpRequest, slug: str) -> HttpResponse:
    network = get_object_or_404(
        Network.objects.visible_to(request.user).prefetch_related(
            "regions",
            "challenges",
            "key_figures",
            Prefetch(
                "action_fields",
                queryset=ActionField.objects.prefetch_related("goals", "approaches"),
            ),
        ),
        slug=slug,
    )
    context = {
        "network": network,
        "members_by_role": network.members_by_role(),
        "missions": network.principles.filter(kind=PrincipleKind.MISSION),
        "agreements": network.principles.filter(kind=PrincipleKind.AGREEMENT),
        "nav": "networks",
    }
    return render(request, "network/network_detail.html", context)


def action_field_detail(request: HttpRequest, slug: str, number: int) -> HttpResponse:
    action_field = get_object_or_404(
        ActionField.objects.visible_to(request.user)
        .select_related("network")
        .prefetch_related("goals", "approaches"),
        network__slug=slug,
        number=number,
    )
    network = action_field.network
    siblings = network.action_fields.only("number", "title", "network_id")
    members = Membership.objects.filter(network=network).select_related("organisation")
    context = {
        "action_field": action_field,
        "network": network,
        "siblings": siblings,
        "members": members.order_by("organisation__name"),
        "nav": "networks",
    }
    return render(request, "network/action_field_detail.html", context)


def organisation_list(request: HttpRequest) -> HttpResponse:
    organisations = Organisation.objects.visible_to(request.user).select_related("region")
    filterset = OrganisationFilter(request.GET, queryset=organisations, request=request)
    page = Paginator(filterset.qs.distinct(), 30).get_page(request.GET.get("page"))
    context = {"filter": filterset, "page": page, "nav": "organisations"}
    return render_page(request, "network/organisation_list.html", context, fragment="results")


def organisation_detail(request: HttpRequest, slug: str) -> HttpResponse:
    organisation = get_object_or_404(
        Organisation.objects.visible_to(request.user).select_related("region__parent", "parent"),
        slug=slug,
    )
    memberships = (
        organisation.memberships.filter(network__in=Network.objects.visible_to(request.user))
        .select_related("network")
        .order_by("network__name")
    )
    contacts = ContactPoint.objects.visible_to(request.user).filter(organisation=organisation)
    context = {
        "organisation": organisation,
        "memberships": memberships,
        "contacts": contacts,
        "children": organisation.children.order_by("name"),
        "nav": "organisations",
    }
    return render(request, "network/organisation_detail.html", context)
