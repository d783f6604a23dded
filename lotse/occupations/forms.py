"""The title search of the occupations page and the reusable autocomplete widget."""

from typing import Any

from django import forms
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from lotse.occupations.text import MAX_TITLE_LENGTH, validate_title


class OccupationAutocomplete(forms.TextInput):
    """A text input that proposes KldB codes as one types (htmx, works without JavaScript).

    Vacancy and profile forms use it for their job-title field: the suggestions
    come from ``occupations:autocomplete`` into a live region, and a chosen one
    fills the hidden ``<name>_kldb5`` input beside the field (``autocomplete.js``,
    which a page loads with ``{{ form.media }}``). Without JavaScript the field is
    a plain text input and the code stays empty, for the server to code the title.
    """

    template_name = "occupations/widgets/autocomplete.html"

    class Media:
        js = ["occupations/autocomplete.js"]

    def get_context(self, name: str, value: Any, attrs: dict[str, Any] | None) -> dict[str, Any]:
        context = super().get_context(name, value, attrs)
        context["autocomplete_url"] = reverse("occupations:autocomplete", args=[name])
        context["results_id"] = f"{context['widget']['attrs'].get('id') or name}-suggestions"
        return context


class TitleForm(forms.Form):
    title = forms.CharField(
        label=_("Job title"),
        max_length=MAX_TITLE_LENGTH,
        widget=OccupationAutocomplete(attrs={"autocomplete": "off"}),
        help_text=_("As people write it, e.g. “Mechatroniker/in (m/w/d)” or “KFZ-Mechaniker”."),
    )

    def clean_title(self) -> str:
        return validate_title(self.cleaned_data["title"])
