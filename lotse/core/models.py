"""Kernel models: the base every domain model shares and the audit log."""

from typing import Any, Self

from django.conf import settings
from django.contrib.contenttypes.models import ContentType
from django.db import models
from django.utils.translation import gettext_lazy as _

from lotse.core.permissions import Role, is_administrator, role_of


class TimeStampedModel(models.Model):
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)

    class Meta:
        abstract = True


class VisibleQuerySet(models.QuerySet):
    """A QuerySet that knows what a user may see; every list and detail starts here."""

    def visible_to(self, user: Any) -> Self:
        raise NotImplementedError


class AuditEntryQuerySet(VisibleQuerySet):
    def visible_to(self, user: Any) -> Self:
        """Administrators read everything; coordinators the entries of their networks."""
        if is_administrator(user):
            return self.all()
        if role_of(user) == Role.COORDINATOR:
            return self.filter(scopes__network_id__in=user.coordinated_network_ids()).distinct()
        return self.none()


class AuditEntry(models.Model):
    """One recorded action: who did what to which object, with masked details."""

    created_at = models.DateTimeField(_("time"), auto_now_add=True, db_index=True)
    action = models.CharField(_("action"), max_length=100, db_index=True)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("actor"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    actor_label = models.CharField(_("actor"), max_length=200, blank=True)
    content_type = models.ForeignKey(
        ContentType, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    object_id = models.CharField(max_length=64, blank=True)
    object_label = models.CharField(_("object"), max_length=300, blank=True)
    data = models.JSONField(_("details"), default=dict, blank=True)

    objects = AuditEntryQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("audit entry")
        verbose_name_plural = _("audit log")

    def __str__(self) -> str:
        return f"{self.created_at:%Y-%m-%d %H:%M} {self.action} {self.object_label}"


class AuditScope(models.Model):
    """Which networks an audit entry concerns, so their coordinators may read it.

    A plain integer, not a foreign key: the kernel imports no domain app.
    """

    entry = models.ForeignKey(AuditEntry, on_delete=models.CASCADE, related_name="scopes")
    network_id = models.PositiveBigIntegerField(db_index=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["entry", "network_id"], name="%(app_label)s_%(class)s_unique_network"
            )
        ]

    def __str__(self) -> str:
        return f"{self.entry_id} → network {self.network_id}"
