"""Streamed CSVs and a database that is away: a 503 when it cannot be reached as the download
starts, as on every other page, rather than a 200 that breaks after its header row (issue 14,
finding 6)."""

from __future__ import annotations

import contextlib

import pytest
from django.db import OperationalError, connection
from django.test import Client
from django.utils import timezone

from catalogue.models import Innovation
from kernel.downloads import in_chunks
from networks.services import ensure_innovation_network
from tests.factories import InnovationFactory, RegistrationOfInterestFactory, UserFactory

pytestmark = pytest.mark.django_db


@contextlib.contextmanager
def database_away_when_reading(table: str):
    """Every statement that reads rows of `table` fails as a lost connection does, so the
    checks before the download (who may have it) still run."""

    def refuse(execute, sql, params, many, context):
        reads = f'FROM "{table}"' in sql or f"FROM {table} " in sql
        if reads and "ORDER BY" in sql:
            raise OperationalError("server closed the connection unexpectedly")
        return execute(sql, params, many, context)

    with connection.execute_wrapper(refuse):
        yield


def test_the_members_csv_is_a_503_when_the_database_is_away(curator):
    network = ensure_innovation_network(InnovationFactory(status="published"))
    client = Client(raise_request_exception=False)
    client.force_login(curator)
    with database_away_when_reading("networks_membership"):
        response = client.get(f"/networks/{network.slug}/members.csv")
    assert response.status_code == 503
    assert response["Retry-After"] == "5"


def test_the_interest_csv_is_a_503_when_the_database_is_away():
    owner = UserFactory()
    innovation = InnovationFactory(status="published")
    innovation.owners.add(owner)
    RegistrationOfInterestFactory(
        innovation=innovation, status="confirmed", confirmed_at=timezone.now()
    )
    client = Client(raise_request_exception=False)
    client.force_login(owner)
    with database_away_when_reading("adopters_registrationofinterest"):
        response = client.get("/account/interest.csv")
    assert response.status_code == 503


@pytest.mark.parametrize("query", ["", "?q=reading&sort=title"])
def test_the_search_export_is_a_503_when_the_database_is_away(query):
    InnovationFactory(status="published", title="Reading circles")
    client = Client(raise_request_exception=False)
    with database_away_when_reading("catalogue_facettotal"):
        response = client.get(f"/innovations/export.csv{query}")
    assert response.status_code == 503
    assert response["Retry-After"] == "5"


def test_an_empty_download_still_has_its_header(curator):
    network = ensure_innovation_network(InnovationFactory(status="published"))
    client = Client()
    client.force_login(curator)
    response = client.get(f"/networks/{network.slug}/members.csv")
    assert response.status_code == 200
    assert b"".join(response.streaming_content).decode().splitlines() == [
        "name,email,ring,role,joined on,joined through,listed publicly"
    ]


def test_in_chunks_keeps_the_order_across_chunks_in_one_query_a_chunk(
    django_assert_num_queries,
):
    for n in range(7):
        InnovationFactory(title=f"Idea {n}")
    ordered = Innovation.objects.order_by("-title")
    with django_assert_num_queries(1 + 3):  # the ids, then chunks of 3, 3 and 1
        titles = [innovation.title for innovation in in_chunks(ordered, chunk_size=3)]
    assert titles == [f"Idea {n}" for n in reversed(range(7))]
