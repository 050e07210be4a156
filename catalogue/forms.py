"""The innovator's forms: describe an innovation and send it to the curators for review, and
change it afterwards (catalogue.services decides what is written and what waits for a
curator)."""

from __future__ import annotations

from typing import Any, cast

from django import forms
from django.forms.models import model_to_dict

from catalogue.choices import OrganisationKind, ScalingWay
from catalogue.models import (
    INNOVATION_EDITABLE,
    BeneficiaryGroup,
    Innovation,
    Organisation,
    Region,
    Sector,
)
from catalogue.services import NamedOrganisation
from kernel.forms import prompt_first
from kernel.text import single_line

CHECKBOXES = forms.CheckboxSelectMultiple

# What the submission form leaves to the curators' review and to later edits: the evidence
# level is theirs to judge; the rest can follow once the entry is accepted. The lead
# organisation is asked for by name (organisation_name), not picked.
AFTER_REVIEW = {
    "evidence_level",
    "scaling_routes",
    "partners",
    "cost_band",
    "cost_notes",
    "funding_model",
    "source",
}


class SubmissionForm(forms.ModelForm):
    """What a curator needs to judge an entry; everything else can be added after review."""

    organisation_name = forms.CharField(
        label="Organisation that leads it",
        max_length=200,
        help_text="If it is already in the catalogue, use the same name and we will link them.",
        widget=forms.TextInput(attrs={"autocomplete": "organization"}),
        error_messages={"required": "Enter the name of the organisation that leads it"},
        validators=[single_line],
    )
    organisation_kind = forms.ChoiceField(
        label="Kind of organisation",
        help_text="Used when the organisation is new to the catalogue.",
        choices=[("", "Choose one"), *OrganisationKind.choices],
        error_messages={"required": "Choose the kind of organisation"},
    )
    scaling_ways = forms.MultipleChoiceField(
        label="How it has grown so far (optional)",
        choices=ScalingWay.choices,
        widget=CHECKBOXES,
        required=False,
        help_text="Out: more people and places. Up: policy and institutions. Deep: culture "
        "and habits.",
    )
    website = forms.URLField(
        label="Website (optional)",
        required=False,
        max_length=200,
        assume_scheme="https",
        error_messages={"invalid": "Enter a web address starting with https://"},
        validators=[single_line],
    )
    accurate = forms.BooleanField(
        label="The facts here are accurate, and the catalogue may publish them once a curator "
        "has reviewed them",
        error_messages={"required": "Confirm that the facts are accurate and may be published"},
    )

    # The order of the page, so that the error summary lists problems in the order they appear.
    field_order = [
        "title",
        "summary",
        "kind",
        "stage",
        "problem",
        "how_it_works",
        "core",
        "adaptable",
        "outcomes",
        "evidence_summary",
        "organisation_name",
        "organisation_kind",
        "year_started",
        "regions",
        "scaling_ways",
        "sectors",
        "beneficiaries",
        "website",
        "contact_name",
        "contact_email",
        "accurate",
    ]

    class Meta:
        model = Innovation
        fields = [
            name
            for name in INNOVATION_EDITABLE
            if name not in AFTER_REVIEW and name != "lead_organisation"
        ]
        labels = {
            "title": "Name of the innovation",
            "summary": "Summary",
            "problem": "The problem it addresses",
            "how_it_works": "How it works",
            "core": "What must stay the same when others adopt it",
            "adaptable": "What others can adapt to their place",
            "outcomes": "What difference it has made",
            "evidence_summary": "What evidence there is",
            "stage": "Stage it has reached",
            "kind": "Kind of innovation",
            "sectors": "Sectors",
            "beneficiaries": "Who it helps",
            "regions": "Where it operates",
            "year_started": "Year it started (optional)",
            "website": "Website (optional)",
            "contact_name": "Public contact name (optional)",
            "contact_email": "Public contact email (optional)",
        }
        help_texts = {
            "summary": "One or two sentences, shown in search results.",
            "core": "The parts without which it would not work.",
            "evidence_summary": "Evaluations, data you collect, reports. A curator will assess "
            "it against the standards of evidence.",
            "contact_email": "Shown on the innovation's page and in the API, for people who "
            "want to know more; registrations of interest are sent to it once confirmed.",
            "regions": "",
        }
        widgets = {
            "summary": forms.Textarea(attrs={"rows": 3}),
            "problem": forms.Textarea(attrs={"rows": 5}),
            "how_it_works": forms.Textarea(attrs={"rows": 5}),
            "core": forms.Textarea(attrs={"rows": 4}),
            "adaptable": forms.Textarea(attrs={"rows": 4}),
            "outcomes": forms.Textarea(attrs={"rows": 4}),
            "evidence_summary": forms.Textarea(attrs={"rows": 4}),
            "sectors": CHECKBOXES,
            "beneficiaries": CHECKBOXES,
            "regions": CHECKBOXES,
            "year_started": forms.TextInput(attrs={"inputmode": "numeric"}),
            # Not the person's own details for autofill: these are published.
            "contact_name": forms.TextInput(attrs={"autocomplete": "off"}),
            "contact_email": forms.EmailInput(attrs={"autocomplete": "off", "spellcheck": "false"}),
        }
        error_messages = {
            "title": {"required": "Enter the name of the innovation"},
            "summary": {"required": "Enter a summary"},
            "year_started": {
                "invalid": "Enter the year as four digits, like 2018",
                "min_value": "Enter the year as four digits, like 2018",
            },
            "website": {"invalid": "Enter a web address starting with https://"},
            "contact_email": {"invalid": "Enter an email address like name@example.org"},
        }

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        for name in ("problem", "how_it_works", "stage", "kind", "sectors"):
            self.fields[name].required = True
        self.fields["problem"].error_messages["required"] = "Describe the problem it addresses"
        self.fields["how_it_works"].error_messages["required"] = "Describe how it works"
        self.fields["stage"].error_messages["required"] = "Choose the stage it has reached"
        self.fields["kind"].error_messages["required"] = "Choose the kind of innovation"
        self.fields["sectors"].error_messages["required"] = "Choose at least one sector"
        sectors, beneficiaries, regions = (
            cast(forms.ModelMultipleChoiceField, self.fields[name])
            for name in ("sectors", "beneficiaries", "regions")
        )
        sectors.queryset = Sector.objects.order_by("name")
        beneficiaries.queryset = BeneficiaryGroup.objects.order_by("name")
        regions.queryset = Region.objects.order_by("position")
        prompt_first(self, "stage", "Choose one")
        prompt_first(self, "kind", "Choose one")

    def clean_year_started(self) -> int | None:
        year = self.cleaned_data.get("year_started")
        if year is not None and not 1900 <= year <= 2100:
            raise forms.ValidationError("Enter the year as four digits, like 2018")
        return year

    def values(self) -> dict[str, Any]:
        """What the innovator described, for catalogue.services.create_innovation: the lead
        organisation by name (the catalogue's own when the name is known, in any case; a new
        one otherwise)."""
        values = {name: self.cleaned_data[name] for name in self.Meta.fields}
        values["lead_organisation"] = NamedOrganisation(
            self.cleaned_data["organisation_name"],
            kind=self.cleaned_data["organisation_kind"],
            source="Submitted with an innovation",
        )
        return values


