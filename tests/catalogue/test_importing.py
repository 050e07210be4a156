"""Importing the catalogue file: every problem found and located, all or nothing, idempotent."""

import datetime

import pytest
from django.utils import timezone
from django.utils.text import slugify

from adopters.models import Adoption, AdoptionStatusChange
from adopters.signals import adoption_status_noted
from catalogue.models import (
    INNOVATION_EDITABLE,
    BeneficiaryGroup,
    Innovation,
    Organisation,
    ReachFigure,
    Resource,
    ScalingRoute,
    Sector,
)
from catalogue.signals import innovation_published
from networks.models import Network
from portal.exporting import export_catalogue
from portal.importing import (
    INNOVATION_CURATED,
    ImportFailed,
    InnovationRecord,
    import_catalogue,
    parse_json,
)
from tests.factories import OrganisationFactory, SectorFactory

pytestmark = pytest.mark.django_db

SLUG = "example-peer-support-circles"
COUNTED = (
    Organisation,
    Innovation,
    Adoption,
    AdoptionStatusChange,
    ReachFigure,
    Sector,
    BeneficiaryGroup,
    ScalingRoute,
    Resource,
    Network,
)


def document() -> dict:
    """A small valid document that writes at least one row of every kind counted."""
    return {
        "organisations": [
            {
                "name": "Example Trust",
                "kind": "charity",
                "region": "london",
                "website": "https://example.org",
            },
            {"name": "Example Council", "kind": "local-authority", "region": "scotland"},
        ],
        "innovations": [
            {
                "title": "Example peer support circles",
                "slug": SLUG,
                "summary": "One or two sentences.",
                "stage": "growing-scaling-spreading",
                "sectors": ["Health"],
                "beneficiaries": ["Older people"],
                "scaling_routes": ["Replication through partners"],
                "lead_organisation": "Example Trust",
                "status": "published",
                "reach": [{"measure": "groups", "value": 43, "date": "2016-03-31"}],
            }
        ],
        "adoptions": [
            {
                "innovation": SLUG,
                "organisation": "Example Council",
                "region": "scotland",
                "area": "Glasgow",
                "status": "adopted",
                "started_on": "2019-04-01",
            }
        ],
        "resources": [{"title": "Scaling toolkit", "kind": "toolkit", "innovations": [SLUG]}],
    }


def innovation(**fields) -> dict:
    """A second, valid innovation record, changed by the given fields."""
    return {"title": "Second idea", "summary": "Short.", **fields}


def adoption(**fields) -> dict:
    """A second, valid adoption record (another area), changed by the given fields."""
    return {"innovation": SLUG, "organisation": "Example Council", "area": "Leeds", **fields}


def row_counts() -> dict[str, int]:
    return {model.__name__: model.objects.count() for model in COUNTED}


def problems_of(data) -> list[str]:
    """Import data, expect it refused, check nothing was written, and return the problems."""
    before = row_counts()
    with pytest.raises(ImportFailed) as failure:
        import_catalogue(data)
    assert row_counts() == before
    return failure.value.problems


def assert_single_problem(data, prefix: str) -> None:
    problems = problems_of(data)
    assert len(problems) == 1, problems
    assert problems[0].startswith(prefix), problems


def with_innovation(**fields) -> dict:
    data = document()
    data["innovations"].append(innovation(**fields))
    return data


def with_adoption(**fields) -> dict:
    data = document()
    data["adoptions"].append(adoption(**fields))
    return data


def with_organisation(**fields) -> dict:
    data = document()
    data["organisations"].append({"name": "Third Org", **fields})
    return data


# --- The valid document is valid: each refusal below is down to the one bad record -----------


def test_the_minimal_document_imports_and_writes_every_kind_of_row():
    import_catalogue(document())

    assert all(count > 0 for count in row_counts().values()), row_counts()


# --- Problems with the document as a whole ----------------------------------------------------


def test_invalid_json_is_reported_with_its_line_and_column():
    with pytest.raises(ImportFailed) as failure:
        parse_json('{\n  "innovations": [\n    {"title": "x",}\n  ]\n}')

    assert failure.value.problems == [
        "line 3, column 19: invalid JSON (Expecting property name enclosed in double quotes)"
    ]


