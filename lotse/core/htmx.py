"""One URL serves the full page and, for htmx requests, only its fragment."""

from typing import Any

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.cache import patch_vary_headers


def render_page(
    request: HttpRequest, template: str, context: dict[str, Any], *, fragment: str
) -> HttpResponse:
    """Render ``template``; for an htmx request only its partial ``fragment``.

    htmx restores history it no longer holds by asking for the URL with its own
    header and swapping the answer into the whole body, so that request gets the
    page. ``Vary`` keeps a browser from showing a cached fragment as the page.
    """
    htmx = getattr(request, "htmx", None)
    partial = bool(htmx) and not htmx.boosted and not htmx.history_restore_request  # type: ignore[union-attr]
    response = render(request, f"{template}#{fragment}" if partial else template, context)
    patch_vary_headers(response, ["HX-Request"])
    return response
