"""Pages of the occupations app: search and browse KldB, one position, autocomplete, sources."""

from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render

from lotse.core.htmx import render_page
from lotse.occupations.coder import CoderStarting, Match, get_coder
from lotse.occupations.forms import TitleForm
from lotse.occupations.reference import get_reference

AUTOCOMPLETE_SIZE = 8


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


def sources(request: HttpRequest) -> HttpResponse:
    """Where the occupation data come from, with the attributions their licences require."""
    return render(request, "occupations/sources.html", {"nav": "occupations"})
