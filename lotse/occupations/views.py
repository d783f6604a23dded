"""Pages of the occupations app: search and browse KldB, one position, autocomplete, sources."""

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from lotse.core.htmx import render_page
from lotse.core.permissions import can, require
from lotse.core.spreadsheets import csv_download
from lotse.occupations.checked import (
    code_titles,
    find_checked_titles,
    remember_corrections,
    withdraw,
)
from lotse.occupations.coder import CoderStarting, Match, get_coder
from lotse.occupations.forms import MAX_TITLES_IN_FILE, TitleFileForm, TitleForm
from lotse.occupations.reference import get_reference
from lotse.occupations.services import (
    ReviewError,
    start_review,
    write_checked_csv,
    write_coded_csv,
)

AUTOCOMPLETE_SIZE = 8
# Room in a request for the review form's choices beside the signed file.
REVIEW_FORM_SPARE = 100_000


def _code_unless_starting(title: str, top: int) -> tuple[list[Match], bool]:
    """The title's codes, or none and True while the server still fits the coder.

    For a minute after a start, a page says so instead of hanging until the fit is done.
    """
    try:
        return code_titles([title], top, wait=False)[0], False
    except CoderStarting:
        return [], True


def occupation_list(request: HttpRequest) -> HttpResponse:
    """Code a title as one types; without a title, the ten occupational areas to browse."""
    reference = get_reference()
    # An emptied search box is no mistake: it shows the page as it started.
    form = TitleForm(request.GET) if request.GET.get("title", "").strip() else TitleForm()
    matches, starting = (
        _code_unless_starting(form.cleaned_data["title"], 10) if form.is_valid() else ([], False)
    )
    areas = [reference.occupations[code] for code in reference.children.get("", [])]
    context = {
        "form": form,
        "matches": matches,
        "starting": starting,
        "areas": areas,
        "can_code_in_bulk": can(request.user, "occupations.code_in_bulk"),
        "nav": "occupations",
    }
    return render_page(request, "occupations/occupation_list.html", context, fragment="results")


def occupation_detail(request: HttpRequest, code: str) -> HttpResponse:
    """One position of the tree: its path, what it contains, its job titles and ESCO links."""
    reference = get_reference()
    occupation = reference.occupations.get(code)
    if occupation is None:
        raise Http404(code)
    context = {
        "occupation": occupation,
        "ancestors": reference.ancestors(code),
        "children": [reference.occupations[c] for c in reference.children.get(code, [])],
        "job_titles": sorted(set(reference.titles_by_kldb.get(code, [])), key=str.casefold),
        "esco": reference.esco_by_kldb.get(code, []),
        "isco": [link for link in reference.isco_links if link.kldb5 == code],
        "isco_groups": reference.isco_groups,
        "nav": "occupations",
    }
    return render(request, "occupations/occupation_detail.html", context)


def autocomplete(request: HttpRequest, field: str) -> HttpResponse:
    """Suggestions for the widget of the form field ``field``: an htmx fragment, not a page.

    A field emptied while typing gets no suggestions and no error: nobody has asked yet.
    """
    title = request.GET.get(field, request.GET.get("title", ""))
    form = TitleForm({"title": title}) if title.strip() else None
    matches, starting = (
        _code_unless_starting(form.cleaned_data["title"], AUTOCOMPLETE_SIZE)
        if form and form.is_valid()
        else ([], False)
    )
    context = {"matches": matches, "form": form, "starting": starting}
    return render(request, "occupations/autocomplete.html", context)


