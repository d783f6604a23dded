"""The API's JSON is written by orjson; a client must not notice any difference."""

import datetime
import decimal
import json

import numpy as np
from django.utils.translation import gettext_lazy
from rest_framework.renderers import JSONRenderer

from lotse.core.api import FastJSONRenderer

DOCUMENT = {
    "title": "Fachkräftebörse „Coming-Home“",
    "count": np.int64(3),
    "share": 0.1,
    "selected": True,
    "missing": None,
    "published_at": datetime.datetime(2026, 11, 30, 9, 5, tzinfo=datetime.UTC),
    "valid_until": datetime.date(2027, 1, 31),
    "amount": decimal.Decimal("12.50"),
    "label": gettext_lazy("Offer compass"),
    "facets": {"kind": [{"value": "advice", "count": 2}]},
    "errors": {"titles": {2: ["Geben Sie eine Berufsbezeichnung ein."]}},  # a list item's error
}


def test_the_fast_renderer_writes_what_drfs_renderer_writes():
    fast = FastJSONRenderer().render(DOCUMENT, "application/json")
    drf = JSONRenderer().render(DOCUMENT, "application/json")

    assert json.loads(fast) == json.loads(drf)
    assert fast.decode() == drf.decode()


def test_indented_json_is_still_indented_when_asked_for():
    text = FastJSONRenderer().render({"a": [1, 2]}, "application/json; indent=2").decode()

    assert text == '{\n  "a": [\n    1,\n    2\n  ]\n}'
