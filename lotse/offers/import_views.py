"""The import page: coordinators upload CSV, XLSX or JSON, check it first, then import it."""

from django import forms
from django.contrib.auth.decorators import login_required
from django.core.validators import FileExtensionValidator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.translation import gettext_lazy as _

from lotse.core.permissions import require
from lotse.offers.exports import COLUMNS
from lotse.offers.imports import FORMATS, ImportReport, import_offers, read_offers

MAX_UPLOAD_BYTES = 10 * 1024 * 1024


class OfferImportForm(forms.Form):
    file = forms.FileField(
        label=_("File (CSV, XLSX or JSON)"),
        validators=[FileExtensionValidator(list(FORMATS))],
    )
    dry_run = forms.BooleanField(
        label=_("Dry run: only check the file, import nothing"), required=False, initial=True
    )

    def clean_file(self) -> object:
        upload = self.cleaned_data["file"]
        if upload.size > MAX_UPLOAD_BYTES:
            raise forms.ValidationError(_("The file is larger than 10 MB."))
        return upload


@login_required
def offer_import(request: HttpRequest) -> HttpResponse:
    """Check an upload completely; import it only when asked to and every row is valid."""
    require(request.user, "offers.import_offers")
    posted = request.method == "POST"
    form = OfferImportForm(request.POST, request.FILES) if posted else OfferImportForm()
    report: ImportReport | None = None
    if posted and form.is_valid():
        upload = form.cleaned_data["file"]
        source = read_offers(upload.name, upload.read())
        report = import_offers(source, actor=request.user, dry_run=form.cleaned_data["dry_run"])
        if report.written:
            form = OfferImportForm()  # the next upload starts with a dry run again
    context = {"form": form, "report": report, "columns": COLUMNS, "nav": "offers"}
    return render(request, "offers/offer_import.html", context)