def test_a_file_that_is_not_utf8_is_reported():
    with pytest.raises(ImportFailed) as failure:
        parse_json(b'{"organisations": [{"name": "Caf\xe9"}]}')

    assert failure.value.problems[0].startswith("the file is not UTF-8 text")


def test_a_document_that_is_not_an_object_is_refused():
    assert problems_of([document()]) == ["the document must be a JSON object with lists of records"]


def test_an_unknown_section_is_reported_by_name():
    data = document()
    data["innovatons"] = [innovation()]

    assert_single_problem(data, "innovatons: unknown section")


def test_a_section_that_is_not_a_list_is_reported():
    data = document()
    data["resources"] = {"title": "Scaling toolkit"}

    assert_single_problem(data, "resources: must be a list")


def test_a_record_that_is_not_an_object_is_reported_with_its_index():
    data = document()
    data["innovations"].append("Second idea")

    assert_single_problem(data, "innovations[1]: must be an object")


# --- Problems within one record ---------------------------------------------------------------


def test_missing_title_is_reported():
    data = document()
    data["innovations"].append({"summary": "Short."})

    assert_single_problem(data, "innovations[1].title: This field is required.")


def test_missing_summary_is_reported():
    data = document()
    data["innovations"].append({"title": "Second idea"})

    assert_single_problem(data, "innovations[1].summary: This field is required.")


def test_an_unknown_field_is_reported_so_a_typo_never_drops_data():
    assert_single_problem(
        with_innovation(evidnce_level=2), "innovations[1].evidnce_level: Unknown field."
    )


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("stage", "scaling"),
        ("kind", "gadget"),
        ("cost_band", "free"),
        ("status", "secret"),
    ],
)
def test_innovation_value_outside_its_fixed_vocabulary_is_reported(field, value):
    assert_single_problem(
        with_innovation(**{field: value}), f'innovations[1].{field}: "{value}" is not one of "'
    )


def test_scaling_way_outside_its_fixed_vocabulary_is_reported_with_its_index():
    assert_single_problem(
        with_innovation(scaling_ways=["out", "sideways"]),
        'innovations[1].scaling_ways[1]: "sideways" is not one of "out", "up", "deep".',
    )


def test_organisation_kind_outside_its_fixed_vocabulary_is_reported():
    assert_single_problem(
        with_organisation(kind="club"), 'organisations[2].kind: "club" is not one of "'
    )


def test_adoption_status_outside_its_fixed_vocabulary_is_reported():
    assert_single_problem(
        with_adoption(status="done"), 'adoptions[1].status: "done" is not one of "'
    )


def test_adoption_history_status_outside_its_fixed_vocabulary_is_reported():
    history = [{"status": "finished", "changed_on": "2020-01-01"}]

    assert_single_problem(
        with_adoption(history=history), 'adoptions[1].history[0].status: "finished" is not one of'
    )


@pytest.mark.parametrize(
    ("level", "message"),
    [
        (0, "Ensure this value is greater than or equal to 1."),
        (6, "Ensure this value is less than or equal to 5."),
        ("seven", "A valid integer is required."),
    ],
)
def test_evidence_level_outside_1_to_5_is_reported(level, message):
    assert_single_problem(
        with_innovation(evidence_level=level), f"innovations[1].evidence_level: {message}"
    )


@pytest.mark.parametrize(
    ("data", "location"),
    [
        (
            with_innovation(reach=[{"measure": "groups", "value": 1, "date": "31/03/2016"}]),
            "innovations[1].reach[0].date",
        ),
        (with_innovation(last_reviewed_on="2024-02-30"), "innovations[1].last_reviewed_on"),
        (with_adoption(started_on="April 2019"), "adoptions[1].started_on"),
    ],
    ids=["reach-date", "last-reviewed-on", "adoption-started-on"],
)
def test_a_date_not_in_iso_format_is_reported(data, location):
    assert_single_problem(data, f"{location}: Date has wrong format.")


