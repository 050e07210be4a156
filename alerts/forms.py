"""The forms that ask for an alert or a follow, and for the link to the list of them."""

from __future__ import annotations

from django import forms

from alerts.models import Frequency

EMAIL = {
    "label": "Email address",
    "help_text": "We will email you a link to confirm it. Nothing else is sent until you do.",
    "error_messages": {
        "required": "Enter your email address",
        "invalid": "Enter an email address, like name@example.org",
    },
    "max_length": 254,
}
FREQUENCY = {
    "label": "How often?",
    "choices": [
        (Frequency.DAILY, "Daily, when there is something new"),
        (Frequency.WEEKLY, "Weekly, when there is something new"),
    ],
    "widget": forms.RadioSelect,
    "initial": Frequency.WEEKLY,
    "error_messages": {"required": "Choose how often", "invalid_choice": "Choose how often"},
}


class FollowForm(forms.Form):
    email = forms.EmailField(**EMAIL)  # type: ignore[arg-type]
    frequency = forms.ChoiceField(**FREQUENCY)  # type: ignore[arg-type]


class AlertForm(FollowForm):
    # The search, as alerts.services.normalised_query keeps it; checked again by the service.
    query = forms.CharField(widget=forms.HiddenInput, required=False, max_length=2000)


class ManageLinkForm(forms.Form):
    email = forms.EmailField(
        label="Email address",
        error_messages=EMAIL["error_messages"],  # type: ignore[arg-type]
        max_length=254,
    )
