"""The guided finder: who are you, what do you need, where? → a filtered compass."""

from typing import Any
from urllib.parse import urlencode

from django import forms
from django.utils.translation import gettext_lazy as _
from django_stubs_ext import StrOrPromise

from lotse.network.models import PostalCode, Region

WHO = [
    ("company", _("A company or employer")),
    ("person", _("A person looking for work or training")),
]

# need -> (label, for whom, compass parameters)
NEEDS: dict[str, tuple[StrOrPromise, str, dict[str, list[str]]]] = {
    "recruit": (_("Find and recruit skilled workers"), "company", {"q": ["Fachkräfte gewinnen"]}),
    "apprentices": (_("Train apprentices"), "company", {"q": ["Ausbildung"]}),
    "international": (
        _("Recruit from abroad"),
        "company",
        {"target_group": ["international-talents"]},
    ),
    "qualify": (_("Qualify employees"), "company", {"q": ["Weiterbildung"]}),
    "funding": (_("Funding and grants"), "company", {"kind": ["funding"]}),
    "retain": (
        _("Keep staff: an attractive workplace"),
        "company",
        {"q": ["Arbeitgeberattraktivität"]},
    ),
    "succession": (
        _("Hand over the business"),
        "company",
        {"target_group": ["founders-successors"]},
    ),
    "training": (_("Find an apprenticeship or training"), "person", {"q": ["Ausbildung"]}),
    "job": (_("Find a job"), "person", {"target_group": ["jobseekers", "skilled-workers"]}),
    "study": (
        _("Study, or change course after dropping out"),
        "person",
        {"target_group": ["students", "university-dropouts"]},
    ),
    "arrive": (
        _("Arrive and work in Germany"),
        "person",
        {"target_group": ["international-talents", "refugees", "migrants"]},
    ),
    "return": (_("Come back to the region"), "person", {"target_group": ["returnees"]}),
    "support": (
        _("Support for a difficult situation"),
        "person",
        {"target_group": ["single-parents", "long-term-unemployed", "people-with-disabilities"]},
    ),
}


def _region_choices() -> list[tuple[str, Any]]:
    regions = Region.objects.filter(level="state").order_by("name")
    districts = Region.objects.filter(level="district", parent__code__in=["14", "15"]).order_by(
        "name"
    )
    return (
        [("", _("Anywhere"))]
        + [(r.code, r.name) for r in regions]
        + [
            (d.code, f"{d.name} ({d.parent.abbreviation if d.parent else ''})")
            for d in districts.select_related("parent")
        ]
    )


class FinderForm(forms.Form):
    who = forms.ChoiceField(label=_("Who are you?"), choices=WHO, widget=forms.RadioSelect)
    need = forms.ChoiceField(
        label=_("What do you need?"),
        choices=[(key, label) for key, (label, _who, _params) in NEEDS.items()],
        widget=forms.RadioSelect,
    )
    region = forms.ChoiceField(label=_("Where?"), required=False, choices=())
    postcode = forms.RegexField(
        label=_("…or your postcode"), regex=r"^[0-9]{5}$", required=False,
        error_messages={"invalid": _("A German postcode has five digits.")},
    )  # fmt: skip

    def __init__(self, *args, **kwargs) -> None:  # type: ignore[no-untyped-def]
        super().__init__(*args, **kwargs)
        self.fields["region"].choices = _region_choices()  # type: ignore[attr-defined]

    def clean(self) -> dict:  # type: ignore[type-arg]
        cleaned = super().clean() or {}
        need, who = cleaned.get("need"), cleaned.get("who")
        if need and who and NEEDS[need][1] != who:
            self.add_error("need", _("This need does not fit the answer to the first question."))
        postcode = cleaned.get("postcode")
        if postcode:
            place = PostalCode.objects.filter(code=postcode).select_related("region").first()
            if place is None:
                self.add_error("postcode", _("No place in Germany has this postcode."))
            else:
                cleaned["region"] = place.region.code
        return cleaned

    def to_query(self) -> str:
        """The compass parameters these answers stand for."""
        _label, who, params = NEEDS[self.cleaned_data["need"]]
        query = {name: list(values) for name, values in params.items()}
        if who == "company" and "target_group" not in query:
            # Values of one facet are alternatives: "companies" beside the need's own
            # target group would list every offer for companies, whatever the need.
            query["target_group"] = ["companies"]
        if self.cleaned_data.get("region"):
            query["region"] = [self.cleaned_data["region"]]
        return urlencode(query, doseq=True)
