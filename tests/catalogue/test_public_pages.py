"""The public pages built around the catalogue: submitting an innovation, resources, how
innovations spread, the accessibility statement, an innovation page's extras (stage path,
similar innovations, structured data, reach chart and CSV), search pagination, navigation."""

import csv
import datetime
import io
import json
import re

import pytest
from django.conf import settings
from django.urls import reverse

from catalogue.choices import ResourceKind, Stage
from catalogue.models import Innovation, Organisation
from catalogue.views import page_numbers
from networks.choices import Ring
from tests.factories import (
    BeneficiaryGroupFactory,
    InnovationFactory,
    OrganisationFactory,
    ReachFigureFactory,
    ResourceFactory,
    SectorFactory,
    UserFactory,
    region,
)
from tests.html import assert_error_links_reach_inputs, elements, page, table_rows, text

pytestmark = pytest.mark.django_db

SUBMIT_URL = "/submit-an-innovation/"
JSON_LD = re.compile(r'<script type="application/ld\+json">(.*?)</script>', re.DOTALL)


# -- Helpers ----------------------------------------------------------------------------------


def title_of(root) -> str:
    return text(next(elements(root, "title")))


def error_summary(root):
    """The GOV.UK error summary of a page, or None."""
    return next(elements(root, "div", class_="govuk-error-summary"), None)


def summary_links(root) -> list[tuple[str, str]]:
    """(href, text) of each link in the page's error summary, in order."""
    summary = error_summary(root)
    assert summary is not None, "no error summary"
    return [(dict(a.attributes)["href"], text(a)) for a in elements(summary, "a")]


def with_class(node, tag: str, css: str):
    """Elements with this class among others (the parser sorts class names)."""
    return [el for el in elements(node, tag) if css in dict(el.attributes).get("class", "").split()]


def ids_on(root) -> set[str]:
    return {dict(el.attributes)["id"] for el in elements(root) if dict(el.attributes).get("id")}


def section(root, labelled_by: str):
    return next(elements(root, "section", aria_labelledby=labelled_by), None)


def card_titles(node) -> list[str]:
    return [text(h3) for h3 in with_class(node, "h3", "app-result__title")]


def nav_links(root) -> dict[str, dict]:
    """The service navigation's links: label → attributes."""
    nav = next(elements(root, "ul", id="navigation"))
    found = {}
    for a in elements(nav, "a"):
        found[text(a)] = dict(a.attributes)
    for button in elements(nav, "button"):
        found[text(button)] = dict(button.attributes)
    return found


@pytest.fixture
def sectors():
    return [SectorFactory(name="Health"), SectorFactory(name="Social care")]


def submission(sectors, **changes) -> dict:
    """What an innovator filling in the form well sends; `changes` replace or (None) drop."""
    data = {
        "title": "Tea and talk",
        "summary": "Weekly tea mornings where neighbours meet.",
        "kind": "service",
        "stage": "developing-testing",
        "problem": "Loneliness among older neighbours.",
        "how_it_works": "Volunteers host a tea morning every week.",
        "core": "Meeting in person, every week.",
        "organisation_name": "Brand New Trust",
        "organisation_kind": "social-enterprise",
        "year_started": "2018",
        "regions": [str(region("north-west").pk), str(region("wales").pk)],
        "scaling_ways": ["out", "deep"],
        "sectors": [str(s.pk) for s in sectors],
        "website": "https://tea.example.org/",
        "contact_name": "Pat Example",
        "contact_email": "pat@example.org",
        "accurate": "on",
    }
    data.update(changes)
    return {key: value for key, value in data.items() if value is not None}


# -- Submitting an innovation -----------------------------------------------------------------


def test_submit_page_explains_the_process_to_anonymous_visitors(client):
    response = client.get(SUBMIT_URL)
    assert response.status_code == 200
    root = page(response)
    body = text(next(elements(root, "main")))
    assert "What happens" in body
    assert "A curator checks it" in body
    assert not list(elements(root, "form", method="post", action=SUBMIT_URL))
    sign_in = [
        dict(a.attributes)["href"] for a in elements(root, "a") if text(a) == "Sign in to start"
    ]
    assert sign_in == [f"{reverse('accounts:sign-in')}?next={SUBMIT_URL}"]


