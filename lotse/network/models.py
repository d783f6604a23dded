"""Organisations, regions, networks and their action concepts."""

from decimal import Decimal
from typing import Any, Self

from django.core.validators import RegexValidator
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from lotse.core.models import TimeStampedModel, VisibleQuerySet
from lotse.core.permissions import is_administrator, is_partner_staff


class RegionLevel(models.TextChoices):
    STATE = "state", _("Federal state")
    DISTRICT = "district", _("District")


class Region(models.Model):
    """A Bundesland (2-digit AGS) or Kreis / kreisfreie Stadt (5-digit AGS)."""

    level = models.CharField(_("level"), max_length=10, choices=RegionLevel.choices)
    code = models.CharField(_("official code (AGS)"), max_length=5, unique=True)
    name = models.CharField(_("name"), max_length=120)
    abbreviation = models.CharField(_("abbreviation"), max_length=2, blank=True)
    parent = models.ForeignKey(
        "self",
        verbose_name=_("federal state"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="districts",
    )

    class Meta:
        ordering = ["code"]
        verbose_name = _("region")
        verbose_name_plural = _("regions")
        constraints = [
            models.CheckConstraint(
                condition=(Q(level="state") & Q(parent__isnull=True))
                | (Q(level="district") & Q(parent__isnull=False)),
                name="%(app_label)s_%(class)s_district_has_state",
            )
        ]

    def __str__(self) -> str:
        return self.name


class PostalCode(models.Model):
    """A postcode and place with coordinates (GeoNames, CC BY 4.0)."""

    code = models.CharField(_("postcode"), max_length=5, db_index=True)
    place = models.CharField(_("place"), max_length=120)
    region = models.ForeignKey(
        Region, verbose_name=_("district"), on_delete=models.CASCADE, related_name="postcodes"
    )
    latitude = models.DecimalField(max_digits=8, decimal_places=5)
    longitude = models.DecimalField(max_digits=8, decimal_places=5)

    class Meta:
        ordering = ["code", "place"]
        verbose_name = _("postcode")
        verbose_name_plural = _("postcodes")
        constraints = [
            models.UniqueConstraint(fields=["code", "place"], name="%(app_label)s_%(class)s_unique")
        ]

    def __str__(self) -> str:
        return f"{self.code} {self.place}"


class OrganisationKind(models.TextChoices):
    EMPLOYMENT_AGENCY = "employment_agency", _("Employment agency")
    JOB_CENTRE = "job_centre", _("Job centre")
    CHAMBER_COMMERCE = "chamber_commerce", _("Chamber of industry and commerce")
    CHAMBER_CRAFTS = "chamber_crafts", _("Chamber of crafts")
    MUNICIPALITY = "municipality", _("Municipality / economic development")
    UNIVERSITY = "university", _("University")
    RESEARCH_INSTITUTE = "research_institute", _("Research institute")
    SCHOOL_AUTHORITY = "school_authority", _("School authority")
    EMPLOYERS_ASSOCIATION = "employers_association", _("Employers' association")
    TRADE_UNION = "trade_union", _("Trade union")
    WELFARE_ASSOCIATION = "welfare_association", _("Welfare association")
    TRAINING_PROVIDER = "training_provider", _("Training provider")
    COMPANY = "company", _("Company")
    MINISTRY = "ministry", _("Ministry or state agency")
    CLUSTER_INITIATIVE = "cluster_initiative", _("Cluster or initiative")
    WELCOME_CENTRE = "welcome_centre", _("Welcome centre")
    PROJECT = "project", _("State project or programme")
    OTHER = "other", _("Other")


class SizeClass(models.TextChoices):
    """EU size classes by head count (Recommendation 2003/361/EC)."""

    MICRO = "micro", _("Micro (fewer than 10 employees)")
    SMALL = "small", _("Small (10 to 49 employees)")
    MEDIUM = "medium", _("Medium-sized (50 to 249 employees)")
    LARGE = "large", _("Large (250 employees or more)")


SME_SIZE_CLASSES = frozenset({SizeClass.MICRO, SizeClass.SMALL, SizeClass.MEDIUM})


class OrganisationQuerySet(VisibleQuerySet):
    def visible_to(self, user: Any) -> Self:
        """Organisations are institutions, not persons: everyone may see them."""
        return self.all()


postcode_validator = RegexValidator(r"^[0-9]{5}$", _("A German postcode has five digits."))


class Organisation(TimeStampedModel):
    """A partner, provider or company (Akteur, Partner, Träger, Unternehmen)."""

    name = models.CharField(_("name"), max_length=200)
    short_name = models.CharField(_("short name"), max_length=60, blank=True)
    slug = models.SlugField(_("short key"), max_length=100, unique=True)
    kind = models.CharField(_("kind"), max_length=30, choices=OrganisationKind.choices)
    description = models.TextField(_("description"), blank=True)
    website = models.URLField(_("website"), blank=True)
    street = models.CharField(_("street and number"), max_length=200, blank=True)
    postcode = models.CharField(
        _("postcode"), max_length=5, blank=True, validators=[postcode_validator]
    )
    city = models.CharField(_("city"), max_length=120, blank=True)
    region = models.ForeignKey(
        Region,
        verbose_name=_("region"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="organisations",
    )
    latitude = models.DecimalField(max_digits=8, decimal_places=5, null=True, blank=True)
    longitude = models.DecimalField(max_digits=8, decimal_places=5, null=True, blank=True)
    parent = models.ForeignKey(
        "self",
        verbose_name=_("run or funded by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="children",
    )
    sector_wz2008 = models.CharField(
        _("sector (WZ 2008)"),
        max_length=6,
        blank=True,
        help_text=_("Code of the German classification of economic activities, e.g. 28 or 28.41."),
    )
    size_class = models.CharField(
        _("size class"), max_length=10, choices=SizeClass.choices, blank=True
    )
    is_sme = models.BooleanField(_("SME (KMU)"), null=True, blank=True)

    objects = OrganisationQuerySet.as_manager()

    class Meta:
        ordering = ["name"]
        verbose_name = _("organisation")
        verbose_name_plural = _("organisations")
        constraints = [
            models.CheckConstraint(
                condition=Q(kind="company")
                | (Q(sector_wz2008="") & Q(size_class="") & Q(is_sme__isnull=True)),
                name="%(app_label)s_%(class)s_company_fields_only_for_companies",
            ),
        ]

    def __str__(self) -> str:
        return self.name

    def get_absolute_url(self) -> str:
        return reverse("network:organisation_detail", args=[self.slug])

    def audit_network_ids(self) -> list[int]:
        return list(self.memberships.values_list("network_id", flat=True))


class ContactVisibility(models.TextChoices):
    PUBLIC = "public", _("Public")
    NETWORK = "network", _("Members of the organisation's networks")


class ContactPointQuerySet(VisibleQuerySet):
    def visible_to(self, user: Any) -> Self:
        if is_administrator(user):
            return self.all()
        public = Q(visibility=ContactVisibility.PUBLIC)
        if not is_partner_staff(user):
            return self.filter(public)
        shared = Q(visibility=ContactVisibility.NETWORK) & Q(
            organisation__memberships__network_id__in=user.network_ids()
        )
        own = Q(organisation_id=user.organisation_id)
        return self.filter(public | shared | own).distinct()


class ContactPoint(TimeStampedModel):
    """A function of an organisation that can be contacted, never a named person."""

    organisation = models.ForeignKey(
        Organisation, on_delete=models.CASCADE, related_name="contact_points"
    )
    function = models.CharField(_("function"), max_length=200)
    email = models.EmailField(_("e-mail"), blank=True)
    phone = models.CharField(_("phone"), max_length=40, blank=True)
    street = models.CharField(_("street and number"), max_length=200, blank=True)
    postcode = models.CharField(_("postcode"), max_length=5, blank=True)
    city = models.CharField(_("city"), max_length=120, blank=True)
    visibility = models.CharField(
        _("visible to"),
        max_length=10,
        choices=ContactVisibility.choices,
        default=ContactVisibility.PUBLIC,
    )

    objects = ContactPointQuerySet.as_manager()

    class Meta:
        ordering = ["organisation", "function"]
        verbose_name = _("contact point")
        verbose_name_plural = _("contact points")
        constraints = [
            models.UniqueConstraint(
                fields=["organisation", "function"], name="%(app_label)s_%(class)s_unique_function"
            )
        ]

    def __str__(self) -> str:
        return f"{self.function}, {self.organisation}"

    def audit_network_ids(self) -> list[int]:
        return self.organisation.audit_network_ids()


class NetworkKind(models.TextChoices):
    ALLIANCE = "alliance", _("Alliance")
    PACT = "pact", _("Pact")
    NETWORK = "network", _("Network")
    CLUSTER = "cluster", _("Cluster")
    COOPERATION = "cooperation", _("Cooperation")


class NetworkQuerySet(VisibleQuerySet):
    def with_member_counts(self) -> Self:
        return self.annotate(member_count=models.Count("memberships", distinct=True)).order_by(
            "name"
        )

    def visible_to(self, user: Any) -> Self:
        """Published networks for everyone; drafts for their coordinators."""
        if is_administrator(user):
            return self.all()
        draft_ids: frozenset[int] = frozenset()
        if getattr(user, "is_authenticated", False) and user.is_active:
            draft_ids = user.coordinated_network_ids()
        return self.filter(Q(is_published=True) | Q(id__in=draft_ids))


class Network(TimeStampedModel):
    """An alliance, pact, network or cluster of organisations (multi-tenant unit)."""

    name = models.CharField(_("name"), max_length=200)
    slug = models.SlugField(_("short key"), max_length=100, unique=True)
    kind = models.CharField(_("kind"), max_length=20, choices=NetworkKind.choices)
    founded = models.PositiveSmallIntegerField(_("founding year"), null=True, blank=True)
    regions = models.ManyToManyField(
        Region, verbose_name=_("regions"), blank=True, related_name="networks"
    )
    summary = models.TextField(_("summary"), blank=True)
    description = models.TextField(_("description"), blank=True)
    source = models.CharField(_("source document"), max_length=300, blank=True)
    recognition = models.CharField(_("recognition"), max_length=300, blank=True)
    is_published = models.BooleanField(_("published"), default=True)
    organisations: models.ManyToManyField["Organisation", "Membership"] = models.ManyToManyField(
        Organisation, through="Membership", related_name="networks", verbose_name=_("members")
    )

    objects = NetworkQuerySet.as_manager()

    class Meta:
        ordering = ["name"]
        verbose_name = _("network")
        verbose_name_plural = _("networks")
        constraints = [
            models.CheckConstraint(
                condition=Q(founded__isnull=True) | Q(founded__gte=1900, founded__lte=2100),
                name="%(app_label)s_%(class)s_founded_plausible",
            )
        ]

    def __str__(self) -> str:
        return self.name

    def get_absolute_url(self) -> str:
        return reverse("network:network_detail", args=[self.slug])

    def audit_network_ids(self) -> list[int]:
        return [self.pk]

    def members_by_role(self) -> list[tuple[str, list["Membership"]]]:
        """Members grouped as the documents list them: managing, members, partners."""
        memberships = self.memberships.select_related("organisation").order_by("organisation__name")
        return [
            (role.label, members)
            for role in MembershipRole
            if (members := [m for m in memberships if m.role == role])
        ]


class MembershipRole(models.TextChoices):
    MANAGING = "managing", _("Managing member")
    MEMBER = "member", _("Member")
    PARTNER = "partner", _("Partner")


class NetworkPartQuerySet(VisibleQuerySet):
    """Parts of a network are as visible as the network itself."""

    network_path = "network"

    def visible_to(self, user: Any) -> Self:
        visible = Network.objects.visible_to(user).values("pk")
        return self.filter(**{f"{self.network_path}__in": visible})


class Membership(TimeStampedModel):
    """An organisation's place in a network, with its share of the work."""

    network = models.ForeignKey(Network, on_delete=models.CASCADE, related_name="memberships")
    organisation = models.ForeignKey(
        Organisation, on_delete=models.CASCADE, related_name="memberships"
    )
    role = models.CharField(_("role"), max_length=10, choices=MembershipRole.choices)
    responsibilities = models.TextField(_("responsibilities"), blank=True)

    objects = NetworkPartQuerySet.as_manager()

    class Meta:
        ordering = ["network", "role", "organisation__name"]
        verbose_name = _("membership")
        verbose_name_plural = _("memberships")
        constraints = [
            models.UniqueConstraint(
                fields=["network", "organisation"], name="%(app_label)s_%(class)s_unique_member"
            )
        ]

    def __str__(self) -> str:
        return f"{self.organisation} – {self.network} ({self.get_role_display()})"

    def audit_network_ids(self) -> list[int]:
        return [self.network_id]


class ActionPartQuerySet(NetworkPartQuerySet):
    network_path = "action_field__network"


class NumberedNetworkPart(TimeStampedModel):
    """Ordered item of a network, numbered as in the source document."""

    network = models.ForeignKey(Network, on_delete=models.CASCADE, related_name="+")
    number = models.PositiveSmallIntegerField(_("number"))

    objects = NetworkPartQuerySet.as_manager()

    class Meta:
        abstract = True
        ordering = ["network", "number"]

    def audit_network_ids(self) -> list[int]:
        return [self.network_id]


class PrincipleKind(models.TextChoices):
    MISSION = "mission", _("What we stand for")
    AGREEMENT = "agreement", _("Agreement")


class Principle(NumberedNetworkPart):
    """What a network stands for or what its partners agreed on."""

    network = models.ForeignKey(Network, on_delete=models.CASCADE, related_name="principles")
    kind = models.CharField(_("kind"), max_length=10, choices=PrincipleKind.choices)
    title = models.CharField(_("title"), max_length=200, blank=True)
    text = models.TextField(_("text"))

    class Meta(NumberedNetworkPart.Meta):
        ordering = ["network", "kind", "number"]
        verbose_name = _("principle")
        verbose_name_plural = _("principles")
        constraints = [
            models.UniqueConstraint(
                fields=["network", "kind", "number"], name="%(app_label)s_%(class)s_unique_number"
            )
        ]

    def __str__(self) -> str:
        return self.title or self.text[:80]


class Challenge(NumberedNetworkPart):
    """A challenge (Herausforderung) the network answers."""

    network = models.ForeignKey(Network, on_delete=models.CASCADE, related_name="challenges")
    title = models.CharField(_("title"), max_length=200)
    description = models.TextField(_("description"), blank=True)

    class Meta(NumberedNetworkPart.Meta):
        verbose_name = _("challenge")
        verbose_name_plural = _("challenges")
        constraints = [
            models.UniqueConstraint(
                fields=["network", "number"], name="%(app_label)s_%(class)s_unique_number"
            )
        ]

    def __str__(self) -> str:
        return self.title


class ActionField(NumberedNetworkPart):
    """An action field (Handlungsfeld) with its goals and implementation approaches."""

    network = models.ForeignKey(Network, on_delete=models.CASCADE, related_name="action_fields")
    title = models.CharField(_("title"), max_length=300)
    description = models.TextField(_("description"), blank=True)

    class Meta(NumberedNetworkPart.Meta):
        verbose_name = _("action field")
        verbose_name_plural = _("action fields")
        constraints = [
            models.UniqueConstraint(
                fields=["network", "number"], name="%(app_label)s_%(class)s_unique_number"
            )
        ]

    def __str__(self) -> str:
        return f"{self.number}. {self.title}"

    def get_absolute_url(self) -> str:
        return reverse("network:action_field_detail", args=[self.network.slug, self.number])


class ActionFieldItem(TimeStampedModel):
    action_field = models.ForeignKey(ActionField, on_delete=models.CASCADE, related_name="+")
    number = models.PositiveSmallIntegerField(_("number"))
    text = models.TextField(_("text"))

    objects = ActionPartQuerySet.as_manager()

    class Meta:
        abstract = True
        ordering = ["action_field", "number"]

    def __str__(self) -> str:
        return f"{self.outline_number} {self.text[:80]}"

    @property
    def outline_number(self) -> str:
        """Numbered as in the documents: item 2 of action field 1 is ``1.2``."""
        return f"{self.action_field.number}.{self.number}"

    def audit_network_ids(self) -> list[int]:
        return [self.action_field.network_id]


class Goal(ActionFieldItem):
    """A goal (Ziel) of an action field."""

    action_field = models.ForeignKey(ActionField, on_delete=models.CASCADE, related_name="goals")

    class Meta(ActionFieldItem.Meta):
        verbose_name = _("goal")
        verbose_name_plural = _("goals")
        constraints = [
            models.UniqueConstraint(
                fields=["action_field", "number"], name="%(app_label)s_%(class)s_unique_number"
            )
        ]


class Approach(ActionFieldItem):
    """An implementation approach or prioritised measure (Umsetzungsansatz)."""

    action_field = models.ForeignKey(
        ActionField, on_delete=models.CASCADE, related_name="approaches"
    )

    class Meta(ActionFieldItem.Meta):
        verbose_name = _("implementation approach")
        verbose_name_plural = _("implementation approaches")
        constraints = [
            models.UniqueConstraint(
                fields=["action_field", "number"], name="%(app_label)s_%(class)s_unique_number"
            )
        ]


class KeyFigure(NumberedNetworkPart):
    """A figure of the network's fact check (Faktencheck), kept for monitoring."""

    network = models.ForeignKey(Network, on_delete=models.CASCADE, related_name="key_figures")
    category = models.CharField(_("category"), max_length=120, blank=True)
    label = models.CharField(_("label"), max_length=300)
    value = models.DecimalField(_("value"), max_digits=18, decimal_places=3, null=True, blank=True)
    unit = models.CharField(_("unit"), max_length=30, blank=True)
    reference_date = models.DateField(_("as of"), null=True, blank=True)
    note = models.CharField(_("note"), max_length=300, blank=True)

    class Meta(NumberedNetworkPart.Meta):
        verbose_name = _("key figure")
        verbose_name_plural = _("key figures")
        constraints = [
            models.UniqueConstraint(
                fields=["network", "number"], name="%(app_label)s_%(class)s_unique_number"
            )
        ]

    def __str__(self) -> str:
        return self.label

    @property
    def value_display(self) -> Decimal | None:
        """The value without trailing zeros (251485, 5.5, 61.6)."""
        if self.value is None:
            return None
        return (
            self.value.normalize()
            if self.value != self.value.to_integral()
            else self.value.quantize(Decimal(1))
        )
