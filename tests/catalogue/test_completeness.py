"""Completeness (catalogue/completeness.py): each check against what it asks, the score, the
admin's column and filter without a query per row, the API's field, what owners and curators
see, and that the public page never shows a heading with nothing under it."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from catalogue import completeness
from catalogue.admin import InnovationAdmin
from catalogue.models import Innovation
from tests.factories import (
    BeneficiaryGroupFactory,
    InnovationFactory,
    ReachFigureFactory,
    SectorFactory,
    region,
)
from tests.html import elements, page, text

pytestmark = pytest.mark.django_db


def complete_entry(**values) -> Innovation:
    """An innovation that passes every check."""
    innovation = InnovationFactory(
        problem="Loneliness.",
        how_it_works="Matches.",
        core="The match.",
        adaptable="Who runs it.",
        outcomes="Less loneliness.",
        evidence_summary="An evaluation.",
        evidence_level=2,
        stage="growing-scaling-spreading",
        cost_band="low",
        cost_notes="Staff time.",
        contact_email="team@example.org",
        **values,
    )
    innovation.regions.add(region("london"))
    innovation.sectors.add(SectorFactory(name="Health"))
    innovation.beneficiaries.add(BeneficiaryGroupFactory(name="Older people"))
    ReachFigureFactory(innovation=innovation, source="Annual report")
    return innovation


def missing(innovation: Innovation) -> list[str]:
    return completeness.of(Innovation.objects.get(pk=innovation.pk)).missing_keys


# How each check is made to fail on a complete entry.
SPOILERS = {
    "problem": lambda i: Innovation.objects.filter(pk=i.pk).update(problem=""),
    "how_it_works": lambda i: Innovation.objects.filter(pk=i.pk).update(how_it_works=""),
    "core": lambda i: Innovation.objects.filter(pk=i.pk).update(core=""),
    "adaptable": lambda i: Innovation.objects.filter(pk=i.pk).update(adaptable=""),
    "outcomes": lambda i: Innovation.objects.filter(pk=i.pk).update(outcomes=""),
    "evidence_summary": lambda i: Innovation.objects.filter(pk=i.pk).update(evidence_summary=""),
    "evidence_level": lambda i: Innovation.objects.filter(pk=i.pk).update(evidence_level=None),
    "stage": lambda i: Innovation.objects.filter(pk=i.pk).update(stage=""),
    "lead_organisation": lambda i: Innovation.objects.filter(pk=i.pk).update(
        lead_organisation=None
    ),
    "regions": lambda i: i.regions.clear(),
    "sectors": lambda i: i.sectors.clear(),
    "beneficiaries": lambda i: i.beneficiaries.clear(),
    "cost_band": lambda i: Innovation.objects.filter(pk=i.pk).update(cost_band=""),
    "cost_notes": lambda i: Innovation.objects.filter(pk=i.pk).update(cost_notes=""),
    "reach": lambda i: i.reach.all().delete(),
    "contact": lambda i: Innovation.objects.filter(pk=i.pk).update(contact_email=""),
}


def test_every_check_has_a_way_to_fail_here():
    assert set(SPOILERS) == {check.key for check in completeness.CHECKS}


def test_a_complete_entry_scores_100_with_nothing_missing():
    found = completeness.of(complete_entry())
    assert (found.score, found.missing_keys) == (100, [])


@pytest.mark.parametrize("key", list(SPOILERS))
def test_each_check_fails_alone_when_its_part_is_missing(key):
    innovation = complete_entry()
    SPOILERS[key](innovation)
    found = completeness.of(Innovation.objects.get(pk=innovation.pk))
    assert found.missing_keys == [key]
    assert found.score == (len(completeness.CHECKS) - 1) * 100 // len(completeness.CHECKS)


def test_a_reach_figure_without_its_source_is_a_gap():
    innovation = complete_entry()
    ReachFigureFactory(innovation=innovation, measure="people", source="")
    assert missing(innovation) == ["reach"]


def test_a_bare_entry_lacks_everything_but_its_lead_organisation():
    innovation = InnovationFactory()
    found = completeness.of(innovation)  # not annotated: read in one query
    assert found.missing_keys == [
        c.key for c in completeness.CHECKS if c.key != "lead_organisation"
    ]
    assert found.score == 100 // len(completeness.CHECKS)


def test_the_score_in_sql_is_the_score_in_python():
    entries = [complete_entry(), InnovationFactory()]
    half = complete_entry()
    for key in list(SPOILERS)[:8]:
        SPOILERS[key](half)
    for innovation in completeness.with_completeness(
        Innovation.objects.filter(pk__in=[i.pk for i in [*entries, half]])
    ):
        assert innovation.completeness_score == completeness.of(innovation).score


# -- The admin --------------------------------------------------------------------------------


def test_the_admin_shows_the_score_and_filters_by_band(curator_client):
    full = complete_entry(title="Full")
    bare = InnovationFactory(title="Bare")
    url = reverse("admin:catalogue_innovation_changelist")
    response = curator_client.get(url)
    assert "100%" in response.content.decode()
    assert f"{100 // len(completeness.CHECKS)}%" in response.content.decode()
    assert list(curator_client.get(url, {"complete": "complete"}).context["cl"].result_list) == [
        full
    ]
    assert list(curator_client.get(url, {"complete": "under-50"}).context["cl"].result_list) == [
        bare
    ]
    assert list(curator_client.get(url, {"complete": "75-99"}).context["cl"].result_list) == []


def test_the_admin_list_takes_the_same_queries_for_many_entries(
    curator_client, django_assert_num_queries
):
    url = reverse("admin:catalogue_innovation_changelist")
    column = InnovationAdmin.list_display.index("complete") + 1
    complete_entry()
    InnovationFactory()
    curator_client.get(url)
    with CaptureQueriesContext(connection) as two:
        assert curator_client.get(url).status_code == 200
    for _ in range(5):
        complete_entry()
        InnovationFactory(last_reviewed_on="2020-01-01")
    # The session and user, the count, the page of entries with their completeness, and the
    # choices of the filters: as many for twelve entries as for two.
    with django_assert_num_queries(len(two)):
        assert curator_client.get(url).status_code == 200
    with django_assert_num_queries(len(two)):
        sorted_by_score = curator_client.get(url, {"o": f"-{column}"})
    assert [i.completeness_score for i in sorted_by_score.context["cl"].result_list][:2] == [
        100,
        100,
    ]


def test_the_admin_change_page_lists_the_gaps(curator_client):
    innovation = InnovationFactory()
    response = curator_client.get(
        reverse("admin:catalogue_innovation_change", args=[innovation.pk])
    )
    body = response.content.decode()
    assert response.status_code == 200
    assert 'href="#id_evidence_level"' in body
    assert reverse("catalogue:edit-reach", args=[innovation.slug]) in body


# -- The API ----------------------------------------------------------------------------------


def test_the_api_gives_the_score_and_what_is_missing(client):
    innovation = complete_entry(slug="nearly")
    SPOILERS["cost_band"](innovation)
    SPOILERS["evidence_level"](innovation)
    body = client.get(reverse("api:innovation-detail", args=["nearly"])).json()
    assert body["completeness"] == {
        "score": 14 * 100 // 16,
        "missing": ["evidence_level", "cost_band"],
    }


def test_the_api_schema_describes_completeness(client):
    schema = client.get(reverse("api:schema"), {"format": "json"}).json()["components"]["schemas"]
    field = schema["InnovationDetail"]["properties"]["completeness"]
    described = schema[field["allOf"][0]["$ref"].rsplit("/", 1)[1]]
    assert field["readOnly"]
    assert described["properties"]["score"]["maximum"] == 100
    assert "missing" in described["required"]


# -- Who sees the gaps ------------------------------------------------------------------------


def test_owners_see_the_gaps_with_links_to_fill_them(client, innovator):
    innovation = InnovationFactory(slug="gappy")
    innovation.owners.add(innovator)
    client.force_login(innovator)
    main = next(elements(page(client.get(innovation.get_absolute_url())), "main"))
    links = {text(a): dict(a.attributes)["href"] for a in elements(main, "a")}
    edit = reverse("catalogue:edit", args=["gappy"])
    assert links["What the cost covers"] == f"{edit}#id_cost_notes"
    assert links["Where it operates"] == f"{edit}#id_regions_0"
    assert links["The problem it addresses"] == f"{edit}#id_problem"
    assert links["Reach figures, each with its source"] == reverse(
        "catalogue:edit-reach", args=["gappy"]
    )
    # Owners cannot set the evidence level: named, with no link.
    assert "Its level on the standards of evidence" in text(main)
    assert not any("standards of evidence (a curator" in label for label in links)


def test_each_gap_links_to_a_field_that_is_on_the_edit_form(client, innovator):
    innovation = InnovationFactory(slug="gappy", lead_organisation=None)
    innovation.owners.add(innovator)
    SectorFactory(name="Health")  # choices to tick
    BeneficiaryGroupFactory(name="Carers")
    client.force_login(innovator)
    edit = client.get(reverse("catalogue:edit", args=["gappy"]))
    ids = {dict(e.attributes).get("id") for e in elements(page(edit))}
    anchors = [
        gap.url.split("#", 1)[1]
        for gap in completeness.gaps(innovation, where="edit")
        if gap.url.startswith("#")
    ]
    assert len(anchors) == len(completeness.CHECKS) - 2  # all but reach and evidence level
    assert set(anchors) <= ids
    assert 'href="#id_contact_email"' in edit.content.decode()


def test_curators_see_the_gaps_and_the_evidence_level_link(curator_client):
    innovation = InnovationFactory()
    body = curator_client.get(innovation.get_absolute_url()).content.decode()
    admin = reverse("admin:catalogue_innovation_change", args=[innovation.pk])
    assert f'href="{admin}#id_evidence_level"' in body
    assert "Mark reviewed today" in body


def test_a_complete_entry_shows_its_owners_no_empty_list(client, innovator):
    innovation = complete_entry()
    innovation.owners.add(innovator)
    client.force_login(innovator)
    body = client.get(innovation.get_absolute_url()).content.decode()
    assert "100% complete" in body
    assert "What is missing" not in body


def test_the_public_sees_no_gaps(client):
    innovation = InnovationFactory()
    body = client.get(innovation.get_absolute_url()).content.decode()
    assert 'id="upkeep"' not in body
    assert "% complete" not in body
    assert "What is missing" not in body


@pytest.mark.parametrize("viewer", ["public", "owner"])
def test_no_heading_of_a_bare_entry_stands_over_nothing(client, innovator, viewer):
    """Every heading on the page of an entry with only a title and a summary is followed by
    something to read before the next heading or the end of its section."""
    innovation = InnovationFactory(lead_organisation=None, slug="bare")
    innovation.owners.add(innovator)
    if viewer == "owner":
        client.force_login(innovator)
    main = next(elements(page(client.get(innovation.get_absolute_url())), "main"))
    empty = [text(h) for h in _headings_over_nothing(main)]
    assert empty == []


def _headings_over_nothing(node):
    """Headings whose next sibling elements, up to the next heading, hold no text."""
    children = [c for c in node.children if hasattr(c, "name")]
    for index, child in enumerate(children):
        if child.name in ("h1", "h2", "h3", "h4"):
            following = []
            for sibling in children[index + 1 :]:
                if sibling.name in ("h1", "h2", "h3", "h4"):
                    break
                following.append(sibling)
            if not any(text(s) for s in following):
                yield child
        else:
            yield from _headings_over_nothing(child)


def test_owners_see_how_complete_each_entry_is_on_their_account_page(client, innovator):
    bare = InnovationFactory(title="Bare")
    full = complete_entry(title="Full", last_reviewed_on=timezone.localdate())
    for innovation in (bare, full):
        innovation.owners.add(innovator)
    client.force_login(innovator)
    dashboard = page(client.get(reverse("accounts:dashboard")))
    section = next(elements(dashboard, "section", aria_labelledby="your-innovations"))
    rows = {
        text(cells[0]): text(cells[3])
        for cells in (list(elements(row, "td")) for row in elements(section, "tr"))
        if cells
    }
    assert rows["Bare"].startswith(f"{100 // len(completeness.CHECKS)}%")
    assert "Due a check" in rows["Bare"]
    assert rows["Full"].startswith("100%")
    assert "Due a check" not in rows["Full"]
