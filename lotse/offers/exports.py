"""Any result list of the compass as CSV or XLSX, in the columns of the import."""

import csv
import io
from collections.abc import Iterable

from django.http import HttpResponse
from django.utils import timezone
from openpyxl import Workbook

from lotse.core.spreadsheets import csv_download
from lotse.offers.models import Offer

COLUMNS = [
    "key", "title", "kind", "summary", "description", "provider", "partners", "target_groups",
    "action_fields", "regions", "nationwide", "languages", "funding_type", "funding_amount",
    "eligibility", "application_deadline", "website", "valid_from", "valid_until", "url",
]  # fmt: skip


def offer_row(offer: Offer) -> list[str]:
    """One offer as the export's (and import's) columns; lists are joined with '|'."""

    def joined(values: Iterable[str]) -> str:
        return "|".join(values)

    return [
        offer.slug,
        offer.title,
        offer.kind,
        offer.summary,
        offer.description,
        offer.provider.slug,
        joined(p.slug for p in offer.partners.all()),
        joined(g.slug for g in offer.target_groups.all()),
        joined(f"{f.network.slug}/{f.number}" for f in offer.action_fields.all()),
        joined(r.code for r in offer.regions.all()),
        "true" if offer.nationwide else "false",
        joined(language.code for language in offer.languages.all()),
        offer.funding_type,
        offer.funding_amount,
        offer.eligibility,
        offer.application_deadline.isoformat() if offer.application_deadline else "",
        offer.website,
        offer.valid_from.isoformat() if offer.valid_from else "",
        offer.valid_until.isoformat() if offer.valid_until else "",
        offer.get_absolute_url(),
    ]


def _filename(extension: str) -> str:
    return f"lotse-angebote-{timezone.localdate():%Y-%m-%d}.{extension}"


def csv_response(offers: Iterable[Offer]) -> HttpResponse:
    response = csv_download(_filename("csv"))
    writer = csv.writer(response)
    writer.writerow(COLUMNS)
    for offer in offers:
        writer.writerow(offer_row(offer))
    return response


def xlsx_response(offers: Iterable[Offer]) -> HttpResponse:
    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet("Angebote")
    sheet.append(COLUMNS)
    for offer in offers:
        sheet.append(offer_row(offer))
    buffer = io.BytesIO()
    workbook.save(buffer)
    response = HttpResponse(
        buffer.getvalue(),
        content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    )
    response["Content-Disposition"] = f'attachment; filename="{_filename("xlsx")}"'
    return response
