"""Form fields drawn with GOV.UK Frontend: label (or legend), hint, error message, then the
input, tied to the hint and the error by `aria-describedby`."""

from __future__ import annotations

from typing import Any

from django import forms, template
from django.core.exceptions import NON_FIELD_ERRORS
from django.forms import BoundField
from django.utils.text import capfirst

register = template.Library()

# GOV.UK Frontend's class for each kind of input, and its modifier for an input in error.
_INPUT_CLASSES = {
    "textarea": "govuk-textarea",
    "select": "govuk-select",
    "input": "govuk-input",
}


def _kind(bound: BoundField) -> str:
    widget = bound.field.widget
    if isinstance(widget, forms.CheckboxSelectMultiple):
        return "checkboxes"
    if isinstance(widget, forms.RadioSelect):
        return "radios"
    if isinstance(widget, forms.CheckboxInput):
        return "checkbox"
    if isinstance(widget, forms.Textarea):
        return "textarea"
    if isinstance(widget, forms.Select):
        return "select"
    return "input"


def _target(bound: BoundField) -> str:
    """The element an error links to, as GOV.UK asks: the field's input, or a group's first
    checkbox or radio (never its fieldset). A form whose template draws a field itself names
    the first input of it in `error_targets` (field name → id; empty for no link)."""
    targets = getattr(bound.form, "error_targets", None) or {}
    if bound.name in targets:
        return targets[bound.name]
    if _kind(bound) in ("checkboxes", "radios"):
        # The id the first option is drawn with: `<id>_0`, or `<id>_0_0` when the choices are
        # grouped; none when there are no choices to link to.
        first = next(iter(bound.subwidgets), None)
        return (first.id_for_label or "") if first is not None else ""
    return bound.auto_id


@register.inclusion_tag("includes/field.html")
def field(bound: BoundField, width: str = "") -> dict:
    """One form field with its label (or legend), hint and error message; `width` is one of
    GOV.UK Frontend's input widths ("10", "20", "one-half", …) for inputs shorter than the
    column."""
    described = [f"{bound.auto_id}-hint"] if bound.help_text else []
    if bound.errors:
        described.append(f"{bound.auto_id}-error")
    kind = _kind(bound)
    context = {"field": bound, "kind": kind, "described": " ".join(described)}
    if kind in ("checkboxes", "radios"):
        context["options"] = [option.data for option in bound.subwidgets]
        return context
    attrs: dict[str, str | bool] = {}
    if kind == "checkbox":
        attrs["class"] = "govuk-checkboxes__input"
    else:
        css = _INPUT_CLASSES[kind]
        classes = [css, f"{css}--error" if bound.errors else ""]
        if width:
            classes.append(
                f"govuk-input--width-{width}" if width.isdigit() else f"govuk-!-width-{width}"
            )
        attrs["class"] = " ".join(c for c in classes if c)
    if described:
        attrs["aria-describedby"] = " ".join(described)
    context["widget"] = bound.as_widget(attrs=attrs)
    return context


Problem = tuple[str, str]  # (id of the element it links to, or "" for no link; message)


@register.inclusion_tag("includes/error_summary.html")
def error_summary(form: forms.BaseForm | forms.BaseFormSet, row: str = "") -> dict:
    """The problems of a form, or of every form of a formset (each named `row` and its number),
    at the top of the page, each linking to the field it is about."""
    if isinstance(form, forms.BaseFormSet):
        problems = [("", str(error)) for error in form.non_form_errors()]
        for number, member in enumerate(form.forms, start=1):
            for target, error in _problems(member):
                problems.append((target, f"{row} {number}: {error}" if row else error))
        return problem_summary(problems)
    return problem_summary(_problems(form))


@register.inclusion_tag("includes/error_summary.html")
def problem_summary(
    problems: list[Problem], title: str = "There is a problem", link: str = "", link_text: str = ""
) -> dict[str, Any]:
    """GOV.UK's error summary for problems a view found itself (a search's parameters, a filter
    drawn by hand): each `(target, message)` links to `#target` when there is one, and `link`
    with `link_text` offers a way out below the list."""
    return {"problems": problems, "title": title, "link": link, "link_text": link_text}


@register.filter
def field_problems(form: forms.BaseForm, prefix: str = "") -> list[Problem]:
    """A form whose template draws its fields by hand, with ids `prefix` + name: its errors as
    problems, each named by its field's name."""
    problems = [("", str(error)) for error in form.non_field_errors()]
    problems += [
        (f"{prefix}{name}", f"{capfirst(name)}: {' '.join(str(e) for e in errors)}")
        for name, errors in form.errors.items()
        if name != NON_FIELD_ERRORS
    ]
    return problems


def _problems(form: forms.BaseForm) -> list[Problem]:
    # An ErrorList gives its messages as str (the stubs say ValidationError | str): str()
    # changes nothing but the type.
    problems = [("", str(error)) for error in form.non_field_errors()]
    problems += [(_target(bound), str(error)) for bound in form for error in bound.errors]
    return problems
