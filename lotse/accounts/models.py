"""Users with a role, an organisation and the networks they coordinate."""

from functools import cached_property

from django.contrib.auth.models import AbstractUser
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from lotse.core.permissions import Role
from lotse.network.models import Membership, Network, Organisation


class User(AbstractUser):
    """A person who signs in: partner staff, a company user or a talent."""

    role = models.CharField(_("role"), max_length=20, choices=Role.choices, default=Role.TALENT)
    organisation = models.ForeignKey(
        Organisation,
        verbose_name=_("organisation"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="users",
    )
    coordinated_networks = models.ManyToManyField(
        Network, verbose_name=_("coordinated networks"), blank=True, related_name="coordinators"
    )
    is_demo = models.BooleanField(_("demo account"), default=False, editable=False)

    class Meta:
        ordering = ["username"]
        verbose_name = _("user")
        verbose_name_plural = _("users")
        constraints = [
            models.CheckConstraint(
                condition=~Q(role__in=["adviser", "coordinator", "company"])
                | Q(organisation__isnull=False),
                name="%(app_label)s_%(class)s_staff_and_companies_have_organisation",
            )
        ]

    def __str__(self) -> str:
        return self.get_full_name() or self.username

    @cached_property
    def _coordinated_ids(self) -> frozenset[int]:
        if self.role != Role.COORDINATOR:
            return frozenset()
        return frozenset(self.coordinated_networks.values_list("id", flat=True))

    def coordinated_network_ids(self) -> frozenset[int]:
        return self._coordinated_ids

    @cached_property
    def _network_ids(self) -> frozenset[int]:
        member_of: set[int] = set()
        if self.organisation_id is not None:
            member_of = set(
                Membership.objects.filter(organisation_id=self.organisation_id).values_list(
                    "network_id", flat=True
                )
            )
        return frozenset(member_of | self._coordinated_ids)

    def network_ids(self) -> frozenset[int]:
        """Networks the user works in: their organisation's and those they coordinate."""
        return self._network_ids