def test_a_negative_reach_value_is_reported():
    assert_single_problem(
        with_innovation(reach=[{"measure": "groups", "value": -1, "date": "2016-03-31"}]),
        "innovations[1].reach[0].value: Ensure this value is greater than or equal to 0.",
    )


@pytest.mark.parametrize(
    ("data", "location"),
    [
        (with_innovation(regions=["london", "atlantis"]), "innovations[1].regions[1]"),
        (with_organisation(region="atlantis"), "organisations[2].region"),
        (with_adoption(region="atlantis"), "adoptions[1].region"),
    ],
    ids=["innovation-regions", "organisation-region", "adoption-region"],
)
def test_an_unknown_region_is_reported(data, location):
    assert_single_problem(data, f'{location}: "atlantis" is not a known region')


@pytest.mark.parametrize(
    ("data", "location"),
    [
        (with_innovation(lead_organisation="Nobody"), "innovations[1].lead_organisation"),
        (with_innovation(partners=["Example Trust", "Nobody"]), "innovations[1].partners[1]"),
        (with_adoption(organisation="Nobody"), "adoptions[1].organisation"),
    ],
    ids=["lead-organisation", "partner", "adopter"],
)
def test_an_organisation_neither_in_the_file_nor_the_catalogue_is_reported(data, location):
    assert_single_problem(
        data,
        f'{location}: organisation "Nobody" is neither in "organisations" '
        "nor already in the catalogue",
    )


@pytest.mark.parametrize(
    ("code", "problem"),
    [
        ("E99999999", '"E99999999" is not a known local authority'),
        ("e06000014", "an ONS code of a local authority district is"),
        ("York", "an ONS code of a local authority district is"),
        ("E0600001\x00", "Null characters are not allowed."),
        ("E06000014X", "an ONS code of a local authority district is"),
        (6000014, "an ONS code of a local authority district is"),
        (["E06000014"], "an ONS code of a local authority district is"),
    ],
    ids=["unknown", "lower-case", "name", "nul", "too-long", "number", "list"],
)
def test_an_adoptions_bad_local_authority_is_reported_where_it_is(code, problem):
    problems = problems_of(with_adoption(local_authority=code))
    at = "adoptions[1].local_authority: "
    assert all(p.startswith(at) for p in problems), problems
    assert any(p.startswith(at + problem) for p in problems), problems


def test_an_adoption_in_a_local_authority_is_in_its_region_and_can_leave_it():
    data = with_adoption(region="london", local_authority="E06000014")
    import_catalogue(data)
    leeds = Adoption.objects.select_related("local_authority", "region").get(area="Leeds")
    assert (leeds.local_authority.name, leeds.region.slug) == ("York", "yorkshire-and-the-humber")

    data["adoptions"][1].update(local_authority=None, region="wales")
    import_catalogue(data)
    leeds.refresh_from_db()
    assert (leeds.local_authority, leeds.region.slug) == (None, "wales")


def test_an_adoption_of_an_unknown_innovation_is_reported():
    assert_single_problem(
        with_adoption(innovation="nowhere"),
        'adoptions[1].innovation: no innovation with slug "nowhere" in the file or the catalogue',
    )


def test_a_resource_linking_an_unknown_innovation_is_reported():
    data = document()
    data["resources"].append({"title": "Another guide", "innovations": [SLUG, "nowhere"]})

    assert_single_problem(data, 'resources[1].innovations[1]: no innovation with slug "nowhere"')


def test_duplicate_innovation_slugs_in_the_file_are_reported():
    assert_single_problem(
        with_innovation(slug=SLUG), f'innovations[1].slug: "{SLUG}" is also innovations[0]'
    )


def test_a_title_whose_derived_slug_is_taken_in_the_file_is_reported():
    assert_single_problem(
        with_innovation(title="Example Peer Support Circles!"),
        f'innovations[1].slug: "{SLUG}" is also innovations[0]',
    )


