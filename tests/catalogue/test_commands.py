"""The import, export and demo commands: what they print, and how they fail."""

import io
import json

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from catalogue.models import Innovation, Organisation
from portal.exporting import export_catalogue
from tests.factories import InnovationFactory

pytestmark = pytest.mark.django_db

SLUG = "example-peer-support-circles"


def document() -> dict:
    return {
        "organisations": [{"name": "Example Trust", "kind": "charity", "region": "london"}],
        "innovations": [
            {
                "title": "Example peer support circles",
                "summary": "One or two sentences.",
                "lead_organisation": "Example Trust",
                "status": "published",
            }
        ],
        "adoptions": [{"innovation": SLUG, "organisation": "Example Trust", "area": "Camden"}],
    }


def run(name: str, *args: str) -> tuple[str, str]:
    """Run a command; return what it wrote to stdout and to stderr."""
    stdout, stderr = io.StringIO(), io.StringIO()
    call_command(name, *args, stdout=stdout, stderr=stderr)
    return stdout.getvalue(), stderr.getvalue()


def write(path, data) -> str:
    path.write_text(data if isinstance(data, str) else json.dumps(data), encoding="utf-8")
    return str(path)


def test_import_of_a_good_file_prints_the_report_per_section(tmp_path):
    out, err = run("import_catalogue", write(tmp_path / "good.json", document()))

    assert out.splitlines()[:4] == [
        "organisations: 1 created, 0 updated, 0 unchanged",
        "innovations: 1 created, 0 updated, 0 unchanged",
        "adoptions: 1 created, 0 updated, 0 unchanged",
        "resources: 0 created, 0 updated, 0 unchanged",
    ]
    assert err == ""
    assert Innovation.objects.filter(slug=SLUG).exists()


def test_import_of_a_bad_file_fails_and_lists_each_problem_with_the_file_name(tmp_path):
    data = document()
    data["organisations"][0]["region"] = "atlantis"
    data["adoptions"][0]["organisation"] = "Nobody"
    path = write(tmp_path / "bad.json", data)
    stderr = io.StringIO()

    with pytest.raises(CommandError) as failure:
        call_command("import_catalogue", path, stdout=io.StringIO(), stderr=stderr)

    assert failure.value.returncode == 1
    assert str(failure.value) == f"2 problem(s) found; nothing was imported from {path}"
    lines = stderr.getvalue().splitlines()
    assert len(lines) == 2
    assert lines[0] == f'{path}: organisations[0].region: "atlantis" is not a known region'
    assert lines[1].startswith(f'{path}: adoptions[0].organisation: organisation "Nobody"')
    assert not Organisation.objects.exists()


def test_import_of_a_file_that_is_not_json_reports_line_and_column(tmp_path):
    path = write(tmp_path / "broken.json", '{"innovations": [}')
    stderr = io.StringIO()

    with pytest.raises(CommandError):
        call_command("import_catalogue", path, stdout=io.StringIO(), stderr=stderr)

    assert stderr.getvalue().startswith(f"{path}: line 1, column 18: invalid JSON")


def test_import_of_a_missing_file_gives_a_clear_error(tmp_path):
    path = str(tmp_path / "missing.json")

    with pytest.raises(CommandError) as failure:
        run("import_catalogue", path)

    assert str(failure.value) == f"{path}: cannot be read (No such file or directory)"


def test_export_prints_the_catalogue_as_json(tmp_path):
    run("import_catalogue", write(tmp_path / "good.json", document()))

    out, _ = run("export_catalogue")

    assert json.loads(out) == export_catalogue()
    assert [i["slug"] for i in json.loads(out)["innovations"]] == [SLUG]


def test_export_published_only_leaves_drafts_out():
    InnovationFactory(title="Published idea")
    InnovationFactory(title="Draft idea", draft=True)

    out, _ = run("export_catalogue", "--published-only")

    assert [i["title"] for i in json.loads(out)["innovations"]] == ["Published idea"]


def test_an_exported_file_imports_back_unchanged(tmp_path):
    run("import_catalogue", write(tmp_path / "good.json", document()))
    out, _ = run("export_catalogue")

    report, _ = run("import_catalogue", write(tmp_path / "export.json", out))

    assert report.splitlines()[:4] == [
        "organisations: 0 created, 0 updated, 1 unchanged",
        "innovations: 0 created, 0 updated, 1 unchanged",
        "adoptions: 0 created, 0 updated, 1 unchanged",
        "resources: 0 created, 0 updated, 0 unchanged",
    ]


def test_load_demo_if_empty_does_nothing_when_innovations_exist():
    InnovationFactory(title="Already here")
    organisations = Organisation.objects.count()

    out, _ = run("load_demo", "--if-empty")

    assert out == "The catalogue already holds innovations; demo not loaded.\n"
    assert list(Innovation.objects.values_list("title", flat=True)) == ["Already here"]
    assert Organisation.objects.count() == organisations


def test_generate_catalogue_builds_a_searchable_synthetic_catalogue():
    from django.http import QueryDict

    from catalogue.search import search

    out, _ = run("generate_catalogue", "--innovations", "60", "--seed", "7")
    assert "Added 60 synthetic innovations." in out
    innovations = Innovation.objects.filter(source__startswith="Synthetic")
    assert innovations.count() == 60
    assert innovations.filter(status="published").exists()
    # Every facet of the contract has values to count, and the search finds the entries.
    result = search(QueryDict(""))
    assert result.count == innovations.filter(status="published").count()
    for facet in (
        "sector",
        "beneficiary",
        "stage",
        "kind",
        "region",
        "organisation_kind",
        "adopted_in",
    ):
        assert result.facets[facet], facet
    assert search(QueryDict(""), places=True).places  # adoptions have local authorities
    assert search(QueryDict("q=sessions")).count == result.count  # every entry has sessions


def test_generate_catalogue_is_repeatable_with_a_seed_and_refuses_nothing_to_add():
    run("generate_catalogue", "--innovations", "5", "--seed", "3")
    run("generate_catalogue", "--innovations", "5", "--seed", "3")
    texts = list(Innovation.objects.order_by("id").values_list("how_it_works", flat=True))
    assert texts[:5] == texts[5:]
    with pytest.raises(CommandError, match="at least 1"):
        run("generate_catalogue", "--innovations", "0")
