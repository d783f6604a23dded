"""API of networks, organisations and action concepts (/api/v1/)."""

from typing import Any

from django.core.exceptions import NON_FIELD_ERRORS
from django.core.exceptions import ValidationError as DjangoValidationError
from django.db.models import Prefetch, QuerySet
from drf_spectacular.utils import extend_schema
from rest_framework import mixins, permissions, serializers, viewsets
from rest_framework.decorators import action
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.routers import BaseRouter
from rest_framework.settings import api_settings

from lotse.core.api import ReadOnlyOrStaffWrites
from lotse.core.permissions import can
from lotse.network import services
from lotse.network.filters import ActionFieldFilter, NetworkFilter, OrganisationFilter
from lotse.network.models import (
    ActionField,
    Membership,
    Network,
    Organisation,
    Principle,
    Region,
)


class RegionSerializer(serializers.ModelSerializer):
    class Meta:
        model = Region
        fields = ["code", "name", "level"]
        read_only_fields = fields


class MembershipSerializer(serializers.ModelSerializer):
    organisation: "serializers.SlugRelatedField[Organisation]" = serializers.SlugRelatedField(
        slug_field="slug", read_only=True
    )
    organisation_name = serializers.CharField(source="organisation.name", read_only=True)
    network: "serializers.SlugRelatedField[Network]" = serializers.SlugRelatedField(
        slug_field="slug", read_only=True
    )

    class Meta:
        model = Membership
        fields = ["network", "organisation", "organisation_name", "role", "responsibilities"]
        read_only_fields = fields


class OrganisationSerializer(serializers.ModelSerializer):
    # ``Field.parent`` is the enclosing serializer in the stubs; DRF moves declared
    # fields out of the class, so the name is free at runtime.
    parent = serializers.SlugRelatedField(  # type: ignore[assignment]
        slug_field="slug", queryset=Organisation.objects.all(), required=False, allow_null=True
    )
    region = RegionSerializer(read_only=True, allow_null=True)
    url = serializers.HyperlinkedIdentityField(view_name="organisation-detail", lookup_field="slug")

    class Meta:
        model = Organisation
        fields = [
            "url", "slug", "name", "short_name", "kind", "description", "website",
            "street", "postcode", "city", "region", "latitude", "longitude", "parent",
            "sector_wz2008", "size_class", "is_sme", "updated_at",
        ]  # fmt: skip
        read_only_fields = ["latitude", "longitude", "updated_at"]


class NetworkSerializer(serializers.ModelSerializer):
    regions = RegionSerializer(many=True, read_only=True)
    url = serializers.HyperlinkedIdentityField(view_name="network-detail", lookup_field="slug")

    class Meta:
        model = Network
        fields = [
            "url", "slug", "name", "kind", "founded", "regions", "summary", "description",
            "source", "recognition", "updated_at",
        ]  # fmt: skip
        read_only_fields = fields


class NetworkDetailSerializer(NetworkSerializer):
    memberships = MembershipSerializer(many=True, read_only=True)

    class Meta(NetworkSerializer.Meta):
        fields = [*NetworkSerializer.Meta.fields, "memberships"]
        read_only_fields = fields


class NumberedTextSerializer(serializers.Serializer):
    number = serializers.CharField(source="outline_number")
    text = serializers.CharField()


class ActionFieldSerializer(serializers.ModelSerializer):
    network: "serializers.SlugRelatedField[Network]" = serializers.SlugRelatedField(
        slug_field="slug", read_only=True
    )
    goals = NumberedTextSerializer(many=True, read_only=True)
    approaches = NumberedTextSerializer(many=True, read_only=True)

    class Meta:
        model = ActionField
        fields = ["network", "number", "title", "description", "goals", "approaches"]
        read_only_fields = fields


class PrincipleSerializer(serializers.ModelSerializer):
    class Meta:
        model = Principle
        fields = ["kind", "number", "title", "text"]
        read_only_fields = fields


class ChallengeSerializer(serializers.Serializer):
    number = serializers.IntegerField()
    title = serializers.CharField()
    description = serializers.CharField()