def test_anonymous_post_creates_nothing(client, sectors):
    response = client.post(SUBMIT_URL, submission(sectors))
    assert response.status_code == 200
    assert "Sign in to start" in response.content.decode()
    assert not Innovation.objects.exists()
    assert not Organisation.objects.filter(name="Brand New Trust").exists()


def test_signed_in_innovator_gets_the_form(client, innovator, sectors):
    client.force_login(innovator)
    response = client.get(SUBMIT_URL)
    assert response.status_code == 200
    root = page(response)
    assert not title_of(root).startswith("Error:")
    assert error_summary(root) is None
    (form,) = elements(root, "form", method="post", action=SUBMIT_URL)
    names = {dict(el.attributes).get("name") for el in elements(form)}
    for name in ("title", "summary", "kind", "stage", "organisation_name", "sectors", "accurate"):
        assert name in names, name


def test_an_empty_submission_lists_every_problem_in_page_order(client, innovator, sectors):
    client.force_login(innovator)
    response = client.post(SUBMIT_URL, {})
    assert response.status_code == 400
    root = page(response)
    assert title_of(root).startswith("Error:")
    assert summary_links(root) == [
        ("#id_title", "Enter the name of the innovation"),
        ("#id_summary", "Enter a summary"),
        ("#id_kind", "Choose the kind of innovation"),
        ("#id_stage", "Choose the stage it has reached"),
        ("#id_problem", "Describe the problem it addresses"),
        ("#id_how_it_works", "Describe how it works"),
        ("#id_organisation_name", "Enter the name of the organisation that leads it"),
        ("#id_organisation_kind", "Choose the kind of organisation"),
        ("#id_sectors_0", "Choose at least one sector"),
        ("#id_accurate", "Confirm that the facts are accurate and may be published"),
    ]
    # Every link lands on the input of its field: a group's first checkbox.
    assert_error_links_reach_inputs(root)
    assert not Innovation.objects.exists()
    assert not Organisation.objects.exists()


def test_problems_with_checkbox_groups_link_to_their_first_box(client, innovator, sectors):
    client.force_login(innovator)
    response = client.post(
        SUBMIT_URL, submission(sectors, regions=["999999"], scaling_ways=["sideways"])
    )
    assert response.status_code == 400
    root = page(response)
    assert assert_error_links_reach_inputs(root) == ["#id_regions_0", "#id_scaling_ways_0"]
    for name in ("regions", "scaling_ways"):
        first = next(elements(root, "input", name=name))
        assert dict(first.attributes)["type"] == "checkbox"
        assert dict(first.attributes)["id"] == f"id_{name}_0"


def test_a_valid_submission_is_stored_for_review(client, innovator, sectors):
    client.force_login(innovator)
    response = client.post(SUBMIT_URL, submission(sectors))

    innovation = Innovation.objects.get()
    assert response.status_code == 302
    assert response["Location"] == innovation.get_absolute_url()
    assert innovation.status == "submitted"
    assert innovation.submitted_at is not None
    assert innovation.published_at is None
    assert list(innovation.owners.all()) == [innovator]
    assert innovation.title == "Tea and talk"
    assert innovation.kind == "service"
    assert innovation.stage == "developing-testing"
    assert innovation.year_started == 2018
    assert set(innovation.sectors.all()) == set(sectors)
    assert {r.slug for r in innovation.regions.all()} == {"north-west", "wales"}
    assert sorted(innovation.scaling_ways) == ["deep", "out"]
    assert innovation.lead_organisation.name == "Brand New Trust"
    assert innovation.lead_organisation.kind == "social-enterprise"


def test_the_owner_sees_the_submitted_page_with_a_success_message(client, innovator, sectors):
    client.force_login(innovator)
    response = client.post(SUBMIT_URL, submission(sectors), follow=True)
    assert response.status_code == 200
    root = page(response)
    (banner,) = elements(root, "div", role="alert")
    assert "govuk-notification-banner--success" in dict(banner.attributes)["class"]
    assert "“Tea and talk” is with the curators for review" in text(banner)
    warning = text(next(elements(root, "strong", class_="govuk-warning-text__text")))
    assert "Submitted for review: only its owners and curators can see this page." in warning
    assert text(next(elements(root, "h1"))) == "Tea and talk"


