"""Form fields drawn the GOV.UK way: label, hint, error message, then the input tied to both."""

from __future__ import annotations

from django import forms, template
from django.forms import BoundField

register = template.Library()


def _is_group(bound: BoundField) -> bool:
    return isinstance(bound.field.widget, forms.CheckboxSelectMultiple)


def _target(bound: BoundField) -> str:
    """The element an error links to: the field, or a group's first checkbox."""
    return f"{bound.auto_id}_0" if _is_group(bound) else bound.auto_id


@register.inclusion_tag("includes/field.html")
def field(bound: BoundField) -> dict:
    """One form field with its label (or legend), hint and error message."""
    described = [f"{bound.auto_id}-hint"] if bound.help_text else []
    if bound.errors:
        described.append(f"{bound.auto_id}-error")
    widget = bound.field.widget
    if _is_group(bound):
        kind = "checkboxes"
    elif isinstance(widget, forms.CheckboxInput):
        kind = "checkbox"
    else:
        kind = "input"
    attrs = {}
    if kind != "checkboxes":
        attrs["class"] = "field__checkbox" if kind == "checkbox" else "field__input"
        if described:
            attrs["aria-describedby"] = " ".join(described)
        if bound.errors:
            attrs["aria-invalid"] = "true"
    return {
        "field": bound,
        "kind": kind,
        "described": " ".join(described),
        "widget": bound.as_widget(attrs=attrs) if kind != "checkboxes" else "",
    }


@register.inclusion_tag("includes/error_summary.html")
def error_summary(form: forms.BaseForm | forms.BaseFormSet, row: str = "") -> dict:
    """The problems of a form, or of every form of a formset (each named `row` and its number),
    at the top of the page, each linking to the field it is about."""
    if isinstance(form, forms.BaseFormSet):
        problems = [("", error) for error in form.non_form_errors()]
        for number, member in enumerate(form.forms, start=1):
            for target, error in _problems(member):
                problems.append((target, f"{row} {number}: {error}" if row else error))
        return {"problems": problems}
    return {"problems": _problems(form)}


def _problems(form: forms.BaseForm) -> list[tuple[str, str]]:
    problems = [("", error) for error in form.non_field_errors()]
    problems += [(_target(bound), error) for bound in form for error in bound.errors]
    return problems