class EditForm(SubmissionForm):
    """An innovation's owners change it: the submission's questions and its cost, without the
    submission's confirmation, starting from the entry as it stands (with the changes they
    proposed that wait for a curator). Only what they change is sent on (`changes`)."""

    class Meta(SubmissionForm.Meta):
        fields = [*SubmissionForm.Meta.fields, "cost_band", "cost_notes", "funding_model"]
        labels = {
            **SubmissionForm.Meta.labels,
            "cost_band": "Cost (optional)",
            "cost_notes": "What the cost covers (optional)",
            "funding_model": "How it is paid for (optional)",
        }
        widgets = {
            **SubmissionForm.Meta.widgets,
            "cost_notes": forms.Textarea(attrs={"rows": 3}),
            "funding_model": forms.Textarea(attrs={"rows": 3}),
        }

    field_order = [*SubmissionForm.field_order, "cost_band", "cost_notes", "funding_model"]

    def __init__(
        self,
        data: Any = None,
        *,
        innovation: Innovation,
        proposed: dict[str, Any] | None = None,
    ) -> None:
        super().__init__(data, initial=self.initial_for(innovation, proposed or {}))
        del self.fields["accurate"]
        prompt_first(self, "cost_band", "Not said")

    def initial_for(self, innovation: Innovation, proposed: dict[str, Any]) -> dict[str, Any]:
        """What the form starts from: the entry, with what its owners proposed over it."""
        initial = model_to_dict(innovation, fields=self.Meta.fields)
        values = {"lead_organisation": innovation.lead_organisation, **initial, **proposed}
        lead = values.pop("lead_organisation")
        if isinstance(lead, Organisation | NamedOrganisation):
            values["organisation_name"] = lead.name
            values["organisation_kind"] = lead.kind
        return values

    def changes(self) -> dict[str, Any]:
        """What the owner changed, for catalogue.services.edit_innovation."""
        changed = set(self.changed_data)
        values = {name: self.cleaned_data[name] for name in self.Meta.fields if name in changed}
        if changed & {"organisation_name", "organisation_kind"}:
            values["lead_organisation"] = NamedOrganisation(
                self.cleaned_data["organisation_name"],
                kind=self.cleaned_data["organisation_kind"],
                source="Named by an innovator",
            )
        return values
