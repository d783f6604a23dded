"""API of the occupations app: /api/v1/occupations/ (the KldB tree) and .../code/ (the coder)."""

from typing import Any

from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework import serializers, viewsets
from rest_framework.decorators import action
from rest_framework.exceptions import APIException, NotFound
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.routers import BaseRouter

from lotse.core.api import PageNumberPagination, ReadOnlyOrStaffWrites
from lotse.core.text import fold
from lotse.occupations.coder import CoderStarting, get_coder
from lotse.occupations.reference import Occupation, get_reference
from lotse.occupations.text import MAX_TITLE_LENGTH, title_problem


class CoderNotReady(APIException):
    """503 with Retry-After while the server fits the coder, instead of a request that hangs."""

    status_code = 503
    default_detail = _("The occupation coder is starting up. Please try again in a minute.")
    default_code = "starting"
    wait = 30  # seconds: REST framework sends it as Retry-After


class OccupationSerializer(serializers.Serializer):
    code = serializers.CharField()
    level = serializers.IntegerField()
    level_name = serializers.CharField()
    title = serializers.CharField()
    short_title = serializers.CharField()
    parent_code = serializers.CharField()
    requirement_level = serializers.CharField(help_text="Only on five-digit codes.")


class OccupationDetailSerializer(OccupationSerializer):
    description = serializers.CharField()
    children = serializers.ListField(child=serializers.CharField())
    job_titles = serializers.ListField(child=serializers.CharField())
    esco_uris = serializers.ListField(child=serializers.CharField())


class OccupationQuerySerializer(serializers.Serializer):
    level = serializers.IntegerField(required=False, min_value=1, max_value=5)
    parent = serializers.CharField(  # type: ignore[assignment]
        required=False, max_length=5, help_text="Code of the parent position."
    )
    q = serializers.CharField(
        required=False, max_length=MAX_TITLE_LENGTH, help_text="Words in code or title."
    )


class TitleQuerySerializer(serializers.Serializer):
    title = serializers.CharField(max_length=MAX_TITLE_LENGTH, help_text="A job title.")
    top = serializers.IntegerField(required=False, default=5, min_value=1, max_value=50)

    def validate_title(self, value: str) -> str:
        problem = title_problem(value)
        if problem:
            raise serializers.ValidationError(problem)
        return " ".join(value.split())


class MatchSerializer(serializers.Serializer):
    rank = serializers.IntegerField()
    kldb5 = serializers.CharField()
    score = serializers.FloatField(
        help_text="Higher is better; a ranking score, not a probability."
    )
    matched_title = serializers.CharField()
    title = serializers.CharField(help_text="Official title of the code.")
    level_name = serializers.CharField(help_text="Requirement level (fifth digit).")
    esco_uri = serializers.CharField()
    esco_label = serializers.CharField()


class CodeResultSerializer(serializers.Serializer):
    title = serializers.CharField()
    results = MatchSerializer(many=True)


def _detail(occupation: Occupation) -> dict[str, Any]:
    reference = get_reference()
    return {
        **_summary(occupation),
        "description": occupation.description,
        "children": reference.children.get(occupation.code, []),
        "job_titles": sorted(set(reference.titles_by_kldb.get(occupation.code, []))),
        "esco_uris": [esco.uri for _m, esco in reference.esco_by_kldb.get(occupation.code, [])],
    }


def _summary(occupation: Occupation) -> dict[str, Any]:
    return {
        "code": occupation.code,
        "level": occupation.level,
        "level_name": occupation.level_name,
        "title": occupation.title,
        "short_title": occupation.short_title,
        "parent_code": occupation.parent_code,
        "requirement_level": occupation.requirement_level,
    }


class OccupationViewSet(viewsets.ViewSet):
    """The KldB 2010 (2020) tree, public reference data; and the job-title coder."""

    permission_classes = [ReadOnlyOrStaffWrites]
    pagination_class = PageNumberPagination
    lookup_field = "code"
    lookup_value_regex = r"\d{1,5}"

    @extend_schema(
        parameters=[OccupationQuerySerializer], responses=OccupationSerializer(many=True)
    )
    def list(self, request: Request) -> Response:
        query = OccupationQuerySerializer(data=request.query_params)
        query.is_valid(raise_exception=True)
        occupations: list[Occupation] = list(get_reference().occupations.values())
        level, parent, words = (query.validated_data.get(k) for k in ("level", "parent", "q"))
        if level:
            occupations = [o for o in occupations if o.level == level]
        if parent is not None:
            occupations = [o for o in occupations if o.parent_code == parent]
        if words:
            folded = fold(words).split()
            occupations = [
                o for o in occupations if all(w in o.code or w in fold(o.title) for w in folded)
            ]
        paginator = PageNumberPagination()
        page: list[Occupation] | None = paginator.paginate_queryset(
            occupations,  # type: ignore[arg-type]
            request,
            view=self,
        )
        return paginator.get_paginated_response([_summary(o) for o in page or []])

    @extend_schema(responses=OccupationDetailSerializer)
    def retrieve(self, request: Request, code: str) -> Response:
        occupation = get_reference().occupations.get(code)
        if occupation is None:
            raise NotFound()
        return Response(_detail(occupation))

    @extend_schema(
        parameters=[TitleQuerySerializer],
        responses={
            200: CodeResultSerializer,
            503: OpenApiResponse(
                description="The coder is being fitted (about a minute after a server "
                "start); try again after the seconds in the Retry-After header."
            ),
        },
    )
    @action(detail=False, url_path="code")
    def code(self, request: Request) -> Response:
        """Ranked five-digit KldB codes for a free-text job title."""
        query = TitleQuerySerializer(data=request.query_params)
        query.is_valid(raise_exception=True)
        title = query.validated_data["title"]
        try:
            coder = get_coder(wait=False)
        except CoderStarting as starting:
            raise CoderNotReady() from starting
        matches = coder.code(title, query.validated_data["top"])
        results = [
            {
                "rank": m.rank,
                "kldb5": m.kldb5,
                "score": m.score,
                "matched_title": m.matched_title,
                "title": m.title,
                "level_name": str(m.requirement_level),
                "esco_uri": m.esco_uri,
                "esco_label": m.esco_label,
            }
            for m in matches
        ]
        return Response({"title": title, "results": results})


def register(router: BaseRouter) -> None:
    router.register("occupations", OccupationViewSet, basename="occupation")