def test_duplicate_organisation_names_are_reported_whatever_the_case():
    data = document()
    data["organisations"].append({"name": "EXAMPLE trust"})

    assert_single_problem(data, 'organisations[2].name: "EXAMPLE trust" is also organisations[0]')


def test_two_reach_figures_for_one_measure_and_date_are_reported():
    reach = [
        {"measure": "groups", "value": 1, "date": "2016-03-31"},
        {"measure": "Groups", "value": 2, "date": "2016-03-31"},
    ]

    assert_single_problem(
        with_innovation(reach=reach),
        'innovations[1].reach[1]: a second "Groups" figure for 2016-03-31',
    )


def test_an_adoption_ending_before_it_started_is_reported():
    assert_single_problem(
        with_adoption(started_on="2020-01-01", ended_on="2019-12-31"),
        "adoptions[1].ended_on: Cannot be before started_on.",
    )


def test_a_nul_byte_in_a_text_field_is_reported():
    assert_single_problem(
        with_innovation(problem="before\x00after"),
        "innovations[1].problem: Null characters are not allowed.",
    )


def test_every_problem_in_a_file_is_reported_not_just_the_first():
    data = document()
    data["organisations"].append({"name": "Third Org", "region": "atlantis"})
    data["innovations"].append(innovation(stage="scaling", sumary="Typo."))
    data["adoptions"].append(adoption(innovation="nowhere"))

    problems = problems_of(data)

    assert sorted(problem.split(":")[0] for problem in problems) == [
        "adoptions[1].innovation",
        "innovations[1].stage",
        "innovations[1].sumary",
        "organisations[2].region",
    ]


def test_nothing_is_written_when_the_database_refuses_a_record_late_in_the_file():
    import_catalogue(document())
    data = document()
    data["organisations"].append({"name": "A New Organisation"})
    # Valid on its own, but the stored start date is later: only the database knows.
    data["adoptions"][0] = {
        "innovation": SLUG,
        "organisation": "Example Council",
        "area": "Glasgow",
        "ended_on": "2018-01-01",
    }

    problems = problems_of(data)

    assert problems == ["adoptions[0]: An adoption cannot end before it started."]
    assert not Organisation.objects.filter(name="A New Organisation").exists()


def test_a_vocabulary_name_without_letters_or_digits_is_refused():
    assert_single_problem(
        with_innovation(sectors=["—"]), 'innovations[1].sectors[0]: "—" has no letters or digits'
    )


def test_no_stored_row_is_changed_when_a_later_record_is_refused():
    import_catalogue(document())
    data = document()
    data["organisations"][0]["website"] = "https://example.org/new"
    data["innovations"][0].update(title="Renamed", reach=[])
    data["innovations"].append(innovation(stage="scaling"))

    problems_of(data)

    stored = Innovation.objects.get(slug=SLUG)
    assert (stored.title, stored.reach.count()) == ("Example peer support circles", 1)
    assert Organisation.objects.get(name="Example Trust").website == "https://example.org"


# --- A successful import ----------------------------------------------------------------------


def full_innovation() -> dict:
    return {
        "title": "Example peer support circles",
        "slug": SLUG,
        "summary": "One or two sentences.",
        "problem": "Loneliness.",
        "how_it_works": "Volunteers run circles.",
        "core": "Weekly meetings.",
        "adaptable": "The venue.",
        "outcomes": "Less loneliness.",
        "evidence_level": 2,
        "evidence_summary": "A survey.",
        "stage": "growing-scaling-spreading",
        "kind": "service",
        "scaling_ways": ["out", "deep"],
        "scaling_routes": ["Replication through partners"],
        "sectors": ["Health", "Social care"],
        "beneficiaries": ["Older people"],
        "regions": ["london", "north-west"],
        "lead_organisation": "Example Trust",
        "partners": ["Example Council"],
        "year_started": 2014,
        "cost_band": "low",
        "cost_notes": "Mostly volunteer time.",
        "funding_model": "Grants.",
        "website": "https://example.org/circles",
        "contact_name": "Sam Example",
        "contact_email": "sam@example.org",
        "status": "published",
        "source": "Annual report 2016",
        "last_reviewed_on": "2024-05-01",
        "reach": [
            {"measure": "groups", "value": 43, "date": "2016-03-31", "source": "Report"},
            {"measure": "people supported", "value": 900, "date": "2016-03-31"},
        ],
    }


