"""The title search of the occupations page and the reusable autocomplete widget."""

from typing import Any

from django import forms
from django.core.validators import FileExtensionValidator
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from lotse.occupations.reference import get_reference
from lotse.occupations.services import TitleFileError, read_titles
from lotse.occupations.text import MAX_TITLE_LENGTH, validate_title

# A file of titles to code on the page: a few seconds of one core at most.
MAX_FILE_BYTES, MAX_TITLES_IN_FILE = 2 * 1024 * 1024, 20_000


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

    chosen_code = ""

    def value_from_datadict(self, data: Any, files: Any, name: str) -> Any:
        # A form shown again (an error in another field) keeps the code chosen for the title.
        code = data.get(f"{name}_kldb5", "")
        self.chosen_code = code if code in get_reference().occupations and len(code) == 5 else ""
        return super().value_from_datadict(data, files, name)

    def get_context(self, name: str, value: Any, attrs: dict[str, Any] | None) -> dict[str, Any]:
        context = super().get_context(name, value, attrs)
        context["autocomplete_url"] = reverse("occupations:autocomplete", args=[name])
        context["results_id"] = f"{context['widget']['attrs'].get('id') or name}-suggestions"
        if self.chosen_code:
            context["chosen"] = get_reference().occupations[self.chosen_code]
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


class TitleFileForm(forms.Form):
    """A CSV file or workbook with a column ``title``, or a text file with one title a line."""

    file = forms.FileField(
        label=_(
            "File of job titles (CSV or Excel with a column “title”, or text with one title a line)"
        ),
        validators=[FileExtensionValidator(["csv", "txt", "xlsx"])],
    )
    top = forms.IntegerField(label=_("Codes per title"), min_value=1, max_value=10, initial=3)

    def clean_file(self) -> list[str]:
        """The titles of the file; a problem names its line, and nothing is coded."""
        upload = self.cleaned_data["file"]
        if upload.size > MAX_FILE_BYTES:
            raise forms.ValidationError(_("The file is larger than 2 MB."))
        try:
            titles = read_titles(upload)
        except TitleFileError as error:
            raise forms.ValidationError(str(error)) from error
        if len(titles) > MAX_TITLES_IN_FILE:
            raise forms.ValidationError(
                _("The file holds %(count)d titles; at most %(max)d are coded at once.")
                % {"count": len(titles), "max": MAX_TITLES_IN_FILE}
            )
        return titles
