"""What people taught the coder: codes they chose by hand for job titles."""

from typing import Any

from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from lotse.network.models import Organisation
from lotse.occupations.text import MAX_TITLE_LENGTH


class CheckedTitleQuerySet(models.QuerySet):
    def in_force(self) -> "CheckedTitleQuerySet":
        """Codes not withdrawn: those the coder ranks first."""
        return self.filter(withdrawn_at__isnull=True)


class CheckedTitle(models.Model):
    """A job title whose code staff of a partner organisation chose on the review page.

    Job titles recur: the vacancies of one trade in a region are written alike, so a
    code a person chose once is ranked first whenever the same title comes again, for
    every partner (``checked``). One row per title and organisation: an organisation's
    later choice replaces its earlier one. Who chose is not kept here, only the
    organisation; the audit log names the person.
    """

    normalised = models.CharField(
        _("normalised title"), max_length=4 * MAX_TITLE_LENGTH, db_index=True, editable=False
    )
    title = models.CharField(_("job title"), max_length=MAX_TITLE_LENGTH)
    kldb5 = models.CharField(_("KldB 2010 code"), max_length=5)
    organisation = models.ForeignKey(
        Organisation,
        verbose_name=_("organisation"),
        on_delete=models.CASCADE,
        related_name="checked_titles",
    )
    checked_at = models.DateTimeField(_("checked"), default=timezone.now)
    # A withdrawn code is kept, so that a review form made before the withdrawal and
    # sent again (a reload, a second download) cannot bring it back.
    withdrawn_at = models.DateTimeField(_("withdrawn"), null=True, blank=True, editable=False)

    objects = CheckedTitleQuerySet.as_manager()

    class Meta:
        ordering = ["title", "organisation__name"]
        verbose_name = _("checked job title")
        verbose_name_plural = _("checked job titles")
        constraints = [
            models.UniqueConstraint(
                fields=["normalised", "organisation"],
                name="%(app_label)s_%(class)s_once_per_organisation",
            )
        ]

    def __str__(self) -> str:
        return f"{self.title} → {self.kldb5}"

    def audit_network_ids(self) -> list[int]:
        """The organisation's networks; read from ``prefetch_related`` where a list has it."""
        memberships: Any = self.organisation.memberships
        return [membership.network_id for membership in memberships.all()]