def test_import_creates_organisations_with_their_fields():
    import_catalogue(document())

    trust = Organisation.objects.get(name="Example Trust")
    assert (trust.kind, trust.region.slug, trust.website, trust.slug) == (
        "charity",
        "london",
        "https://example.org",
        "example-trust",
    )


def test_a_new_organisation_without_kind_is_other():
    data = document()
    data["organisations"].append({"name": "Third Org"})

    import_catalogue(data)

    assert Organisation.objects.get(name="Third Org").kind == "other"


def test_import_stores_every_innovation_field():
    data = document()
    data["innovations"] = [full_innovation()]

    import_catalogue(data)

    stored = Innovation.objects.get(slug=SLUG)
    assert {
        name: getattr(stored, name)
        for name in (
            "title",
            "summary",
            "problem",
            "how_it_works",
            "core",
            "adaptable",
            "outcomes",
            "evidence_level",
            "evidence_summary",
            "stage",
            "kind",
            "scaling_ways",
            "year_started",
            "cost_band",
            "cost_notes",
            "funding_model",
            "website",
            "contact_name",
            "contact_email",
            "status",
            "source",
        )
    } == {
        name: value
        for name, value in full_innovation().items()
        if name
        not in (
            "slug",
            "scaling_routes",
            "sectors",
            "beneficiaries",
            "regions",
            "lead_organisation",
            "partners",
            "last_reviewed_on",
            "reach",
        )
    }
    assert stored.last_reviewed_on == datetime.date(2024, 5, 1)
    assert stored.lead_organisation.name == "Example Trust"
    assert [p.name for p in stored.partners.all()] == ["Example Council"]


def test_new_vocabulary_names_are_created_with_slugify_of_the_name():
    data = document()
    data["innovations"] = [full_innovation()]
    data["innovations"][0]["sectors"] = ["Mental health & wellbeing"]

    import_catalogue(data)

    innovation = Innovation.objects.get(slug=SLUG)
    created = [
        (v.name, v.slug)
        for manager in (innovation.sectors, innovation.beneficiaries, innovation.scaling_routes)
        for v in manager.all()
    ]
    assert created == [
        (name, slugify(name))
        for name in ("Mental health & wellbeing", "Older people", "Replication through partners")
    ]


def test_existing_vocabulary_is_reused_whatever_the_case():
    health = SectorFactory(name="Health")
    data = document()
    data["innovations"][0]["sectors"] = ["HEALTH", "health"]

    import_catalogue(data)

    assert list(Sector.objects.all()) == [health]
    assert list(Innovation.objects.get(slug=SLUG).sectors.all()) == [health]


def test_import_sets_the_regions():
    data = document()
    data["innovations"][0]["regions"] = ["north-west", "london", "england"]

    import_catalogue(data)

    regions = Innovation.objects.get(slug=SLUG).regions.values_list("slug", flat=True)
    assert sorted(regions) == ["england", "london", "north-west"]


def test_import_stores_reach_figures():
    data = document()
    data["innovations"] = [full_innovation()]

    import_catalogue(data)

    figures = Innovation.objects.get(slug=SLUG).reach.all()
    assert [(f.measure, f.value, f.date, f.source) for f in figures] == [
        ("groups", 43, datetime.date(2016, 3, 31), "Report"),
        ("people supported", 900, datetime.date(2016, 3, 31), ""),
    ]


def test_a_new_adoption_gets_one_status_step_dated_when_it_started():
    import_catalogue(document())

    stored = Adoption.objects.get()
    assert (stored.organisation.name, stored.region.slug, stored.area, stored.status) == (
        "Example Council",
        "scotland",
        "Glasgow",
        "adopted",
    )
    assert [(h.status, h.changed_on) for h in stored.history.all()] == [
        ("adopted", datetime.date(2019, 4, 1))
    ]


