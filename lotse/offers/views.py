"""Pages of the offer compass: search with facets, offer pages, finder, exports, feed."""

from collections.abc import Callable, Iterable

from django.contrib.syndication.views import Feed
from django.core.paginator import Paginator
from django.db.models import Prefetch, QuerySet
from django.http import HttpRequest, HttpResponse, HttpResponseBadRequest, HttpResponseRedirect
from django.shortcuts import get_object_or_404, render
from django.urls import reverse
from django.utils.feedgenerator import Atom1Feed
from django.utils.translation import gettext_lazy as _

from lotse.core.htmx import render_page
from lotse.network.models import ActionField, ContactPoint, Region
from lotse.offers import exports
from lotse.offers.compass import PAGE_SIZE, search_offers
from lotse.offers.finder import FinderForm
from lotse.offers.models import Offer
from lotse.offers.search.highlight import highlight, snippet


def offer_list(request: HttpRequest) -> HttpResponse:
    """The compass: one query box, facets whose counts follow the query, a shareable URL."""
    result = search_offers(request.GET, request.user)
    page = Paginator(result.offers, PAGE_SIZE).get_page(request.GET.get("page"))
    stems = result.query.highlight_stems() if result.query else set()
    for offer in page:
        # Shown instead of the plain summary and title: the query's words marked.
        offer.snippet = snippet(offer.summary + " " + offer.description, stems) if stems else None  # type: ignore[attr-defined]
        offer.title_html = highlight(offer.title, stems)  # type: ignore[attr-defined]
    # The region comes as a hidden field (from the finder or a region link), so the
    # page names it and offers a way back to every region.
    region = result.filterset.form.cleaned_data.get("region") if result.is_valid else None
    if region:
        region = Region.objects.filter(code=region).values_list("name", flat=True).first() or region
    context = {
        "result": result,
        "page": page,
        "region": region,
        "filter": result.filterset,
        "nav": "offers",
        "query_string": request.GET.urlencode(),
    }
    return render_page(request, "offers/offer_list.html", context, fragment="results")


def offer_detail(request: HttpRequest, slug: str) -> HttpResponse:
    offer = get_object_or_404(
        Offer.objects.visible_to(request.user)
        .select_related("provider", "contact_point")
        .prefetch_related(
            "partners",
            "target_groups",
            "regions",
            "languages",
            "links",
            "practice_examples",
            "action_fields__network",
        ),
        slug=slug,
    )
    contact = None
    if offer.contact_point_id:
        contact = (
            ContactPoint.objects.visible_to(request.user)
            .select_related("organisation")
            .filter(pk=offer.contact_point_id)
            .first()
        )
    contacts = ContactPoint.objects.visible_to(request.user).filter(organisation=offer.provider)
    context = {"offer": offer, "contact": contact, "contacts": contacts, "nav": "offers"}
    return render(request, "offers/offer_detail.html", context)


def finder(request: HttpRequest) -> HttpResponse:
    """Three questions that lead to a filtered list; works without JavaScript."""
    form = FinderForm(request.GET or None)
    if form.is_valid():
        return HttpResponseRedirect(f"{reverse('offers:offer_list')}?{form.to_query()}")
    return render(request, "offers/finder.html", {"form": form, "nav": "finder"})


Respond = Callable[[Iterable[Offer]], HttpResponse]


def _export(request: HttpRequest, respond: Respond) -> HttpResponse:
    """The list the same URL shows in the compass, every page of it, as a file."""
    result = search_offers(request.GET, request.user, with_facets=False)
    if not result.is_valid:
        # An empty file would look like "nothing found"; say what is wrong instead.
        errors = result.filterset.errors
        text = "\n".join(f"{name}: {' '.join(messages)}" for name, messages in errors.items())
        return HttpResponseBadRequest(text, content_type="text/plain; charset=utf-8")
    fields = ActionField.objects.select_related("network")
    offers = result.offers.prefetch_related(
        "target_groups", "regions", "languages", "partners",
        Prefetch("action_fields", queryset=fields),
    )  # fmt: skip
    return respond(offers)


def export_csv(request: HttpRequest) -> HttpResponse:
    return _export(request, exports.csv_response)


def export_xlsx(request: HttpRequest) -> HttpResponse:
    return _export(request, exports.xlsx_response)


class OfferFeed(Feed):
    """Atom feed of new and changed offers, newest change first."""

    feed_type = Atom1Feed
    title = _("Lotse offer compass: new and changed offers")
    subtitle = _("Support offers and funding programmes of the skilled-labour alliances")

    def link(self) -> str:
        return reverse("offers:offer_list")

    def items(self) -> QuerySet[Offer]:
        return Offer.objects.published().select_related("provider").order_by("-updated_at")[:50]

    def item_title(self, item: Offer) -> str:
        return item.title

    def item_description(self, item: Offer) -> str:
        return f"{item.summary} ({item.provider.name})"

    def item_updateddate(self, item: Offer):  # type: ignore[no-untyped-def]
        return item.updated_at

    def item_pubdate(self, item: Offer):  # type: ignore[no-untyped-def]
        return item.published_at
