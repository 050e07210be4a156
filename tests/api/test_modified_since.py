"""`modified_since` (CONTRACT.md, December 2026): only innovations whose public record changed
at or after it, for harvesters; on the API's search, the page, the CSV and the feed alike."""

from __future__ import annotations

import csv
import io
from datetime import timedelta

import pytest
from django.utils import timezone

from adopters.models import Adoption
from catalogue.models import Innovation
from tests.factories import (
    AdoptionFactory,
    InnovationFactory,
    ReachFigureFactory,
    ResourceFactory,
    SectorFactory,
)

pytestmark = pytest.mark.django_db

LONG_AGO = timezone.now() - timedelta(days=400)
SINCE = timezone.now() - timedelta(days=30)


def aged(*innovations: Innovation) -> None:
    Innovation.objects.filter(pk__in=[i.pk for i in innovations]).update(updated_at=LONG_AGO)


def slugs(client, **params) -> list[str]:
    response = client.get("/api/v1/innovations/", {"page_size": 100, **params})
    assert response.status_code == 200, response.content
    return sorted(r["slug"] for r in response.json()["results"])


@pytest.fixture
def catalogue():
    old, touched, adopted, reached, resourced = (
        InnovationFactory(title=t, slug=t)
        for t in ["old", "touched", "adopted", "reached", "resourced"]
    )
    draft = InnovationFactory(title="draft", slug="draft", draft=True)
    AdoptionFactory(innovation=adopted)
    ReachFigureFactory(innovation=reached)
    ResourceFactory().innovations.add(resourced)
    aged(old, touched, adopted, reached, resourced, draft)
    Adoption.objects.update(updated_at=LONG_AGO)
    from catalogue.models import ReachFigure, Resource

    ReachFigure.objects.update(created_at=LONG_AGO)
    Resource.objects.update(updated_at=LONG_AGO)
    return {"old": old, "touched": touched, "adopted": adopted, "reached": reached,
            "resourced": resourced, "draft": draft}  # fmt: skip


def test_only_what_changed_since_is_listed(client, catalogue):
    assert slugs(client, modified_since=SINCE.isoformat()) == []

    Innovation.objects.filter(pk=catalogue["touched"].pk).update(updated_at=timezone.now())
    Adoption.objects.update(updated_at=timezone.now())
    ReachFigureFactory(innovation=catalogue["reached"], measure="volunteers")
    ResourceFactory().innovations.add(catalogue["resourced"])
    Innovation.objects.filter(pk=catalogue["draft"].pk).update(updated_at=timezone.now())

    assert slugs(client, modified_since=SINCE.isoformat()) == [
        "adopted",
        "reached",
        "resourced",
        "touched",
    ]
    assert len(slugs(client)) == 5  # without it, every published innovation


@pytest.mark.parametrize(
    "value", ["2026-01-01", "2026-01-01T09:00:00Z", "2026-01-01T09:00:00+01:00", "2026-01-01 09:00"]
)
def test_a_date_or_a_date_time_is_taken(client, catalogue, value):
    response = client.get("/api/v1/innovations/", {"modified_since": value})
    assert response.status_code == 200


@pytest.mark.parametrize("value", ["yesterday", "2026-13-01", "2026-01-01T25:00", "0" * 50])
def test_a_malformed_value_is_a_400_naming_it(client, catalogue, value):
    response = client.get("/api/v1/innovations/", {"modified_since": value})
    assert response.status_code == 400
    assert "modified_since" in response.json()


def test_it_narrows_the_facet_counts_and_combines_with_filters_and_text(client, catalogue):
    health = SectorFactory(name="Health", slug="health")
    for key in ("touched", "old"):
        catalogue[key].sectors.add(health)
    aged(catalogue["touched"], catalogue["old"])
    Innovation.objects.filter(pk=catalogue["touched"].pk).update(updated_at=timezone.now())
    since = SINCE.isoformat()

    data = client.get("/api/v1/innovations/", {"modified_since": since}).json()
    assert data["count"] == 1
    assert {f["value"]: f["count"] for f in data["facets"]["sector"]} == {"health": 1}
    assert slugs(client, modified_since=since, sector="health") == ["touched"]
    assert slugs(client, modified_since=since, q="touched") == ["touched"]
    assert slugs(client, modified_since=since, q="old") == []


def test_the_csv_and_the_feed_take_it_too(client, catalogue):
    Innovation.objects.filter(pk=catalogue["touched"].pk).update(updated_at=timezone.now())
    since = SINCE.isoformat()

    exported = client.get("/innovations/export.csv", {"modified_since": since})
    rows = list(csv.DictReader(io.StringIO(b"".join(exported.streaming_content).decode())))
    assert [row["slug"] for row in rows] == ["touched"]
    feed = client.get("/innovations/feed/", {"modified_since": since}).content.decode()
    assert "/innovations/touched/" in feed
    assert "/innovations/old/" not in feed
    assert client.get("/innovations/", {"modified_since": "nonsense"}).status_code == 400
