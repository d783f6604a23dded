"""API of the offer compass: /api/v1/offers/ with the page's filters, facets and search."""

from typing import Any

from django.db.models import Prefetch
from drf_spectacular.utils import (
    OpenApiParameter,
    extend_schema,
    extend_schema_field,
    inline_serializer,
)
from rest_framework import exceptions, serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.parsers import JSONParser
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.routers import BaseRouter

from lotse.core.api import PageNumberPagination
from lotse.core.permissions import can
from lotse.network.models import ActionField, Organisation, Region
from lotse.offers import imports
from lotse.offers.compass import PAGE_SIZE, OrderedOffers, search_offers
from lotse.offers.documents import offer_documents
from lotse.offers.filters import OfferFilter
from lotse.offers.models import (
    FundingType,
    Language,
    Offer,
    OfferKind,
    OfferLink,
    PracticeExample,
    TargetGroup,
)


class PracticeExampleSerializer(serializers.ModelSerializer):
    organisation: "serializers.SlugRelatedField[Organisation]" = serializers.SlugRelatedField(
        slug_field="slug", read_only=True
    )

    class Meta:
        model = PracticeExample
        fields = ["title", "organisation", "story", "figures"]
        read_only_fields = fields


class OfferLinkSerializer(serializers.ModelSerializer):
    class Meta:
        model = OfferLink
        fields = ["label", "url"]
        read_only_fields = fields


class OfferSerializer(serializers.ModelSerializer):
    url = serializers.HyperlinkedIdentityField(view_name="offer-detail", lookup_field="slug")
    provider: "serializers.SlugRelatedField[Organisation]" = serializers.SlugRelatedField(
        slug_field="slug", read_only=True
    )
    provider_name = serializers.CharField(source="provider.name", read_only=True)
    partners: "serializers.SlugRelatedField[Organisation]" = serializers.SlugRelatedField(
        slug_field="slug", many=True, read_only=True
    )
    target_groups: "serializers.SlugRelatedField[TargetGroup]" = serializers.SlugRelatedField(
        slug_field="slug", many=True, read_only=True
    )
    regions: "serializers.SlugRelatedField[Region]" = serializers.SlugRelatedField(
        slug_field="code", many=True, read_only=True
    )
    languages: "serializers.SlugRelatedField[Language]" = serializers.SlugRelatedField(
        slug_field="code", many=True, read_only=True
    )
    action_fields = serializers.SerializerMethodField()
    practice_examples = PracticeExampleSerializer(many=True, read_only=True)
    links = OfferLinkSerializer(many=True, read_only=True)

    class Meta:
        model = Offer
        fields = [
            "url", "slug", "title", "kind", "summary", "description", "provider",
            "provider_name", "provider_assumed", "partners", "target_groups", "action_fields",
            "regions", "nationwide", "languages", "funding_type", "funding_amount",
            "eligibility", "application_deadline", "website", "links", "source", "valid_from",
            "valid_until", "published_at", "updated_at", "practice_examples",
        ]  # fmt: skip
        read_only_fields = fields

    def get_action_fields(self, offer: Offer) -> list[str]:
        return [f"{field.network.slug}/{field.number}" for field in offer.action_fields.all()]


class FacetValueSerializer(serializers.Serializer):
    value = serializers.CharField()
    label = serializers.CharField()  # type: ignore[assignment]
    count = serializers.IntegerField()
    selected = serializers.BooleanField()


class OfferPageSerializer(serializers.Serializer):
    count = serializers.IntegerField()
    next = serializers.URLField(allow_null=True)
    previous = serializers.URLField(allow_null=True)
    facets = serializers.DictField(child=FacetValueSerializer(many=True))
    corrections = serializers.ListField(child=serializers.ListField(child=serializers.CharField()))
    results = OfferSerializer(many=True)


@extend_schema_field({"type": "string", "enum": list(OfferKind.values)})
class OfferKindField(serializers.ChoiceField):
    """Inline in the schema: a second ``kind`` enum would rename ``OfferKindEnum``."""

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(choices=OfferKind.choices, **kwargs)


class OfferImportSerializer(serializers.Serializer):
    """One offer as the import takes it: the API's field names, references by key.

    Only describes the request; ``offers.imports`` checks it, to report every
    problem with its row. On an update, fields left out keep their value.
    """

    slug = serializers.SlugField(max_length=120)
    title = serializers.CharField(max_length=200)
    kind = OfferKindField()
    summary = serializers.CharField(max_length=500)
    description = serializers.CharField(required=False, allow_blank=True)
    provider = serializers.SlugField(help_text="Key (slug) of the providing organisation.")
    partners = serializers.ListField(child=serializers.SlugField(), required=False)
    target_groups = serializers.ListField(child=serializers.SlugField())
    action_fields = serializers.ListField(
        child=serializers.CharField(), required=False, help_text='Each "<network>/<number>".'
    )
    regions = serializers.ListField(
        child=serializers.CharField(),
        required=False,
        help_text="Official codes of Länder and Kreise.",
    )
    nationwide = serializers.BooleanField(required=False)
    languages = serializers.ListField(
        child=serializers.CharField(), required=False, help_text="ISO 639-1 codes."
    )
    funding_type = serializers.ChoiceField(
        choices=FundingType.choices, required=False, allow_blank=True
    )
    funding_amount = serializers.CharField(required=False, allow_blank=True)
    eligibility = serializers.CharField(required=False, allow_blank=True)
    application_deadline = serializers.DateField(required=False, allow_null=True)
    website = serializers.URLField(required=False, allow_blank=True)
    valid_from = serializers.DateField(required=False, allow_null=True)
    valid_until = serializers.DateField(required=False, allow_null=True)