def test_a_submitted_innovation_is_not_public(client, innovator, sectors):
    client.force_login(innovator)
    client.post(SUBMIT_URL, submission(sectors))
    innovation = Innovation.objects.get()
    client.logout()

    assert client.get(innovation.get_absolute_url()).status_code == 404
    listing = client.get(reverse("catalogue:innovation-list"))
    assert "Tea and talk" not in listing.content.decode()
    assert (
        client.get(reverse("catalogue:innovation-list"), {"q": "tea"}).context["result"].count == 0
    )


def test_a_submitted_innovation_is_on_the_account_page_with_its_status(client, innovator, sectors):
    client.force_login(innovator)
    client.post(SUBMIT_URL, submission(sectors))
    root = page(client.get(reverse("accounts:dashboard")))
    rows = []
    for table in elements(root, "table"):
        rows += [
            [text(cell) for cell in row.children if hasattr(cell, "name")]
            for row in elements(next(elements(table, "tbody")), "tr")
        ]
    assert ["Tea and talk", "Submitted for review"] in [row[:2] for row in rows]


def test_a_known_organisation_name_links_the_existing_organisation(client, innovator, sectors):
    existing = OrganisationFactory(name="Wirral Council", kind="local-authority")
    client.force_login(innovator)
    response = client.post(
        SUBMIT_URL,
        submission(sectors, organisation_name="  wirral   COUNCIL ", organisation_kind="charity"),
    )
    assert response.status_code == 302
    # Not linked at once: none of the innovator's entries names it yet, so a curator checks
    # the claim first (tests/catalogue/test_revisions.py); nothing is duplicated meanwhile.
    innovation = Innovation.objects.get()
    assert innovation.lead_organisation is None
    assert innovation.revisions.get().changes["lead_organisation"] == {
        "slug": existing.slug,
        "name": "Wirral Council",
    }
    assert Organisation.objects.count() == 1
    existing.refresh_from_db()
    assert existing.kind == "local-authority"


def test_a_title_already_used_gets_a_distinct_slug(client, innovator, sectors):
    taken = InnovationFactory(title="Tea and talk", slug="tea-and-talk")
    client.force_login(innovator)
    response = client.post(SUBMIT_URL, submission(sectors))
    new = Innovation.objects.exclude(pk=taken.pk).get()
    assert new.slug != taken.slug
    assert new.slug == "tea-and-talk-2"
    assert response["Location"] == f"/innovations/{new.slug}/"


@pytest.mark.parametrize("year", ["1800", "20x8", "18", "2101"])
def test_an_implausible_year_is_refused(client, innovator, sectors, year):
    client.force_login(innovator)
    response = client.post(SUBMIT_URL, submission(sectors, year_started=year))
    assert response.status_code == 400
    assert summary_links(page(response)) == [
        ("#id_year_started", "Enter the year as four digits, like 2018")
    ]
    assert not Innovation.objects.exists()


def test_a_negative_year_gets_the_same_message_as_any_other_implausible_year(
    client, innovator, sectors
):
    client.force_login(innovator)
    response = client.post(SUBMIT_URL, submission(sectors, year_started="-2018"))
    assert response.status_code == 400
    assert summary_links(page(response)) == [
        ("#id_year_started", "Enter the year as four digits, like 2018")
    ]
    assert not Innovation.objects.exists()


def test_a_bad_website_and_email_get_their_messages(client, innovator, sectors):
    client.force_login(innovator)
    response = client.post(
        SUBMIT_URL, submission(sectors, website="not a web address", contact_email="pat@")
    )
    assert response.status_code == 400
    assert summary_links(page(response)) == [
        ("#id_website", "Enter a web address starting with https://"),
        ("#id_contact_email", "Enter an email address like name@example.org"),
    ]
    assert not Innovation.objects.exists()


# -- Resources --------------------------------------------------------------------------------


@pytest.fixture
def resources():
    return {
        "funding": ResourceFactory(title="Lottery grants", kind="funding"),
        "toolkit": ResourceFactory(title="Spreading toolkit", kind="toolkit"),
        "toolkit2": ResourceFactory(title="Adapting guide", kind="toolkit"),
        "advice": ResourceFactory(title="Mentoring advice", kind="advice"),
        "research": ResourceFactory(title="Big report", kind="research"),
    }


