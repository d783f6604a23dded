"""Support offers and funding programmes of the region (the offer compass)."""

import datetime
from typing import Any, Self

from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from lotse.core.models import TimeStampedModel, VisibleQuerySet
from lotse.core.permissions import Role, has_role, is_administrator
from lotse.network.models import ActionField, ContactPoint, Organisation, Region


class TargetGroup(models.Model):
    """A managed vocabulary entry: whom an offer is for (Zielgruppe)."""

    slug = models.SlugField(_("key"), max_length=60, unique=True)
    name = models.CharField(_("name"), max_length=120)
    description = models.CharField(_("description"), max_length=300, blank=True)
    position = models.PositiveSmallIntegerField(_("position"), default=0)

    class Meta:
        ordering = ["position", "name"]
        verbose_name = _("target group")
        verbose_name_plural = _("target groups")

    def __str__(self) -> str:
        return self.name


class Language(models.Model):
    """A language an offer is available in (ISO 639-1 code)."""

    code = models.CharField(_("code"), max_length=8, unique=True)
    name = models.CharField(_("name"), max_length=60)

    class Meta:
        ordering = ["name"]
        verbose_name = _("language")
        verbose_name_plural = _("languages")

    def __str__(self) -> str:
        return self.name


class OfferKind(models.TextChoices):
    FUNDING = "funding", _("Funding / grant")
    ADVICE = "advice", _("Advice")
    COACHING = "coaching", _("Coaching")
    QUALIFICATION = "qualification", _("Qualification / training")
    PLACEMENT = "placement", _("Placement / matching")
    INTERNSHIP = "internship", _("Internship offer")
    EVENT_SERIES = "event_series", _("Event series")
    PORTAL = "portal", _("Portal / information")
    NETWORK = "network", _("Network / community")


class FundingType(models.TextChoices):
    """The kinds of funding as the Förderdatenbank des Bundes names them."""

    GRANT = "Zuschuss", _("Grant")
    LOAN = "Darlehen", _("Loan")
    GUARANTEE_BANK = "Bürgschaft", _("Guarantee (Bürgschaft)")
    EQUITY = "Beteiligung", _("Equity")
    GUARANTEE = "Garantie", _("Guarantee")
    OTHER = "Sonstige", _("Other")


class OfferStatus(models.TextChoices):
    DRAFT = "draft", _("Draft")
    PUBLISHED = "published", _("Published")


class OfferQuerySet(VisibleQuerySet):
    def published(self) -> Self:
        """Published and currently valid: what the public compass shows."""
        today = timezone.localdate()
        return self.filter(status=OfferStatus.PUBLISHED).filter(
            Q(valid_from__isnull=True) | Q(valid_from__lte=today),
            Q(valid_until__isnull=True) | Q(valid_until__gte=today),
        )

    def visible_to(self, user: Any) -> Self:
        """Everyone sees published offers; partner staff also their organisation's drafts."""
        if is_administrator(user):
            return self.all()
        if has_role(user, Role.COORDINATOR, Role.ADVISER) and user.organisation_id:
            own = Q(provider_id=user.organisation_id)
            return self.filter(Q(pk__in=self.published().values("pk")) | own)
        return self.published()