class ImportQuerySerializer(serializers.Serializer):
    dry_run = serializers.BooleanField(
        default=False, help_text="Only check the offers and say what would change."
    )


class ImportRowSerializer(serializers.Serializer):
    row = serializers.IntegerField()
    key = serializers.CharField()
    title = serializers.CharField()
    action = serializers.ChoiceField(choices=["created", "updated", "unchanged"])


class ImportResultSerializer(serializers.Serializer):
    dry_run = serializers.BooleanField()
    created = serializers.IntegerField()
    updated = serializers.IntegerField()
    unchanged = serializers.IntegerField()
    rows = ImportRowSerializer(many=True)


class ImportProblemSerializer(serializers.Serializer):
    row = serializers.IntegerField(allow_null=True, help_text="Position in the list, from 1.")
    field = serializers.CharField(allow_blank=True)
    message = serializers.CharField()


def related_keys() -> list[Prefetch]:
    """The related objects an offer is serialised with, each with only what is shown."""
    return [
        Prefetch("partners", queryset=Organisation.objects.only("slug")),
        Prefetch("target_groups", queryset=TargetGroup.objects.only("slug", "position")),
        Prefetch("regions", queryset=Region.objects.only("code", "name")),
        Prefetch("languages", queryset=Language.objects.only("code", "name")),
        Prefetch(
            "action_fields",
            queryset=ActionField.objects.select_related("network").only("number", "network__slug"),
        ),
        Prefetch("links", queryset=OfferLink.objects.only("offer_id", "label", "url")),
        Prefetch(
            "practice_examples",
            queryset=PracticeExample.objects.select_related("organisation").only(
                "offer_id", "title", "story", "figures", "organisation__slug"
            ),
        ),
    ]


class CompassPagination(PageNumberPagination):
    """The compass page's pages: ``?page=2`` lists the same offers on the page and here."""

    page_size = PAGE_SIZE


class OfferViewSet(viewsets.ReadOnlyModelViewSet):
    """Published offers (and the drafts of one's own organisation), searchable like the page."""

    serializer_class = OfferSerializer
    pagination_class = CompassPagination
    lookup_field = "slug"
    filterset_class = OfferFilter

    def get_queryset(self) -> Any:
        offers = Offer.objects.visible_to(self.request.user).select_related("provider")
        return offers.prefetch_related(*related_keys())

    def filter_queryset(self, queryset: Any) -> Any:
        """The list's filters are for the list: an offer's URL finds it whatever the query."""
        if self.action != "list":
            return queryset
        return super().filter_queryset(queryset)

    @extend_schema(
        responses=OfferPageSerializer,
        parameters=[OpenApiParameter("page", int), OpenApiParameter("page_size", int)],
    )
    def list(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        result = search_offers(request.query_params, request.user)
        if not result.is_valid:
            raise serializers.ValidationError(result.filterset.errors)
        offers, catalogue = result.offers, result.catalogue
        assert isinstance(offers, OrderedOffers) and catalogue  # so is every valid search
        # The paginator pages the ordered ids; only the page's offers become documents.
        documents = offers.fetching(lambda ids: offer_documents(ids, request, catalogue))
        page: list[Any] | None = self.paginate_queryset(documents)  # type: ignore[arg-type]
        response = self.get_paginated_response(page)
        response.data["facets"] = {
            name: [vars(value) for value in values] for name, values in result.facets.items()
        }
        response.data["corrections"] = (
            [list(pair) for pair in result.query.corrections()] if result.query else []
        )
        return response

    @extend_schema(
        request=OfferImportSerializer(many=True),
        parameters=[ImportQuerySerializer],
        responses={
            200: ImportResultSerializer,
            # ``errors`` would shadow Serializer.errors on a declared class.
            400: inline_serializer("ImportErrors", {"errors": ImportProblemSerializer(many=True)}),
        },
    )
    @action(
        detail=False,
        methods=["post"],
        url_path="import",
        pagination_class=None,
        parser_classes=[JSONParser],
    )
    def import_offers(self, request: Request) -> Response:
        """Create or update offers (coordinators): all of them, or none if any is invalid.

        New offers are published, existing ones (the same slug) keep their status.
        """
        if not can(request.user, "offers.import_offers"):
            raise exceptions.PermissionDenied()
        query = ImportQuerySerializer(data=request.query_params)
        if not query.is_valid():
            errors = [
                {"row": None, "field": name, "message": " ".join(messages)}
                for name, messages in query.errors.items()
            ]
            return Response({"errors": errors}, status=status.HTTP_400_BAD_REQUEST)
        dry_run = query.validated_data["dry_run"]
        source = imports.from_json(request.data)
        report = imports.import_offers(source, actor=request.user, dry_run=dry_run)
        if not report.is_valid:
            errors = [vars(problem) for problem in report.problems]
            return Response({"errors": errors}, status=status.HTTP_400_BAD_REQUEST)
        rows = [vars(row) for row in report.rows]
        return Response({"dry_run": report.dry_run, **report.counts, "rows": rows})


def register(router: BaseRouter) -> None:
    router.register("offers", OfferViewSet, basename="offer")
