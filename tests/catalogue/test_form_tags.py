"""The GOV.UK form tags (`kernel/templatetags/forms.py`): each problem in the error summary
links to the first input of its field, whatever the field's widget."""

from django import forms
from django.template import Context, Template
from django.test.html import parse_html

from tests.html import assert_error_links_reach_inputs, error_summary_targets

PAGE = Template(
    "{% load forms %}{% error_summary form %}{% for bound in form %}{% field bound %}{% endfor %}"
)


class Everything(forms.Form):
    name = forms.CharField()
    notes = forms.CharField(widget=forms.Textarea)
    colour = forms.ChoiceField(choices=[("", "Choose"), ("red", "Red")])
    size = forms.ChoiceField(choices=[("s", "Small"), ("l", "Large")], widget=forms.RadioSelect)
    tastes = forms.MultipleChoiceField(
        choices=[("sweet", "Sweet"), ("sour", "Sour")], widget=forms.CheckboxSelectMultiple
    )
    # Grouped choices: Django numbers the options `<id>_<group>_<option>`.
    places = forms.MultipleChoiceField(
        choices=[("North", [("leeds", "Leeds"), ("york", "York")]), ("South", [("bath", "Bath")])],
        widget=forms.CheckboxSelectMultiple,
    )
    agree = forms.BooleanField()


def drawn(form) -> str:
    return PAGE.render(Context({"form": form}))


def test_every_problem_links_to_the_first_input_of_its_field():
    form = Everything(data={})
    root = parse_html(drawn(form))
    assert assert_error_links_reach_inputs(root) == [
        "#id_name",
        "#id_notes",
        "#id_colour",
        "#id_size_0",
        "#id_tastes_0",
        "#id_places_0_0",
        "#id_agree",
    ]


def test_a_prefixed_form_links_to_its_own_ids():
    root = parse_html(drawn(Everything(data={}, prefix="row-2")))
    hrefs = assert_error_links_reach_inputs(root)
    assert "#id_row-2-tastes_0" in hrefs
    assert "#id_row-2-size_0" in hrefs


def test_a_group_with_no_choices_is_listed_without_a_link():
    class Empty(forms.Form):
        tastes = forms.MultipleChoiceField(choices=[], widget=forms.CheckboxSelectMultiple)

    root = parse_html(drawn(Empty(data={})))
    assert error_summary_targets(root) == []
    assert "This field is required." in drawn(Empty(data={}))


def test_a_form_drawing_a_field_itself_names_its_first_input():
    form = Everything(data={})
    form.error_targets = {"tastes": "my-first-taste", "places": ""}
    hrefs = [href for href, _ in error_summary_targets(parse_html(drawn(form)))]
    assert "#my-first-taste" in hrefs
    assert not any(href.startswith("#id_places") for href in hrefs)
