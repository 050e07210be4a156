"""The frame's tags (`kernel/templatetags/layout.py`, `forms.py`): breadcrumbs from Home, and the
error summary for problems a view finds itself."""

import pytest
from django import forms
from django.template import Context, Template, TemplateSyntaxError
from django.test.html import parse_html


def render(source: str, **context) -> str:
    return Template("{% load layout forms %}" + source).render(Context(context))


def crumbs(html: str) -> list[tuple[str, str]]:
    root = parse_html(html)
    links = []

    def walk(node):
        for child in getattr(node, "children", []):
            if getattr(child, "name", None) == "a":
                links.append((dict(child.attributes)["href"], "".join(map(str, child.children))))
            walk(child)

    walk(root)
    return links


def test_breadcrumbs_start_at_home_and_resolve_url_names_and_paths():
    html = render('{% breadcrumbs "Networks" "networks:list" name "/networks/x/" %}', name="X")
    assert crumbs(html) == [("/", "Home"), ("/networks/", "Networks"), ("/networks/x/", "X")]
    assert 'aria-label="Breadcrumb"' in html


def test_a_crumb_with_no_label_is_left_out():
    """`adoption.organisation.name` is empty on the page that records a new adoption."""
    html = render('{% breadcrumbs "Innovations" "catalogue:innovation-list" adoption.name "" %}')
    assert crumbs(html) == [("/", "Home"), ("/innovations/", "Innovations")]


def test_crumb_labels_are_escaped():
    html = render('{% breadcrumbs title "/x/" %}', title="<script>alert(1)</script>")
    assert "<script>" not in html
    assert "&lt;script&gt;" in html


def test_breadcrumbs_need_pairs():
    with pytest.raises(TemplateSyntaxError):
        render('{% breadcrumbs "Networks" %}')


def test_problem_summary_links_each_problem_and_offers_a_way_out():
    html = render(
        '{% problem_summary problems "There is a problem with this search" "/innovations/" '
        '"Start a new search" %}',
        problems=[("f-q", "Keywords: too long <b>"), ("", "Page: not a number")],
    )
    assert "There is a problem with this search" in html
    assert '<a href="#f-q">Keywords: too long &lt;b&gt;</a>' in html
    assert "<li>Page: not a number</li>" in html
    assert '<a class="govuk-link" href="/innovations/">Start a new search</a>' in html


def test_no_problems_draw_nothing():
    assert render("{% problem_summary problems %}", problems=[]).strip() == ""


class Filters(forms.Form):
    status = forms.ChoiceField(choices=[("new", "New")])

    def clean(self):
        raise forms.ValidationError("These filters do not go together.")


def test_field_problems_name_each_field_and_keep_form_wide_ones_unlinked():
    form = Filters(data={"status": "nope"})
    html = render('{% problem_summary form|field_problems:"f-" %}', form=form)
    assert '<a href="#f-status">Status: Select a valid choice.' in html
    assert "<li>These filters do not go together.</li>" in html
