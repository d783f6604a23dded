"""API of the accounts app: who am I."""

from typing import Any

from drf_spectacular.helpers import forced_singular_serializer
from drf_spectacular.utils import extend_schema
from rest_framework import permissions, serializers, viewsets
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.routers import BaseRouter

from lotse.accounts.models import User
from lotse.network.models import Network, Organisation


class MeSerializer(serializers.ModelSerializer):
    organisation: "serializers.SlugRelatedField[Organisation]" = serializers.SlugRelatedField(
        slug_field="slug", read_only=True, allow_null=True
    )
    coordinated_networks: "serializers.SlugRelatedField[Network]" = serializers.SlugRelatedField(
        slug_field="slug", many=True, read_only=True
    )

    class Meta:
        model = User
        fields = ["username", "role", "organisation", "coordinated_networks"]
        read_only_fields = fields


class MeViewSet(viewsets.ViewSet):
    """The signed-in user's own account."""

    permission_classes = [permissions.IsAuthenticated]
    serializer_class = MeSerializer

    # Routed as ``list`` to live at /me/, but the answer is one object, not an array.
    @extend_schema(responses=forced_singular_serializer(MeSerializer))
    def list(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        return Response(MeSerializer(request.user).data)


def register(router: BaseRouter) -> None:
    router.register("me", MeViewSet, basename="me")
