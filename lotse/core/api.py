"""Base pieces of the JSON API under /api/v1/ that every app's ``api.py`` uses."""

from collections.abc import Mapping
from typing import Any

import orjson
from rest_framework import pagination, parsers, permissions
from rest_framework.exceptions import ParseError
from rest_framework.renderers import JSONRenderer
from rest_framework.request import Request

from lotse.core.permissions import is_partner_staff


class PageNumberPagination(pagination.PageNumberPagination):
    page_size_query_param = "page_size"
    max_page_size = 500


class ReadOnlyOrStaffWrites(permissions.BasePermission):
    """Anyone may read public resources; only partner staff may attempt writes.

    Whether a write is really allowed on a given object is decided by the
    app's service through ``core.permissions.require``.
    """

    def has_permission(self, request: Request, view: Any) -> bool:
        if request.method in permissions.SAFE_METHODS:
            return True
        return is_partner_staff(request.user)


_NON_STR_KEYS = orjson.OPT_NON_STR_KEYS


class JSONParser(parsers.JSONParser):
    """REST framework's JSON parser; a body nested too deep is a 400, not a 500.

    Python's json module raises RecursionError on ``[[[[…`` thousands deep,
    which REST framework does not turn into a parse error.
    """

    def parse(self, stream: Any, media_type: Any = None, parser_context: Any = None) -> Any:
        try:
            return super().parse(stream, media_type, parser_context)
        except RecursionError as error:
            raise ParseError("JSON parse error - nested too deep") from error


class FastJSONRenderer(JSONRenderer):
    """DRF's JSON, written by orjson: a compass page's facets and offers in a fraction.

    Dates, times and dataclasses still go through DRF's encoder, so the text is
    what ``JSONRenderer`` writes; a request for indented JSON gets DRF's own.
    """

    _options = orjson.OPT_PASSTHROUGH_DATETIME | orjson.OPT_PASSTHROUGH_DATACLASS

    def render(
        self,
        data: Any,
        accepted_media_type: str | None = None,
        renderer_context: Mapping[str, Any] | None = None,
    ) -> bytes:
        if data is None:
            return b""
        if self.get_indent(accepted_media_type or "", renderer_context or {}):
            return super().render(data, accepted_media_type, renderer_context)
        default = self.encoder_class().default
        try:
            return orjson.dumps(data, default=default, option=self._options)
        except orjson.JSONEncodeError:
            # REST framework keys the errors of a list's items by their position (an
            # int), which orjson writes only when asked to; asking always costs
            # nested documents up to three times the time.
            return orjson.dumps(data, default=default, option=self._options | _NON_STR_KEYS)