def test_a_new_adoption_without_start_date_gets_a_step_dated_today():
    data = document()
    del data["adoptions"][0]["started_on"]
    del data["adoptions"][0]["status"]

    import_catalogue(data)

    stored = Adoption.objects.get()
    assert [(h.status, h.changed_on) for h in stored.history.all()] == [
        ("exploring", timezone.localdate())
    ]


def test_adoption_history_given_in_the_file_is_stored_in_date_order():
    data = document()
    data["adoptions"][0]["history"] = [
        {"status": "adopted", "changed_on": "2019-04-01"},
        {"status": "exploring", "changed_on": "2018-09-01", "note": "First contact"},
    ]

    import_catalogue(data)

    assert [(h.status, h.changed_on, h.note) for h in Adoption.objects.get().history.all()] == [
        ("exploring", datetime.date(2018, 9, 1), "First contact"),
        ("adopted", datetime.date(2019, 4, 1), ""),
    ]


def test_resources_are_linked_to_their_innovations():
    import_catalogue(document())

    resource = Resource.objects.get()
    assert (resource.slug, resource.kind) == ("scaling-toolkit", "toolkit")
    assert list(resource.innovations.values_list("slug", flat=True)) == [SLUG]


def test_a_published_innovation_gets_a_publication_date_and_a_network():
    import_catalogue(document())

    stored = Innovation.objects.get(slug=SLUG)
    assert stored.published_at is not None
    assert Network.objects.get(innovation=stored).name == stored.title


def test_a_new_innovation_without_status_is_a_draft_without_network():
    data = document()
    del data["innovations"][0]["status"]

    import_catalogue(data)

    stored = Innovation.objects.get(slug=SLUG)
    assert (stored.status, stored.published_at) == ("draft", None)
    assert not Network.objects.exists()


def test_publishing_goes_through_the_moderation_rules_once():
    published = []
    receiver = lambda innovation, **kwargs: published.append(innovation.slug)  # noqa: E731
    innovation_published.connect(receiver, dispatch_uid="test-import-publishes")
    try:
        import_catalogue(document())
        import_catalogue(document())  # already published: not published again
    finally:
        innovation_published.disconnect(dispatch_uid="test-import-publishes")

    assert published == [SLUG]
    stored = Innovation.objects.get(slug=SLUG)
    reasons = [v.history_change_reason for v in stored.audit.order_by("history_date")]
    assert reasons == ["Imported from a catalogue file", "Published"]


def test_a_file_may_place_a_new_innovation_at_any_status():
    statuses = ["draft", "submitted", "published", "archived"]
    data = document()
    data["innovations"] += [
        innovation(title=f"Idea {status}", slug=status, status=status) for status in statuses
    ]

    import_catalogue(data)

    stored = {i.slug: i for i in Innovation.objects.exclude(slug=SLUG)}
    assert {slug: i.status for slug, i in stored.items()} == {s: s for s in statuses}
    assert stored["submitted"].submitted_at is not None
    assert stored["published"].published_at is not None
    assert stored["archived"].published_at is None  # archived without ever being public
    networks = set(Network.objects.values_list("innovation__slug", flat=True))
    assert networks == {SLUG, "published"}


def test_a_file_may_move_an_innovation_where_owners_could_not():
    import_catalogue(document())
    data = document()
    data["innovations"][0]["status"] = "submitted"  # published → submitted: no move does it

    report = import_catalogue(data)

    stored = Innovation.objects.get(slug=SLUG)
    assert (stored.status, stored.submitted_at is not None) == ("submitted", True)
    assert report.counts["innovations"] == {"created": 0, "updated": 1, "unchanged": 0}


def test_a_new_adoption_is_noted_through_the_adopters_service():
    noted = []
    receiver = lambda adoption, **kwargs: noted.append(adoption.status)  # noqa: E731
    adoption_status_noted.connect(receiver, dispatch_uid="test-import-notes")
    try:
        import_catalogue(document())
    finally:
        adoption_status_noted.disconnect(dispatch_uid="test-import-notes")

    assert noted == ["adopted"]
    (step,) = Adoption.objects.get().history.all()
    assert (step.note, step.changed_by) == ("Recorded by catalogue import.", None)