def groups_on(root) -> list[tuple[str, list[str]]]:
    """(heading, titles of the resources under it) for each kind listed."""
    found = []
    for sec in elements(root, "section"):
        labelled = dict(sec.attributes).get("aria-labelledby", "")
        if labelled.startswith("kind-"):
            heading = text(next(elements(sec, "h2")))
            titles = [text(h3) for h3 in elements(sec, "h3")]
            found.append((heading, titles))
    return found


def test_resources_are_grouped_by_kind_with_a_count(client, resources):
    response = client.get("/resources/")
    assert response.status_code == 200
    root = page(response)
    assert groups_on(root) == [
        (ResourceKind.ADVICE.label, ["Mentoring advice"]),
        (ResourceKind.TOOLKIT.label, ["Adapting guide", "Spreading toolkit"]),
        (ResourceKind.FUNDING.label, ["Lottery grants"]),
        (ResourceKind.RESEARCH.label, ["Big report"]),
    ]
    assert text(next(elements(root, "p", role="status"))) == "5 resources"


def test_resources_filtered_by_kinds(client, resources):
    response = client.get("/resources/", {"kind": ["funding", "toolkit"]})
    assert response.status_code == 200
    root = page(response)
    assert groups_on(root) == [
        (ResourceKind.TOOLKIT.label, ["Adapting guide", "Spreading toolkit"]),
        (ResourceKind.FUNDING.label, ["Lottery grants"]),
    ]
    assert text(next(elements(root, "p", role="status"))) == "3 resources"
    checked = {
        dict(box.attributes)["value"]
        for box in elements(root, "input", name="kind")
        if "checked" in dict(box.attributes)
    }
    assert checked == {"funding", "toolkit"}


def test_an_unknown_resource_kind_is_a_400_with_an_error_summary(client, resources):
    response = client.get("/resources/", {"kind": "nope"})
    assert response.status_code == 400
    root = page(response)
    assert title_of(root).startswith("Error:")
    ((href, message),) = summary_links(root)
    assert "nope" in message
    # The link leads to the group's first checkbox, not its fieldset.
    assert assert_error_links_reach_inputs(root) == [f"#kind-{ResourceKind.values[0]}"]
    first = next(elements(root, "input", name="kind"))
    assert dict(first.attributes)["id"] == href[1:]
    # The group is described by its error message.
    (fieldset,) = [f for f in elements(root, "fieldset") if list(elements(f, "input", name="kind"))]
    assert dict(fieldset.attributes)["aria-describedby"] == "kind-error"
    assert "kind-error" in ids_on(root)
    # The filter form is still there, with every kind to choose from.
    (form,) = elements(root, "form", action="/resources/")
    assert [dict(b.attributes)["value"] for b in elements(form, "input", name="kind")] == list(
        ResourceKind.values
    )


def test_resources_link_published_innovations_only(client):
    draft = InnovationFactory(draft=True, title="Secret pilot")
    published = InnovationFactory(title="Open scheme")
    resource = ResourceFactory(title="Shared guide", kind="toolkit")
    resource.innovations.add(draft, published)

    response = client.get("/resources/")
    html = response.content.decode()
    assert "Secret pilot" not in html
    assert draft.get_absolute_url() not in html
    links = [
        (dict(a.attributes)["href"], text(a))
        for a in elements(page(response), "a")
        if dict(a.attributes).get("href") == published.get_absolute_url()
    ]
    assert links == [(published.get_absolute_url(), "Open scheme")]


def linked_line(root, title: str) -> str:
    """The "Linked to …" line of the resource with this title."""
    (item,) = [
        li for li in with_class(root, "li", "app-result") if text(next(elements(li, "h3"))) == title
    ]
    (line,) = [p for p in elements(item, "p") if text(p).startswith("Linked to")]
    return text(line).replace(" ,", ",")  # text() spaces each link from the comma after it