class ActionConceptSerializer(serializers.Serializer):
    network = serializers.CharField(source="slug")
    principles = PrincipleSerializer(many=True)
    challenges = ChallengeSerializer(many=True)
    action_fields = ActionFieldSerializer(many=True)


def _action_fields() -> QuerySet[ActionField]:
    return ActionField.objects.select_related("network").prefetch_related(
        "goals__action_field", "approaches__action_field"
    )


class NetworkViewSet(viewsets.ReadOnlyModelViewSet):
    """Published networks (and drafts for their coordinators)."""

    lookup_field = "slug"
    filterset_class = NetworkFilter

    def get_queryset(self) -> QuerySet[Network]:
        networks = Network.objects.visible_to(self.request.user).prefetch_related("regions")
        if self.action == "retrieve":
            members = Membership.objects.select_related("organisation", "network")
            networks = networks.prefetch_related(Prefetch("memberships", queryset=members))
        return networks

    def get_serializer_class(self) -> type[serializers.Serializer]:
        return NetworkDetailSerializer if self.action == "retrieve" else NetworkSerializer

    @extend_schema(responses=ActionConceptSerializer)
    @action(detail=True, url_path="action-concept")
    def action_concept(self, request: Request, slug: str | None = None) -> Response:
        """The network's action concept: principles, challenges, action fields."""
        network = self.get_object()
        data = ActionConceptSerializer(
            {
                "slug": network.slug,
                "principles": network.principles.all(),
                "challenges": network.challenges.all(),
                "action_fields": _action_fields().filter(network=network),
            }
        ).data
        return Response(data)


class ActionFieldViewSet(viewsets.ReadOnlyModelViewSet):
    """Action fields of all visible networks; filter with ``?network=<slug>``."""

    serializer_class = ActionFieldSerializer
    filterset_class = ActionFieldFilter

    def get_queryset(self) -> QuerySet[ActionField]:
        return _action_fields().filter(network__in=Network.objects.visible_to(self.request.user))


class OrganisationPermission(ReadOnlyOrStaffWrites):
    """Ask the service's own rules before the payload is validated.

    Otherwise whoever may not write would get a 400 listing what is wrong
    with their payload (or that a slug is taken) instead of a 403. The
    services still check again, so a rule stays written once.
    """

    def has_permission(self, request: Request, view: Any) -> bool:
        if not super().has_permission(request, view):
            return False
        if getattr(view, "action", None) == "create":
            return can(request.user, "network.add_organisation")
        return True

    def has_object_permission(self, request: Request, view: Any, obj: Any) -> bool:
        if request.method in permissions.SAFE_METHODS:
            return True
        return can(request.user, "network.change_organisation", obj)


class OrganisationViewSet(
    mixins.CreateModelMixin,
    mixins.UpdateModelMixin,
    viewsets.ReadOnlyModelViewSet,
):
    """Organisations; partner staff may create and change them as their role allows."""

    lookup_field = "slug"
    serializer_class = OrganisationSerializer
    filterset_class = OrganisationFilter
    permission_classes = [OrganisationPermission]

    def get_queryset(self) -> QuerySet[Organisation]:
        return (
            Organisation.objects.visible_to(self.request.user)
            .select_related("region", "parent")
            .distinct()
        )

    def perform_create(self, serializer: serializers.BaseSerializer) -> None:
        serializer.instance = self._call(services.create_organisation, **serializer.validated_data)

    def perform_update(self, serializer: serializers.BaseSerializer) -> None:
        serializer.instance = self._call(
            services.update_organisation, serializer.instance, **serializer.validated_data
        )

    def _call(self, service: Any, *args: Any, **fields: Any) -> Organisation:
        try:
            return service(*args, actor=self.request.user, **fields)
        except DjangoValidationError as error:
            detail = serializers.as_serializer_error(error)
            if NON_FIELD_ERRORS in detail:
                detail[api_settings.NON_FIELD_ERRORS_KEY] = detail.pop(NON_FIELD_ERRORS)
            raise serializers.ValidationError(detail) from error


def register(router: BaseRouter) -> None:
    router.register("networks", NetworkViewSet, basename="network")
    router.register("action-fields", ActionFieldViewSet, basename="actionfield")
    router.register("organisations", OrganisationViewSet, basename="organisation")
