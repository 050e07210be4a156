"""What the apps' forms share."""

from __future__ import annotations

from typing import Any, cast

from django import forms


def prompt_first(form: forms.BaseForm, name: str, prompt: str) -> None:
    """Show `prompt` ("Choose one") as the empty first choice of a model field's select, in
    place of Django's "---------"."""
    field = form.fields[name]
    if not isinstance(field, forms.ChoiceField):
        raise TypeError(f"{name} is not a choice field")
    # Read back, the choices are normalised pairs (the stubs give the setter's wider type).
    choices = cast(list[tuple[Any, Any]], field.choices)
    field.choices = [("", prompt), *choices[1:]]
