"""Kernel pages: about Lotse and its data sources, and the audit log."""

from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from lotse.core.htmx import render_page
from lotse.core.models import AuditEntry
from lotse.core.permissions import require


def about(request: HttpRequest) -> HttpResponse:
    return render(request, "core/about.html")


def audit_log(request: HttpRequest) -> HttpResponse:
    """The audit log, for coordinators (their networks) and administrators (all)."""
    require(request.user, "core.view_auditentry")
    entries = AuditEntry.objects.visible_to(request.user).select_related("content_type")
    action = request.GET.get("action", "").strip()
    if action:
        entries = entries.filter(action__startswith=action)
    page = Paginator(entries, 50).get_page(request.GET.get("page"))
    return render_page(
        request, "core/audit_log.html", {"page": page, "action": action}, fragment="results"
    )