@login_required
def code_file(request: HttpRequest) -> HttpResponse:
    """Upload a file of job titles, get it back coded, with the titles to check flagged.

    The CSV starts with a byte-order mark, so that spreadsheet programs read its
    umlauts as UTF-8.
    """
    require(request.user, "occupations.code_in_bulk")
    posted = request.method == "POST"
    form = TitleFileForm(request.POST, request.FILES) if posted else TitleFileForm()
    starting = False
    if posted and form.is_valid():
        try:
            get_coder(wait=False)
        except CoderStarting:
            starting = True
        else:
            titles, top = form.cleaned_data["file"], form.cleaned_data["top"]
            if request.POST.get("action") != "review":
                response = csv_download("berufe-kodiert.csv")
                write_coded_csv(response, titles, top, flag_uncertain=True)
                return response
            review = start_review(titles, _review_salt(request))
            # The review form posts the whole file back: it must fit in one request.
            limit = settings.DATA_UPLOAD_MAX_MEMORY_SIZE
            if limit is None or len(review.sealed) < limit - REVIEW_FORM_SPARE:
                context = {
                    "review": review,
                    "checked_url": reverse("occupations:checked_titles"),
                    "nav": "occupations",
                }
                return render(request, "occupations/code_review.html", context)
            form.add_error(
                "file",
                _(
                    "The file is too large to check on the page. Download it coded "
                    "and check the titles flagged uncertain in a spreadsheet."
                ),
            )
    context = {
        "form": form,
        "starting": starting,
        "max_titles": MAX_TITLES_IN_FILE,
        "nav": "occupations",
    }
    return render(request, "occupations/code_file.html", context)


def _review_salt(request: HttpRequest) -> str:
    """A review form is valid for the person it was made for only."""
    return f"occupations.review.{request.user.pk}"


@login_required
def checked_file(request: HttpRequest) -> HttpResponse:
    """The reviewed file: the chosen codes of the uncertain titles, the coder's for the rest.

    The address is the review form's target; opened again (a reload, a bookmark),
    it leads back to the upload.
    """
    require(request.user, "occupations.code_in_bulk")
    if request.method != "POST":
        return redirect("occupations:code_file")
    response = csv_download("berufe-geprueft.csv")
    try:
        reviewed = write_checked_csv(
            response, request.POST.get("batch", ""), request.POST, _review_salt(request)
        )
    except ReviewError as error:
        context = {"error": str(error), "nav": "occupations"}
        return render(request, "occupations/code_review_error.html", context, status=400)
    organisation = getattr(request.user, "organisation", None)
    if reviewed.corrections and request.POST.get("remember") and organisation is not None:
        remember_corrections(organisation, reviewed.corrections, reviewed.made, request.user)
    return response


CHECKED_PAGE_SIZE = 50


@login_required
def checked_titles(request: HttpRequest) -> HttpResponse:
    """The titles staff chose codes for by hand, which the coder now ranks first."""
    require(request.user, "occupations.code_in_bulk")
    # Printable text only: PostgreSQL refuses a NUL in a query.
    query = " ".join("".join(c for c in request.GET.get("q", "") if c.isprintable()).split())
    query = query[:200]
    page = Paginator(find_checked_titles(query), CHECKED_PAGE_SIZE).get_page(
        request.GET.get("page")
    )
    occupations = get_reference().occupations
    items = [
        (
            row,
            occupations.get(row.kldb5),
            can(request.user, "occupations.forget_checked_title", row),
        )
        for row in page
    ]
    context = {"page": page, "items": items, "query": query, "nav": "occupations"}
    return render_page(request, "occupations/checked_titles.html", context, fragment="results")


@login_required
@require_POST
def forget_checked_title(request: HttpRequest, pk: int) -> HttpResponse:
    """Withdraw a code chosen by hand: the title is coded by the coder alone again."""
    checked = get_object_or_404(find_checked_titles(), pk=pk)
    require(request.user, "occupations.forget_checked_title", checked)
    withdraw(checked, request.user)
    messages.success(
        request, _("“%(title)s” is coded by the coder alone again.") % {"title": checked.title}
    )
    return redirect("occupations:checked_titles")


def sources(request: HttpRequest) -> HttpResponse:
    """Where the occupation data come from, with the attributions their licences require."""
    return render(request, "occupations/sources.html", {"nav": "occupations"})