def test_a_resource_names_its_first_five_innovations_and_counts_the_rest(client):
    schemes = [InnovationFactory(title=f"Scheme {n}") for n in range(8)]
    guide = ResourceFactory(title="Shared guide", kind="toolkit")
    guide.innovations.add(*schemes, InnovationFactory(draft=True, title="Secret pilot"))
    # The five are counted per resource: another linked to the last of them still names it.
    ResourceFactory(title="Other guide", kind="toolkit").innovations.add(schemes[7])
    ResourceFactory(title="Small guide", kind="toolkit").innovations.add(*schemes[:6])

    root = page(client.get("/resources/"))

    assert linked_line(root, "Shared guide") == (
        "Linked to Scheme 0, Scheme 1, Scheme 2, Scheme 3, Scheme 4 and 3 more innovations"
    )
    assert linked_line(root, "Small guide") == (
        "Linked to Scheme 0, Scheme 1, Scheme 2, Scheme 3, Scheme 4 and 1 more innovation"
    )
    assert linked_line(root, "Other guide") == "Linked to Scheme 7"
    assert "Secret pilot" not in text(root)


def test_the_resources_page_takes_the_same_queries_however_many_innovations_are_linked(
    client, django_assert_max_num_queries
):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    ResourceFactory(title="Guide 0", kind="toolkit").innovations.add(InnovationFactory())
    with CaptureQueriesContext(connection) as few:
        assert client.get("/resources/").status_code == 200
    schemes = [InnovationFactory(title=f"Scheme {n:02}") for n in range(30)]
    for n in range(1, 6):
        ResourceFactory(title=f"Guide {n}", kind="funding").innovations.add(*schemes[: n * 6])
    with django_assert_max_num_queries(len(few.captured_queries)):
        response = client.get("/resources/")
    assert linked_line(page(response), "Guide 5").endswith("and 25 more innovations")


# -- How innovations spread; accessibility ----------------------------------------------------


def test_how_innovations_spread_lists_stages_evidence_and_rings(client):
    response = client.get("/how-innovations-spread/")
    assert response.status_code == 200
    root = page(response)
    stages, evidence = with_class(root, "ol", "govuk-list--number")
    assert [text(strong) for strong in elements(stages, "strong")] == [s.label for s in Stage]
    assert [text(strong) for strong in elements(evidence, "strong")] == [
        f"Level {n}" for n in range(1, 6)
    ]
    rings = [text(dt) for dt in elements(root, "dt")]
    assert [r.label for r in Ring] == [r for r in rings if r in Ring.labels]
    assert rings[-3:] == [r.label for r in Ring]


def test_accessibility_statement_gives_the_contact_address(client, settings):
    settings.ACCESSIBILITY_CONTACT = "access@example.org"
    root = page(client.get("/accessibility/"))
    mailto = [
        a for a in elements(root, "a") if dict(a.attributes).get("href", "").startswith("mailto:")
    ]
    assert [(dict(a.attributes)["href"], text(a)) for a in mailto] == [
        ("mailto:access@example.org", "access@example.org")
    ]


def test_accessibility_statement_without_a_contact(client, settings):
    settings.ACCESSIBILITY_CONTACT = ""
    response = client.get("/accessibility/")
    html = response.content.decode()
    assert "Write to the people who run this catalogue." in html
    assert "mailto:" not in html


# -- An innovation's page: stage path ---------------------------------------------------------


def test_stage_path_marks_the_current_and_earlier_stages(client):
    innovation = InnovationFactory(stage=Stage.MAKING_THE_CASE)
    root = page(client.get(innovation.get_absolute_url()))
    (path,) = with_class(root, "ol", "app-stage-path")
    items = list(elements(path, "li"))
    assert len(items) == 7
    marks = [
        (dict(li.attributes).get("aria-current"), dict(li.attributes).get("class")) for li in items
    ]
    done = (None, "app-stage-path__done")
    assert marks == [done, done, done, ("step", None), (None, None), (None, None), (None, None)]
    assert text(items[3]).startswith(Stage.MAKING_THE_CASE.label)


# -- Similar innovations ----------------------------------------------------------------------


