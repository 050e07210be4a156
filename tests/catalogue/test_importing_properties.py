"""Property tests: whatever the document, the import either writes it faithfully or refuses it
cleanly with located problems; it never fails any other way."""

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from catalogue.models import Innovation
from portal.exporting import export_catalogue
from portal.importing import ImportFailed, import_catalogue

pytestmark = pytest.mark.django_db

# Text as people type it: any characters PostgreSQL can store (it cannot store NUL).
text = st.text(st.characters(blacklist_characters="\x00", blacklist_categories=["Cs"]), max_size=80)
json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | text,
    lambda children: st.lists(children, max_size=3) | st.dictionaries(text, children, max_size=3),
    max_leaves=8,
)
FIELDS = ["title", "summary", "stage", "evidence_level", "regions", "reach", "sectors", "slug"]
records = st.dictionaries(st.sampled_from(FIELDS) | text, json_values, max_size=6)

hypothesis_settings = settings(
    max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)


def import_problems(document) -> list[str] | None:
    """None when the document was imported, else the problems it was refused with."""
    try:
        import_catalogue(document)
    except ImportFailed as failure:
        return failure.problems
    return None


@hypothesis_settings
@given(st.dictionaries(st.sampled_from(["innovations", "adoptions", "x"]), st.lists(records)))
def test_any_document_is_imported_or_refused_with_located_problems(document):
    before = Innovation.objects.count()
    problems = import_problems(document)
    if problems is not None:
        assert problems
        assert all(":" in problem for problem in problems)
        assert Innovation.objects.count() == before


@hypothesis_settings
@given(title=text.filter(lambda t: any(c.isalnum() for c in t)), summary=text.filter(str.strip))
def test_any_title_and_summary_round_trip(title, summary):
    from django.utils.text import slugify

    if not slugify(title) or not title.strip():
        return
    problems = import_problems({"innovations": [{"title": title, "summary": summary}]})
    if problems is not None:
        # Surrounding spaces are trimmed; a value blank after trimming is refused, cleanly.
        assert all(p.startswith("innovations[0].") for p in problems)
        return
    exported = export_catalogue()["innovations"]
    assert [(i["title"], i["summary"]) for i in exported] == [(title.strip(), summary.strip())]
    Innovation.objects.all().delete()
