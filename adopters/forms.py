"""The register-interest form: what a person tells an innovation's team, and the spam checks."""

from __future__ import annotations

from django import forms

from adopters import services
from adopters.choices import Interest
from adopters.models import RegistrationOfInterest
from catalogue.models import Innovation, Region

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

    def __init__(self, *args, innovation: Innovation, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.fields["consent"].label = services.consent_wording(innovation)
        self.fields["organisation_kind"].choices = [
            ("", "Choose a kind"),
            *self.fields["organisation_kind"].choices[1:],
        ]
        if not self.is_bound:
            self.initial["started"] = services.form_started()

    def clean(self) -> dict:
        cleaned = super().clean()
        # Timed only once everything else is right: a person fixing their answers has taken
        # their time, and one error at once is enough.
        problem = None if self.errors else services.fill_time_problem(cleaned.get("started", ""))
        if problem:
            # A fresh start: the person's second go is timed from now.
            self.data = self.data.copy()
            self.data["started"] = services.form_started()
            raise forms.ValidationError(problem, code="fill_time")
        return cleaned

    @property
    def is_spam(self) -> bool:
        return bool(self.cleaned_data.get(services.HONEYPOT_FIELD))

    @property
    def details(self) -> dict:
        return {name: self.cleaned_data[name] for name in DETAILS}