def test_the_file_gives_every_field_an_innovations_editors_write():
    given = set(InnovationRecord().fields)
    assert given == {*INNOVATION_EDITABLE, *INNOVATION_CURATED, "slug", "status", "reach"}


def test_an_organisation_already_in_the_catalogue_may_be_referenced():
    existing = OrganisationFactory(name="Existing Partners Ltd")
    data = document()
    data["innovations"][0]["partners"] = ["existing partners LTD"]
    data["adoptions"][0]["organisation"] = "Existing Partners Ltd"

    import_catalogue(data)

    assert list(Innovation.objects.get(slug=SLUG).partners.all()) == [existing]
    assert Adoption.objects.get().organisation == existing


def test_the_slug_is_derived_from_the_title_when_absent():
    data = document()
    data["innovations"].append(innovation(title="Good Gym: run & help!"))

    import_catalogue(data)

    assert Innovation.objects.get(slug="good-gym-run-help").title == "Good Gym: run & help!"


def test_the_report_counts_what_was_created_per_section():
    report = import_catalogue(document())

    assert report.lines() == [
        "organisations: 2 created, 0 updated, 0 unchanged",
        "innovations: 1 created, 0 updated, 0 unchanged",
        "adoptions: 1 created, 0 updated, 0 unchanged",
        "resources: 1 created, 0 updated, 0 unchanged",
    ]


# --- Importing again ---------------------------------------------------------------------------


def rich_document() -> dict:
    data = document()
    data["innovations"] = [full_innovation(), innovation(status="draft")]
    data["adoptions"][0].update(adapted=True, verified=True, people_reached=65)
    data["resources"].append({"title": "General advice"})
    return data


def test_importing_the_same_document_twice_reports_everything_unchanged():
    import_catalogue(rich_document())

    report = import_catalogue(rich_document())

    assert report.counts == {
        "organisations": {"created": 0, "updated": 0, "unchanged": 2},
        "innovations": {"created": 0, "updated": 0, "unchanged": 2},
        "adoptions": {"created": 0, "updated": 0, "unchanged": 1},
        "resources": {"created": 0, "updated": 0, "unchanged": 2},
    }


def test_importing_the_same_document_twice_adds_no_rows():
    import_catalogue(rich_document())
    before = row_counts()

    import_catalogue(rich_document())

    assert row_counts() == before


def test_importing_the_same_document_twice_does_not_touch_innovations():
    import_catalogue(rich_document())
    before = dict(Innovation.objects.values_list("slug", "updated_at"))

    import_catalogue(rich_document())

    assert dict(Innovation.objects.values_list("slug", "updated_at")) == before


def test_an_edited_document_updates_the_innovation_in_place():
    import_catalogue(document())
    pk = Innovation.objects.get(slug=SLUG).pk
    data = document()
    data["innovations"][0]["title"] = "Peer support circles, renamed"

    report = import_catalogue(data)

    assert Innovation.objects.get(pk=pk).title == "Peer support circles, renamed"
    assert Innovation.objects.count() == 1
    assert report.counts["innovations"] == {"created": 0, "updated": 1, "unchanged": 0}


def test_an_edited_document_replaces_the_reach_figures():
    data = document()
    data["innovations"][0]["reach"] = [
        {"measure": "groups", "value": 43, "date": "2016-03-31"},
        {"measure": "volunteers", "value": 10, "date": "2016-03-31"},
    ]
    import_catalogue(data)
    kept = ReachFigure.objects.get(measure="groups")
    data["innovations"][0]["reach"] = [
        {"measure": "groups", "value": 50, "date": "2016-03-31"},
        {"measure": "groups", "value": 80, "date": "2018-03-31"},
    ]

    import_catalogue(data)

    figures = Innovation.objects.get(slug=SLUG).reach.all()
    assert [(f.measure, f.value, f.date.year) for f in figures] == [
        ("groups", 50, 2016),
        ("groups", 80, 2018),
    ]
    assert figures[0].pk == kept.pk