def test_similar_innovations_are_published_alike_and_ranked(client):
    health, care, transport = (SectorFactory(name=n) for n in ("Health", "Care", "Transport"))
    older = BeneficiaryGroupFactory(name="Older people")
    this = InnovationFactory(title="Shared reading")
    this.sectors.add(health, care)
    this.beneficiaries.add(older)

    def make(title, sectors=(), groups=(), **kwargs):
        innovation = InnovationFactory(title=title, **kwargs)
        innovation.sectors.add(*sectors)
        innovation.beneficiaries.add(*groups)
        return innovation

    make("Walking football", groups=[older])  # 1 point
    make("Tea dances", sectors=[health], groups=[older])  # 3 points
    make("Men's sheds", sectors=[health, care])  # 4 points
    make("Knitting circles", sectors=[health, care], groups=[older], draft=True)
    make("Garden swaps", sectors=[health, care], groups=[older], status="archived")
    make("Bus passes", sectors=[transport])

    root = page(client.get(this.get_absolute_url()))
    similar = section(root, "similar")
    assert similar is not None
    assert text(next(elements(similar, "h2"))) == "Similar innovations"
    assert card_titles(similar) == ["Men's sheds", "Tea dances", "Walking football"]


def test_an_innovation_with_the_same_title_words_is_similar(client):
    this = InnovationFactory(title="Shared reading")
    this.sectors.add(SectorFactory(name="Health"))
    InnovationFactory(title="Reading friends")
    InnovationFactory(title="Bus passes")
    similar = section(page(client.get(this.get_absolute_url())), "similar")
    assert similar is not None
    assert card_titles(similar) == ["Reading friends"]


def test_no_similar_section_when_nothing_is_alike(client):
    this = InnovationFactory(title="Shared reading")
    this.sectors.add(SectorFactory(name="Health"))
    other = InnovationFactory(title="Bus passes")
    other.sectors.add(SectorFactory(name="Transport"))
    response = client.get(this.get_absolute_url())
    assert response.context["similar"] == []
    assert section(page(response), "similar") is None
    assert "Similar innovations" not in response.content.decode()


# -- Structured data (JSON-LD) ----------------------------------------------------------------


def structured(response) -> dict:
    html = response.content.decode()
    found = JSON_LD.search(html)
    assert found, "no JSON-LD script"
    assert found.start() < html.index("</head>"), "the JSON-LD is not in <head>"
    return json.loads(found.group(1))


def test_the_public_contact_is_offered_beside_registering_interest(client):
    """The submission form says the contact email is shown on the page: it is."""
    with_contact = InnovationFactory(
        slug="homeshare", contact_name="The Homeshare team", contact_email="hello@homeshare.test"
    )
    aside = next(elements(page(client.get(with_contact.get_absolute_url())), "aside"))
    assert "Or write to The Homeshare team at hello@homeshare.test" in text(aside)
    assert next(elements(aside, "a", href="mailto:hello@homeshare.test"))
    without = InnovationFactory(slug="no-contact", contact_email="")
    aside = next(elements(page(client.get(without.get_absolute_url())), "aside"))
    assert "Or write to" not in text(aside)


def test_innovation_page_describes_itself_as_json_ld(client):
    lead = OrganisationFactory(name="The Reader")
    innovation = InnovationFactory(
        title="Shared reading", lead_organisation=lead, year_started=2008
    )
    innovation.sectors.add(SectorFactory(name="Health"))
    data = structured(client.get(innovation.get_absolute_url()))
    assert data["@context"] == "https://schema.org"
    assert data["@type"] == "CreativeWork"
    assert data["name"] == "Shared reading"
    assert data["url"] == f"http://testserver{innovation.get_absolute_url()}"
    assert data["creator"]["@type"] == "Organization"
    assert data["creator"]["name"] == "The Reader"
    assert data["creator"]["url"] == f"http://testserver{lead.get_absolute_url()}"
    assert data["keywords"] == ["Health"]
    assert data["temporalCoverage"] == "2008/.."


def test_json_ld_cannot_be_broken_out_of(client):
    title = "Evil </script><b>bold</b> & <!-- co"
    innovation = InnovationFactory(title=title, slug="evil")
    response = client.get(innovation.get_absolute_url())
    html = response.content.decode()
    assert "</script><b>" not in html
    found = JSON_LD.search(html)
    assert "<" not in found.group(1)
    assert json.loads(found.group(1))["name"] == title


# -- Reach chart and CSV ----------------------------------------------------------------------


