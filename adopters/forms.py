"""The register-interest form (what a person tells an innovation's team, and the spam checks),
the adoption form, and the follow-up's form."""

from __future__ import annotations

from typing import Any, cast

from django import forms
from django.http import QueryDict

from adopters import services
from adopters.choices import AdoptionStatus, Interest
from adopters.follow_ups import FollowUpAnswer
from adopters.models import RECORDED, Adoption, RegistrationOfInterest
from catalogue import services as catalogue_services
from catalogue.choices import OrganisationKind
from catalogue.models import Innovation, LocalAuthority, Region
from kernel.forms import prompt_first
from kernel.text import max_length, single_line

# The fields a person fills in, in the order the form asks for them.
DETAILS = [
    "name",
    "email",
    "organisation_name",
    "organisation_kind",
    "role",
    "region",
    "interests",
    "message",
]


class RegistrationForm(forms.ModelForm):
    """Register interest in one innovation; `consent` must be ticked, the honeypot left empty."""

    interests = forms.MultipleChoiceField(
        label="What would you like to do?",
        choices=Interest.choices,
        widget=forms.CheckboxSelectMultiple,
        error_messages={"required": "Select at least one thing you would like to do"},
    )
    region = forms.ModelChoiceField(
        queryset=Region.objects.order_by("position", "name"),
        required=False,
        empty_label="Choose a region",
        label="Region (optional)",
        help_text="Where you work.",
    )
    consent = forms.BooleanField(
        error_messages={"required": "Tick the box to agree, or we cannot keep your details"},
    )  # labelled with services.consent_wording(innovation)
    # Checked in clean(): a missing one is an expired form, not a field the person can fix.
    started = forms.CharField(widget=forms.HiddenInput, required=False)
    # The honeypot: hidden from people and screen readers by the template; bots fill it in.
    website = forms.CharField(required=False, label="Leave this empty")

    class Meta:
        model = RegistrationOfInterest
        fields = DETAILS
        labels = {
            "name": "Your name",
            "email": "Email address",
            "organisation_name": "Organisation (optional)",
            "organisation_kind": "Kind of organisation (optional)",
            "role": "Your role (optional)",
            "message": "Message (optional)",
        }
        # WCAG 1.3.5: say what each field about the person is, so browsers can fill it in.
        widgets = {
            "name": forms.TextInput(attrs={"autocomplete": "name"}),
            "email": forms.EmailInput(attrs={"autocomplete": "email", "spellcheck": "false"}),
            "organisation_name": forms.TextInput(attrs={"autocomplete": "organization"}),
            "role": forms.TextInput(attrs={"autocomplete": "organization-title"}),
        }
        help_texts = {
            "email": "We will send you a link to confirm it.",
            "role": "For example, commissioning manager or volunteer coordinator.",
            "message": "Tell the team what you would like to know or what you could offer.",
        }
        error_messages = {
            "name": {"required": "Enter your name"},
            "email": {
                "required": "Enter your email address",
                "invalid": "Enter an email address in the correct format, like name@example.org",
            },
        }

    def __init__(self, *args: Any, innovation: Innovation, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["consent"].label = services.consent_wording(innovation)
        prompt_first(self, "organisation_kind", "Choose a kind")
        if not self.is_bound:
            self.initial["started"] = services.form_started()

    def clean(self) -> dict:
        super().clean()
        cleaned = self.cleaned_data  # what ModelForm.clean returns (the stubs allow None)
        # Timed only once everything else is right: a person fixing their answers has taken
        # their time, and one error at once is enough.
        problem = None if self.errors else services.use_form_started(cleaned.get("started", ""))
        if problem:
            # A fresh start: the person's second go is timed from now.
            data = cast(QueryDict, self.data).copy()
            data["started"] = services.form_started()
            self.data = data
            raise forms.ValidationError(problem, code="fill_time")
        return cleaned

    @property
    def is_spam(self) -> bool:
        return bool(self.cleaned_data.get(services.HONEYPOT_FIELD))

    @property
    def details(self) -> dict:
        return {name: self.cleaned_data[name] for name in DETAILS}


class AdoptionForm(forms.ModelForm):
    """Record an adoption, or edit one: who took the innovation up, where, how far it has got,
    what they changed and what they learnt. The organisation is named; a new name adds it."""

    organisation_name = forms.CharField(
        label="Organisation",
        max_length=200,
        help_text="The organisation that adopted it, for example a council or an NHS trust.",
        widget=forms.TextInput(attrs={"autocomplete": "organization"}),
        error_messages={"required": "Enter the organisation's name"},
        validators=[single_line],
    )
    organisation_kind = forms.ChoiceField(
        label="Kind of organisation",
        choices=[("", "Choose a kind"), *OrganisationKind.choices],
        required=False,
        help_text="Needed only for an organisation not in the catalogue yet.",
    )
    region = forms.ModelChoiceField(
        queryset=Region.objects.order_by("position", "name"),
        required=False,
        empty_label="Choose a region",
        label="Region (optional)",
    )
    local_authority = forms.ModelChoiceField(
        queryset=LocalAuthority.objects.select_related("region").order_by("name"),
        to_field_name="code",  # the options' values are ONS codes, as in the API
        required=False,
        empty_label="Choose a local authority",
        label="Local authority (optional)",
        help_text="The council area where it happens. Its region follows from it.",
    )
    note = forms.CharField(
        label="What changed (optional)",
        required=False,
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text="Kept with the status in the adoption's dated history.",
    )

    class Meta:
        model = Adoption
        # The organisation is named above; the innovation comes from the page.
        fields = [
            *(name for name in RECORDED if name not in ("innovation", "organisation")),
            "contact_name",
            "contact_email",
        ]
        labels = {
            "area": "Town, district or borough (optional)",
            "adapted": "We adapted it rather than taking it as it is",
            "adaptations": "What was adapted, and why (optional)",
            "started_on": "Started (optional)",
            "ended_on": "Ended (optional)",
            "people_reached": "People reached so far (optional)",
            "outcomes": "Outcomes so far (optional)",
            "lessons": "Lessons for the next adopter (optional)",
            "stopped_reason": "If it paused or stopped, why? (optional)",
            "will_talk": "We are happy to talk to the next organisation thinking of adopting it",
            "contact_name": "Contact name (optional)",
            "contact_email": "Contact email (optional)",
        }
        help_texts = {
            "status": "How far it has got. Each change is kept, dated, in its history.",
            "stopped_reason": "Shown on the innovation's page while it is stopped, so that "
            "others can learn from it.",
            "contact_email": "Seen by curators and the innovation's team, never shown publicly. "
            "From piloting on, the contact joins the core ring of its learning network.",
        }
        widgets = {
            "started_on": forms.DateInput(attrs={"type": "date"}),
            "ended_on": forms.DateInput(attrs={"type": "date"}),
            "people_reached": forms.TextInput(attrs={"inputmode": "numeric"}),
            "contact_name": forms.TextInput(attrs={"autocomplete": "name"}),
            "contact_email": forms.EmailInput(
                attrs={"autocomplete": "email", "spellcheck": "false"}
            ),
        }
        error_messages = {
            "contact_email": {
                "invalid": "Enter an email address in the correct format, like name@example.org"
            },
            "started_on": {"invalid": "Enter a real date, like 2025-03-31"},
            "ended_on": {"invalid": "Enter a real date, like 2025-03-31"},
        }

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if self.instance.local_authority_id:
            # The options are ONS codes, not the ids the model form starts from.
            self.initial["local_authority"] = self.instance.local_authority.code
        if self.instance.pk:
            self.fields["organisation_name"].initial = self.instance.organisation.name
            self.fields["organisation_name"].disabled = True
            self.fields["organisation_name"].help_text = ""
            del self.fields["organisation_kind"]
        else:
            del self.fields["note"]

    def clean(self) -> dict:
        super().clean()
        cleaned = self.cleaned_data  # what ModelForm.clean returns (the stubs allow None)
        name = cleaned.get("organisation_name")
        organisation = None
        if not self.instance.pk and name:
            organisation = catalogue_services.organisation_named(name)
            if organisation is None and not cleaned.get("organisation_kind"):
                self.add_error(
                    "organisation_kind",
                    "Choose the kind of organisation: it is not in the catalogue yet",
                )
        else:
            organisation = self.instance.organisation if self.instance.pk else None
        started, ended = cleaned.get("started_on"), cleaned.get("ended_on")
        if started and ended and ended < started:
            self.add_error("ended_on", "The end date must be the same as or after the start date")
        # One adoption per innovation, organisation and area (a new organisation cannot clash).
        if organisation is not None and "area" in cleaned:
            clash = Adoption.objects.filter(
                innovation_id=self.instance.innovation_id,
                organisation=organisation,
                area__iexact=cleaned["area"],
            ).exclude(pk=self.instance.pk)
            if clash.exists():
                self.add_error(
                    "area",
                    "This organisation's adoption of it here is already recorded: edit that one",
                )
        return cleaned

    @property
    def named_organisation(self) -> catalogue_services.NamedOrganisation:
        """The organisation of a new adoption as the adopter named it (for
        adopters.services.record_adoption, which finds it or adds it)."""
        return catalogue_services.NamedOrganisation(
            self.cleaned_data["organisation_name"],
            kind=self.cleaned_data.get("organisation_kind", ""),
        )

    @property
    def changes(self) -> dict:
        """The edited fields and their values (for services.edit_adoption)."""
        return {name: self.cleaned_data[name] for name in self.Meta.fields if name != "status"}


class FollowUpForm(forms.Form):
    """The follow-up's short form: where an adoption stands now and what it has taught, from
    the emailed link (adopters/follow_ups.py). Why it paused or stopped is required then; the
    service says so (`answer_follow_up`), and the view shows its refusal on that field."""

    status = forms.ChoiceField(
        label="Where does it stand now?",
        choices=AdoptionStatus.choices,
        widget=forms.RadioSelect,
        error_messages={"required": "Choose where the adoption stands now"},
    )
    people_reached = forms.IntegerField(
        label="People reached so far (optional)",
        required=False,
        min_value=0,
        max_value=2_147_483_647,
        widget=forms.TextInput(attrs={"inputmode": "numeric"}),
        error_messages={
            "invalid": "Enter people reached as a whole number, like 120",
            "min_value": "People reached must be 0 or more",
            "max_value": "People reached must be a smaller number",
        },
    )
    outcomes = forms.CharField(
        label="Outcomes so far (optional)",
        required=False,
        max_length=5000,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text="What changed for the people it serves, or for your organisation.",
    )
    lessons = forms.CharField(
        label="Lessons for the next adopter (optional)",
        required=False,
        max_length=5000,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text="What you would tell an organisation thinking of taking it up.",
    )
    reason = forms.CharField(
        label="If it paused or stopped, why?",
        required=False,
        max_length=max_length(Adoption, "stopped_reason"),
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text="Needed if it paused or stopped. It is shown on the innovation's page so "
        "that others can learn from it.",
    )

    @classmethod
    def initial_for(cls, adoption: Adoption) -> dict[str, Any]:
        """The form as the adoption stands now."""
        return {
            "status": adoption.status,
            "people_reached": adoption.people_reached,
            "outcomes": adoption.outcomes,
            "lessons": adoption.lessons,
            "reason": adoption.stopped_reason,
        }

    @property
    def answer(self) -> FollowUpAnswer:
        data = self.cleaned_data
        return FollowUpAnswer(
            status=data["status"],
            people_reached=data["people_reached"],
            outcomes=data["outcomes"],
            lessons=data["lessons"],
            reason=data["reason"],
        )