class Offer(TimeStampedModel):
    """A support offer or funding programme (Unterstützungsangebot, Förderprogramm)."""

    title = models.CharField(_("title"), max_length=200)
    slug = models.SlugField(_("short key"), max_length=120, unique=True)
    kind = models.CharField(_("kind"), max_length=20, choices=OfferKind.choices)
    summary = models.CharField(_("summary"), max_length=500)
    description = models.TextField(_("description"), blank=True)
    provider = models.ForeignKey(
        Organisation, verbose_name=_("provider"), on_delete=models.PROTECT, related_name="offers"
    )
    provider_assumed = models.BooleanField(
        _("provider assumed"),
        default=False,
        help_text=_("The source does not name the provider; it is assumed."),
    )
    partners = models.ManyToManyField(
        Organisation, verbose_name=_("partners"), blank=True, related_name="partner_offers"
    )
    target_groups = models.ManyToManyField(
        TargetGroup, verbose_name=_("target groups"), related_name="offers"
    )
    action_fields = models.ManyToManyField(
        ActionField, verbose_name=_("action fields"), blank=True, related_name="offers"
    )
    regions = models.ManyToManyField(
        Region, verbose_name=_("regions"), blank=True, related_name="offers"
    )
    nationwide = models.BooleanField(_("nationwide"), default=False)
    languages = models.ManyToManyField(
        Language, verbose_name=_("languages"), blank=True, related_name="offers"
    )
    funding_type = models.CharField(
        _("funding type"), max_length=20, choices=FundingType.choices, blank=True
    )
    funding_amount = models.CharField(_("rate or amount"), max_length=200, blank=True)
    eligibility = models.TextField(_("who is eligible"), blank=True)
    application_deadline = models.DateField(_("application deadline"), null=True, blank=True)
    contact_point = models.ForeignKey(
        ContactPoint,
        verbose_name=_("contact point"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="offers",
    )
    website = models.URLField(_("website"), blank=True)
    source = models.CharField(_("source"), max_length=300, blank=True)
    status = models.CharField(
        _("status"), max_length=10, choices=OfferStatus.choices, default=OfferStatus.DRAFT
    )
    published_at = models.DateTimeField(_("published"), null=True, blank=True)
    valid_from = models.DateField(_("valid from"), null=True, blank=True)
    valid_until = models.DateField(_("valid until"), null=True, blank=True)
    # What the search indexes, kept current by search.index_offer: folded words
    # (PostgreSQL builds its german tsvector from them) and their stems (SQLite FTS5).
    search_title = models.TextField(editable=False, default="")
    search_body = models.TextField(editable=False, default="")
    stems_title = models.TextField(editable=False, default="")
    stems_body = models.TextField(editable=False, default="")

    objects = OfferQuerySet.as_manager()

    class Meta:
        ordering = ["title"]
        verbose_name = _("offer")
        verbose_name_plural = _("offers")
        indexes = [
            models.Index(fields=["status", "-published_at"], name="offers_offer_status_pub"),
            # Covers the query that loads the catalogue's columns (offers.catalogue): read
            # in title order from the index alone, without the wide rows or a sort.
            models.Index(
                fields=[
                    "title", "id", "kind", "provider", "status", "valid_from", "valid_until",
                    "nationwide", "published_at",
                ],
                name="offers_offer_catalogue",
            ),
        ]  # fmt: skip
        constraints = [
            models.CheckConstraint(
                condition=Q(valid_from__isnull=True)
                | Q(valid_until__isnull=True)
                | Q(valid_from__lte=models.F("valid_until")),
                name="%(app_label)s_%(class)s_valid_period_ordered",
            ),
            models.CheckConstraint(
                condition=~Q(status="published") | Q(published_at__isnull=False),
                name="%(app_label)s_%(class)s_published_has_date",
            ),
        ]

    def __str__(self) -> str:
        return self.title

    def get_absolute_url(self) -> str:
        return reverse("offers:offer_detail", args=[self.slug])

    def audit_network_ids(self) -> list[int]:
        return sorted({field.network_id for field in self.action_fields.all()})

    @property
    def is_current(self) -> bool:
        today = datetime.date.today()
        return (self.valid_from is None or self.valid_from <= today) and (
            self.valid_until is None or self.valid_until >= today
        )


# Kept current by search.index_offer; never needed to show an offer.
SEARCH_FIELDS = ["search_title", "search_body", "stems_title", "stems_body"]


class SearchTerm(models.Model):
    """A word that occurs in the offers: the vocabulary for typos and compounds."""

    word = models.CharField(max_length=80, unique=True)

    class Meta:
        verbose_name = _("search term")
        verbose_name_plural = _("search terms")

    def __str__(self) -> str:
        return self.word


class OfferLink(models.Model):
    offer = models.ForeignKey(Offer, on_delete=models.CASCADE, related_name="links")
    label = models.CharField(_("label"), max_length=120)
    url = models.URLField(_("address"))

    class Meta:
        ordering = ["offer", "id"]
        verbose_name = _("link")
        verbose_name_plural = _("links")

    def __str__(self) -> str:
        return self.label


class PracticeExample(TimeStampedModel):
    """A lighthouse example: what an offer achieved, told with its figures."""

    offer = models.ForeignKey(Offer, on_delete=models.CASCADE, related_name="practice_examples")
    title = models.CharField(_("title"), max_length=200)
    organisation = models.ForeignKey(
        Organisation,
        verbose_name=_("carried out by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="practice_examples",
    )
    story = models.TextField(_("story"), blank=True)
    figures = models.JSONField(_("figures"), default=list, blank=True)

    class Meta:
        ordering = ["offer", "title"]
        verbose_name = _("practice example")
        verbose_name_plural = _("practice examples")

    def __str__(self) -> str:
        return self.title

    def audit_network_ids(self) -> list[int]:
        return self.offer.audit_network_ids()


class CatalogueVersion(models.Model):
    """One row whose token changes with every change of an offer.

    Each process keeps the catalogue's columns in memory (``offers.catalogue``)
    and reloads them when the token it reads differs from the one it loaded.
    A random token, not a counter: a rolled-back change must not leave a
    number that a later change reuses.
    """

    token = models.BigIntegerField(default=0)

    class Meta:
        verbose_name = _("catalogue version")
        verbose_name_plural = _("catalogue versions")

    def __str__(self) -> str:
        return str(self.token)
