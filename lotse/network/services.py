"""Every write to organisations and networks goes through these functions."""

from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext_lazy as _

from lotse.core.audit import record
from lotse.core.permissions import require
from lotse.network.models import SME_SIZE_CLASSES, Organisation, OrganisationKind
from lotse.network.regions import locate_postcode

COMPANY_FIELDS = ("sector_wz2008", "size_class", "is_sme")

ORGANISATION_FIELDS = frozenset(
    {
        "name", "short_name", "slug", "kind", "description", "website", "street",
        "postcode", "city", "parent", "sector_wz2008", "size_class", "is_sme",
    }
)  # fmt: skip


def place_organisation(organisation: Organisation) -> None:
    """Derive district and coordinates from the postcode, so filters by region work."""
    located = locate_postcode(organisation.postcode) if organisation.postcode else None
    if located is None:
        organisation.latitude = organisation.longitude = None
        if organisation.postcode:
            raise ValidationError({"postcode": _("No place in Germany has this postcode.")})
        return
    organisation.region = located.region
    organisation.latitude, organisation.longitude = located.latitude, located.longitude
    if not organisation.city:
        organisation.city = located.place


def _derive_sme(organisation: Organisation) -> None:
    if (
        organisation.kind == OrganisationKind.COMPANY
        and organisation.is_sme is None
        and organisation.size_class
    ):
        organisation.is_sme = organisation.size_class in SME_SIZE_CLASSES


def _clean(organisation: Organisation) -> None:
    """``full_clean``, but company-only fields are reported by name.

    The database constraint would refuse them too, yet only with a message
    about the whole organisation that names no field.
    """
    errors: dict[str, Any] = {}
    if organisation.kind != OrganisationKind.COMPANY:
        for name in COMPANY_FIELDS:
            if getattr(organisation, name) not in ("", None):
                errors[name] = [_("Only companies have this field.")]
    try:
        organisation.full_clean(validate_constraints=not errors)
    except ValidationError as error:
        errors = error.update_error_dict(errors)
    if errors:
        raise ValidationError(errors)


def _check_no_cycle(organisation: Organisation, parent: Organisation | None) -> None:
    """An organisation cannot be run by itself, directly or through others."""
    seen = {organisation.pk}
    while parent is not None:
        if parent.pk in seen:
            raise ValidationError(
                {"parent": _("An organisation cannot be run or funded by itself.")}
            )
        seen.add(parent.pk)
        parent = parent.parent


def _check_fields(fields: dict[str, Any]) -> None:
    unknown = set(fields) - ORGANISATION_FIELDS
    if unknown:
        raise ValidationError(dict.fromkeys(sorted(unknown), _("Not a field of an organisation.")))


@transaction.atomic
def create_organisation(*, actor: Any, **fields: Any) -> Organisation:
    """Create an organisation after checking the actor may add one."""
    require(actor, "network.add_organisation")
    _check_fields(fields)
    organisation = Organisation(**fields)
    _derive_sme(organisation)
    place_organisation(organisation)
    _clean(organisation)
    organisation.save()
    record(
        "network.organisation.created",
        organisation,
        actor,
        {"name": organisation.name, "kind": organisation.kind},
    )
    return organisation


@transaction.atomic
def update_organisation(organisation: Organisation, *, actor: Any, **changes: Any) -> Organisation:
    """Change an organisation; the audit entry lists old and new values."""
    require(actor, "network.change_organisation", organisation)
    _check_fields(changes)
    organisation = Organisation.objects.select_for_update().get(pk=organisation.pk)
    before = {name: getattr(organisation, name) for name in changes}
    structural = {"slug", "parent"} & {name for name in changes if before[name] != changes[name]}
    if structural:
        require(actor, "network.change_parent", organisation)
    if "parent" in structural:
        _check_no_cycle(organisation, changes["parent"])
    for name, value in changes.items():
        setattr(organisation, name, value)
    _derive_sme(organisation)
    if "postcode" in changes:
        place_organisation(organisation)
    _clean(organisation)
    organisation.save()
    diff = {
        name: {"from": str(before[name]), "to": str(value)}
        for name, value in changes.items()
        if before[name] != value
    }
    record("network.organisation.updated", organisation, actor, {"changes": diff})
    return organisation