def test_reach_chart_for_a_measure_counted_more_than_once(client):
    innovation = InnovationFactory()
    ReachFigureFactory(
        innovation=innovation,
        measure="people supported",
        value=1500,
        date=datetime.date(2021, 6, 30),
        source="Annual report",
    )
    ReachFigureFactory(
        innovation=innovation,
        measure="people supported",
        value=120,
        date=datetime.date(2019, 1, 1),
        source="First report",
    )
    ReachFigureFactory(innovation=innovation, measure="volunteers", value=7)

    root = page(client.get(innovation.get_absolute_url()))
    (svg,) = elements(root, "svg", role="img")
    assert text(next(elements(svg, "title"))) == "People supported over time"
    desc = text(next(elements(svg, "desc")))
    assert "120" in desc
    assert "January 2019" in desc
    assert "1,500" in desc
    assert "June 2021" in desc
    assert table_rows(root, "People supported") == [
        ["1 January 2019", "120", "First report"],
        ["30 June 2021", "1,500", "Annual report"],
    ]
    assert table_rows(root, "Volunteers") == [["1 January 2019", "7", "Test source"]]


def test_no_chart_when_each_measure_is_counted_once(client):
    innovation = InnovationFactory()
    ReachFigureFactory(innovation=innovation, measure="groups", value=141)
    ReachFigureFactory(innovation=innovation, measure="volunteers", value=30)
    root = page(client.get(innovation.get_absolute_url()))
    assert list(elements(root, "svg", role="img")) == []
    assert table_rows(root, "Groups") == [["1 January 2019", "141", "Test source"]]
    assert table_rows(root, "Volunteers") == [["1 January 2019", "30", "Test source"]]


def reach_csv_rows(response) -> list[list[str]]:
    return list(csv.reader(io.StringIO(response.content.decode())))


def test_reach_csv_lists_every_figure_sorted_and_safe(client):
    innovation = InnovationFactory(slug="shared-reading")
    ReachFigureFactory(
        innovation=innovation,
        measure="volunteers",
        value=5,
        date=datetime.date(2020, 1, 1),
        source='=HYPERLINK("http://evil.example")',
    )
    ReachFigureFactory(
        innovation=innovation, measure="groups", value=20, date=datetime.date(2021, 1, 1)
    )
    ReachFigureFactory(
        innovation=innovation,
        measure="groups",
        value=10,
        date=datetime.date(2019, 1, 1),
        source="Annual report 2019",
    )
    ReachFigureFactory(measure="groups", value=999)  # another innovation's figure

    response = client.get("/innovations/shared-reading/reach.csv")
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/csv")
    assert 'filename="shared-reading-reach.csv"' in response["Content-Disposition"]
    licence = settings.CONTENT_LICENCE_URL
    assert response["Link"] == f'<{licence}>; rel="license"'
    assert reach_csv_rows(response) == [
        ["measure", "date", "value", "source", "licence"],
        ["groups", "2019-01-01", "10", "Annual report 2019", licence],
        ["groups", "2021-01-01", "20", "Test source", licence],
        ["volunteers", "2020-01-01", "5", '\'=HYPERLINK("http://evil.example")', licence],
    ]


def test_reach_csv_of_a_draft_is_for_its_owners(client, innovator, own_draft):
    ReachFigureFactory(innovation=own_draft, measure="groups", value=3)
    url = reverse("catalogue:reach-csv", args=[own_draft.slug])
    assert client.get(url).status_code == 404
    client.force_login(UserFactory())
    assert client.get(url).status_code == 404
    client.force_login(innovator)
    response = client.get(url)
    assert response.status_code == 200
    assert "Link" not in response  # a draft is its owners' own, under no licence yet
    assert reach_csv_rows(response) == [
        ["measure", "date", "value", "source", "licence"],
        ["groups", "2019-01-01", "3", "Test source", ""],
    ]


# -- Pagination -------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("current", "last", "expected"),
    [
        (1, 1, [1]),
        (1, 2, [1, 2]),
        (1, 3, [1, 2, 3]),
        (5, 10, [1, None, 4, 5, 6, None, 10]),
        (3, 10, [1, 2, 3, 4, None, 10]),
        (4, 10, [1, 2, 3, 4, 5, None, 10]),
        (1, 10, [1, 2, None, 10]),
        (10, 10, [1, None, 9, 10]),
        (8, 10, [1, None, 7, 8, 9, 10]),
    ],
)
def test_page_numbers(current, last, expected):
    assert page_numbers(current, last) == expected


