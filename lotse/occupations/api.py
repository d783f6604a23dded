"""API of the occupations app: /api/v1/occupations/ (the KldB tree) and .../code/ (the coder)."""

from typing import Any

from django.utils.translation import gettext_lazy as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiResponse, extend_schema, extend_schema_field
from rest_framework import serializers, viewsets
from rest_framework.decorators import action
from rest_framework.exceptions import APIException, NotFound
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.routers import BaseRouter

from lotse.core.api import PageNumberPagination, ReadOnlyOrStaffWrites
from lotse.core.permissions import require
from lotse.core.text import fold
from lotse.occupations.checked import code_titles
from lotse.occupations.coder import Coder, CoderStarting, Match, get_coder
from lotse.occupations.reference import Occupation, get_reference
from lotse.occupations.services import code_for_import
from lotse.occupations.text import MAX_TITLE_LENGTH, title_problem

# Titles one POST to .../code/ may carry: 1 to 1.5 s of coding (measured).
MAX_TITLES_PER_REQUEST = 1000


class CoderNotReady(APIException):
    """503 with Retry-After while the server fits the coder, instead of a request that hangs."""

    status_code = 503
    default_detail = _("The occupation coder is starting up. Please try again in a minute.")
    default_code = "starting"
    wait = 30  # seconds: REST framework sends it as Retry-After


STARTING = OpenApiResponse(
    description="The coder is being fitted (about a minute after a server "
    "start); try again after the seconds in the Retry-After header."
)


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
    checked = serializers.BooleanField(
        help_text="Staff of a partner chose this code for this title by hand; it comes first."
    )


class CodeResultSerializer(serializers.Serializer):
    title = serializers.CharField()
    results = MatchSerializer(many=True)


@extend_schema_field(OpenApiTypes.STR)
class UncheckedTitle(serializers.Field):
    """A list item taken as sent, so that ``validate_titles`` names every bad one at once."""

    def validate_empty_values(self, data: object) -> tuple[bool, object]:
        return False, data  # null too: validate_titles says what is wrong with it

    def to_internal_value(self, data: object) -> object:
        return data

    def to_representation(self, value: object) -> object:
        return value


class TitlesSerializer(serializers.Serializer):
    titles = serializers.ListField(
        child=UncheckedTitle(),  # each checked by validate_titles
        min_length=1,
        max_length=MAX_TITLES_PER_REQUEST,
        help_text=f"Up to {MAX_TITLES_PER_REQUEST} job titles.",
    )
    top = serializers.IntegerField(required=False, default=5, min_value=1, max_value=10)

    def validate_titles(self, titles: list[object]) -> list[str]:
        """Every bad title, by its position; then nothing is coded."""
        problems = {str(i): [p] for i, t in enumerate(titles) if (p := title_problem(t))}
        if problems:
            raise serializers.ValidationError(problems)
        return [" ".join(title.split()) for title in titles if isinstance(title, str)]


class CodedTitleSerializer(CodeResultSerializer):
    uncertain = serializers.BooleanField(
        help_text="A person should check this coding before relying on it."
    )


class CodedTitlesSerializer(serializers.Serializer):
    titles = CodedTitleSerializer(many=True)


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
        methods=["GET"],
        parameters=[TitleQuerySerializer],
        responses={200: CodeResultSerializer, 503: STARTING},
    )
    @extend_schema(
        methods=["POST"],
        request=TitlesSerializer,
        responses={200: CodedTitlesSerializer, 503: STARTING},
        description="Code many titles at once, as an import does, each flagged `uncertain` "
        "where a person should check it. For partner staff (signed in or with a token).",
    )
    @action(detail=False, url_path="code", methods=["get", "post"])
    def code(self, request: Request) -> Response:
        """Ranked five-digit KldB codes for a free-text job title."""
        if request.method == "POST":
            return self._code_many(request)
        query = TitleQuerySerializer(data=request.query_params)
        query.is_valid(raise_exception=True)
        title = query.validated_data["title"]
        _coder()  # 503 while starting
        matches = code_titles([title], query.validated_data["top"])[0]
        return Response({"title": title, "results": [_match(m) for m in matches]})

    def _code_many(self, request: Request) -> Response:
        require(request.user, "occupations.code_in_bulk")
        body = TitlesSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        titles, top = body.validated_data["titles"], body.validated_data["top"]
        _coder()  # 503 while starting, before any work
        coded = code_for_import(titles, top)
        return Response(
            {
                "titles": [
                    {
                        "title": item.title,
                        "uncertain": item.uncertain,
                        "results": [_match(m) for m in item.matches],
                    }
                    for item in coded
                ]
            }
        )


def _coder() -> Coder:
    try:
        return get_coder(wait=False)
    except CoderStarting as starting:
        raise CoderNotReady() from starting


def _match(match: Match) -> dict[str, Any]:
    return {
        "rank": match.rank,
        "kldb5": match.kldb5,
        "score": match.score,
        "matched_title": match.matched_title,
        "title": match.title,
        "level_name": str(match.requirement_level),
        "esco_uri": match.esco_uri,
        "esco_label": match.esco_label,
        "checked": match.checked,
    }


def register(router: BaseRouter) -> None:
    router.register("occupations", OccupationViewSet, basename="occupation")
