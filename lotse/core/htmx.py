"""One URL serves the full page and, for htmx requests, only its fragment."""

from typing import Any

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render


def render_page(
    request: HttpRequest, template: str, context: dict[str, Any], *, fragment: str
) -> HttpResponse:
    """Render ``template``; for an htmx request only its partial ``fragment``."""
    if getattr(request, "htmx", False) and not request.htmx.boosted:  # type: ignore[attr-defined]
        return render(request, f"{template}#{fragment}", context)
    return render(request, template, context)
