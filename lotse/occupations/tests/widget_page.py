"""A page with a form that uses the occupation autocomplete, for the browser tests.

No page of Lotse uses the widget yet (vacancy and profile forms will); this
URL configuration adds one such form to the site's own.
"""

from django import forms
from django.http import HttpRequest, HttpResponse
from django.template import engines
from django.urls import path

from lotse.config.urls import urlpatterns as site_urlpatterns
from lotse.occupations.forms import OccupationAutocomplete

PAGE = engines["django"].from_string(
    """{% extends "base.html" %}
{% block title %}Stelle{% endblock %}
{% block content %}<h1>Stelle anlegen</h1>
<form method="post">{{ form.media }}{{ form.as_div }}<button type="submit">Speichern</button></form>
{% endblock %}"""
)


class VacancyForm(forms.Form):
    job = forms.CharField(
        label="Berufsbezeichnung", widget=OccupationAutocomplete(attrs={"autocomplete": "off"})
    )


def vacancy_form(request: HttpRequest) -> HttpResponse:
    return HttpResponse(PAGE.render({"form": VacancyForm()}, request))


urlpatterns = [path("test/stelle/", vacancy_form), *site_urlpatterns]
