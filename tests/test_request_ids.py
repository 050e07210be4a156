"""Every request has an id: on each log line written while it is answered, in the X-Request-ID
header and on the 500 and 503 pages, so that a report can be matched to its lines (issue 17,
item 5)."""

from __future__ import annotations

import io
import logging
import re

import pytest
from django.db import OperationalError
from django.test import Client

pytestmark = pytest.mark.django_db

HEX_ID = re.compile(r"[0-9a-f]{32}")


@pytest.fixture
def console():
    """What the console handler writes (the only one: docs/operations.md)."""
    (handler,) = [h for h in logging.getLogger().handlers if h.name == "console"]
    stream = io.StringIO()
    previous = handler.setStream(stream)
    yield stream
    handler.setStream(previous)


def test_each_response_names_its_own_request(client):
    first = client.get("/")["X-Request-ID"]
    second = client.get("/api/v1/sectors/")["X-Request-ID"]
    assert HEX_ID.fullmatch(first)
    assert HEX_ID.fullmatch(second)
    assert first != second


def test_every_line_written_during_a_request_carries_its_id(console):
    """Django's CSRF warning and the request's own line, both from one refused post."""
    response = Client(enforce_csrf_checks=True).post("/account/sign-in/", {"username": "x"})
    assert response.status_code == 403
    request_id = response["X-Request-ID"]
    lines = [line for line in console.getvalue().splitlines() if line.strip()]
    csrf = [line for line in lines if "CSRF" in line]
    logged = [line for line in lines if "catalogue.requests" in line]
    assert csrf
    assert logged
    for line in csrf + logged:
        assert request_id in line


def test_lines_outside_a_request_carry_no_id(console):
    logging.getLogger("catalogue.test").warning("a command's line")
    assert "request_id" not in console.getvalue()


def test_a_client_cannot_choose_the_id_unless_a_proxy_is_trusted_to(client, settings):
    assert client.get("/", HTTP_X_REQUEST_ID="chosen-by-me")["X-Request-ID"] != "chosen-by-me"
    settings.REQUEST_ID_HEADER = "X-Request-ID"
    assert client.get("/", HTTP_X_REQUEST_ID="edge-7f3a.1")["X-Request-ID"] == "edge-7f3a.1"
    # Something that is not an id (a line break, a long string) is replaced, not echoed.
    for sent in ("two\nlines", "x" * 200, "<script>"):
        answered = client.get("/", HTTP_X_REQUEST_ID=sent)["X-Request-ID"]
        assert HEX_ID.fullmatch(answered)


def test_the_500_page_gives_the_reference(monkeypatch, console):
    def broken(params):
        raise RuntimeError("a bug")

    monkeypatch.setattr("catalogue.views.search", broken)
    response = Client(raise_request_exception=False).get("/innovations/")
    assert response.status_code == 500
    request_id = response["X-Request-ID"]
    assert f"<code>{request_id}</code>" in response.content.decode()
    [error] = [line for line in console.getvalue().splitlines() if "Internal Server Error" in line]
    assert request_id in error


def test_the_503_page_gives_the_reference(monkeypatch):
    def away(params, **options):
        raise OperationalError("server closed the connection unexpectedly")

    monkeypatch.setattr("catalogue.views.search", away)
    response = Client(raise_request_exception=False).get("/innovations/")
    assert response.status_code == 503
    assert f"<code>{response['X-Request-ID']}</code>" in response.content.decode()
