"""Pages of the occupations app: search and browse KldB, one position, autocomplete, sources."""

from django.conf import settings
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _

from lotse.core.htmx import render_page
from lotse.core.permissions import can, require
from lotse.core.spreadsheets import csv_download
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
        return get_coder(wait=False).code(title, top), False
    except CoderStarting:
        return [], True


def occupation_list(request: HttpRequest) -> HttpResponse:
    """Code a title as one types; without a title, the ten occupational areas to browse."""
    reference = get_reference()
    form = TitleForm(request.GET) if "title" in request.GET else TitleForm()
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
                context = {"review": review, "nav": "occupations"}
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
        write_checked_csv(
            response, request.POST.get("batch", ""), request.POST, _review_salt(request)
        )
    except ReviewError as error:
        context = {"error": str(error), "nav": "occupations"}
        return render(request, "occupations/code_review_error.html", context, status=400)
    return response


def sources(request: HttpRequest) -> HttpResponse:
    """Where the occupation data come from, with the attributions their licences require."""
    return render(request, "occupations/sources.html", {"nav": "occupations"})