def test_a_field_absent_from_the_record_is_left_as_it_is():
    data = document()
    data["innovations"] = [full_innovation()]
    import_catalogue(data)

    import_catalogue(
        {"innovations": [innovation(title="Example peer support circles", summary="New.")]}
    )

    stored = Innovation.objects.get(slug=SLUG)
    assert (stored.summary, stored.problem, stored.evidence_level, stored.stage) == (
        "New.",
        "Loneliness.",
        2,
        "growing-scaling-spreading",
    )
    assert stored.lead_organisation.name == "Example Trust"
    assert stored.sectors.count() == 2
    assert stored.reach.count() == 2


def test_a_field_given_as_null_is_cleared():
    data = document()
    data["innovations"] = [full_innovation()]
    import_catalogue(data)
    cleared = dict.fromkeys(
        ("problem", "evidence_level", "stage", "lead_organisation", "sectors", "reach")
    )

    import_catalogue({"innovations": [{**innovation(title="x", slug=SLUG), **cleared}]})

    stored = Innovation.objects.get(slug=SLUG)
    assert (stored.problem, stored.evidence_level, stored.stage) == ("", None, "")
    assert stored.lead_organisation is None
    assert not stored.sectors.exists()
    assert not stored.reach.exists()


def test_an_existing_organisation_is_matched_by_name_whatever_the_case():
    import_catalogue(document())
    trust = Organisation.objects.get(name="Example Trust")

    import_catalogue({"organisations": [{"name": "example trust", "website": None}]})

    assert Organisation.objects.count() == 2
    stored = Organisation.objects.get(name__iexact="example trust")
    assert (stored.pk, stored.website, stored.kind) == (trust.pk, "", "charity")


def test_a_changed_adoption_status_without_history_appends_a_step():
    import_catalogue(document())
    data = document()
    data["adoptions"][0]["status"] = "scaled"

    import_catalogue(data)

    stored = Adoption.objects.get()
    assert stored.status == "scaled"
    assert [(h.status, h.changed_on) for h in stored.history.all()] == [
        ("adopted", datetime.date(2019, 4, 1)),
        ("scaled", timezone.localdate()),
    ]


def test_an_unchanged_adoption_status_appends_no_step():
    import_catalogue(document())

    import_catalogue(document())

    assert Adoption.objects.get().history.count() == 1


# --- Review fixes: odd files are refused with located problems, never a crash ----------------


@pytest.mark.parametrize("raw", ["[" * 100_000, '{"x": ' + "9" * 5000 + "}"])
def test_absurd_json_is_refused_cleanly(raw):
    with pytest.raises(ImportFailed) as failure:
        parse_json(raw)
    assert failure.value.problems[0].startswith("the file cannot be read as JSON")


def test_a_url_longer_than_the_database_holds_is_reported():
    long_url = "https://example.org/" + "a" * 300
    assert_single_problem(with_innovation(website=long_url), "innovations[1].website:")


def test_a_resource_title_without_letters_is_reported():
    data = document()
    data["resources"].append({"title": "!!!"})
    assert_single_problem(data, "resources[1].title: cannot make a slug")


def test_an_edited_export_renames_an_organisation_in_place():
    import_catalogue(document())
    organisation = Organisation.objects.get(name="Example Trust")
    data = document()
    data["organisations"][0].update(name="Example Trust for Circles", slug=organisation.slug)
    data["innovations"][0]["lead_organisation"] = "Example Trust for Circles"
    import_catalogue(data)
    renamed = Organisation.objects.get(pk=organisation.pk)
    assert renamed.name == "Example Trust for Circles"
    assert Innovation.objects.get(slug=SLUG).lead_organisation == renamed


def test_publication_dates_survive_a_round_trip():
    import_catalogue(document())
    published_at = Innovation.objects.get(slug=SLUG).published_at
    exported = export_catalogue()
    Innovation.objects.filter(slug=SLUG).update(published_at=None, status="draft")
    import_catalogue(exported)
    assert Innovation.objects.get(slug=SLUG).published_at == published_at