def test_page_numbers_never_leave_out_a_single_page():
    for last in range(1, 30):
        for current in range(1, last + 1):
            numbers = page_numbers(current, last)
            shown = [n for n in numbers if n is not None]
            assert shown == sorted(set(shown))
            assert shown[0] == 1
            assert shown[-1] == last
            assert current in shown
            # An ellipsis stands for two or more pages, never for one.
            for i, n in enumerate(numbers):
                if n is None:
                    assert numbers[i + 1] - numbers[i - 1] > 2


@pytest.fixture
def forty_five():
    for n in range(45):
        InnovationFactory(title=f"Scheme {n:02d}")


def test_search_page_shows_govuk_pagination(client, forty_five):
    response = client.get(reverse("catalogue:innovation-list"), {"page": "2"})
    assert response.status_code == 200
    root = page(response)
    (nav,) = elements(root, "nav", class_="govuk-pagination")
    numbered = [
        (text(a), dict(a.attributes).get("aria-current"))
        for a in elements(nav, "a")
        if dict(a.attributes).get("aria-label", "").startswith("Page ")
    ]
    assert numbered == [("1", None), ("2", "page"), ("3", None)]
    (prev,) = elements(nav, "a", rel="prev")
    (following,) = elements(nav, "a", rel="next")
    assert dict(prev.attributes)["href"] == "?page=1"
    assert dict(following.attributes)["href"] == "?page=3"
    assert "Page 2 of 3" in text(root)
    assert len(response.context["result"].results) == 20


def test_first_and_last_pages_have_no_link_beyond(client, forty_five):
    first = page(client.get(reverse("catalogue:innovation-list")))
    (nav,) = elements(first, "nav", class_="govuk-pagination")
    assert list(elements(nav, "a", rel="prev")) == []
    assert len(list(elements(nav, "a", rel="next"))) == 1

    response = client.get(reverse("catalogue:innovation-list"), {"page": "3"})
    (nav,) = elements(page(response), "nav", class_="govuk-pagination")
    assert list(elements(nav, "a", rel="next")) == []
    assert len(list(elements(nav, "a", rel="prev"))) == 1
    assert len(response.context["result"].results) == 5


def test_past_the_last_page_previous_leads_back_to_the_last(client, forty_five):
    response = client.get(reverse("catalogue:innovation-list"), {"page": "5"})
    assert response.status_code == 200  # the contract allows it: an empty page
    (nav,) = elements(page(response), "nav", class_="govuk-pagination")
    (prev,) = elements(nav, "a", rel="prev")
    assert dict(prev.attributes)["href"] == "?page=3"


def test_one_page_of_results_has_no_pagination(client):
    InnovationFactory()
    root = page(client.get(reverse("catalogue:innovation-list")))
    assert list(elements(root, "nav", class_="govuk-pagination")) == []


# -- Navigation -------------------------------------------------------------------------------


def test_navigation_marks_the_page_you_are_on(client):
    links = nav_links(page(client.get("/resources/")))
    assert links["Resources"].get("aria-current") == "page"
    assert all(
        attrs.get("aria-current") is None for label, attrs in links.items() if label != "Resources"
    )


def test_navigation_marks_the_section_of_an_innovation_page(client):
    innovation = InnovationFactory()
    links = nav_links(page(client.get(innovation.get_absolute_url())))
    assert links["Innovations"].get("aria-current") == "true"
    assert links["Resources"].get("aria-current") is None


def test_navigation_for_signed_out_visitors(client):
    links = nav_links(page(client.get("/")))
    assert links["Sign in"]["href"] == reverse("accounts:sign-in")
    assert "Curate" not in links
    assert "Your account" not in links


def test_navigation_for_curators(curator_client):
    links = nav_links(page(curator_client.get("/")))
    assert links["Curate"]["href"] == reverse("admin:index")
    assert "Your account" in links
    assert "Sign in" not in links


def test_navigation_for_innovators_has_no_curate_link(client, innovator):
    client.force_login(innovator)
    links = nav_links(page(client.get("/")))
    assert "Curate" not in links
    assert "Sign in" not in links
    assert "Your account" in links
