"""The request log (config/logging.py): one JSON line per request, with its timing, and
nothing about who asked or what they typed."""

from __future__ import annotations

import io
import json
import logging

import pytest
from django.http import HttpResponse
from django.test import Client
from django.utils.log import log_response

from config.logging import JsonFormatter, WithholdRequestDetails
from tests.factories import InnovationFactory, UserFactory

pytestmark = pytest.mark.django_db


def request_lines(caplog) -> list[dict]:
    formatter = JsonFormatter()
    return [
        json.loads(formatter.format(record))
        for record in caplog.records
        if record.name == "catalogue.requests"
    ]


def test_each_request_is_logged_once_as_json_with_its_timing(client, caplog):
    InnovationFactory(title="Homeshare", slug="homeshare")
    with caplog.at_level(logging.INFO, logger="catalogue.requests"):
        client.get("/innovations/homeshare/")
    (line,) = request_lines(caplog)
    assert line["message"] == "request"
    assert line["level"] == "INFO"
    assert line["method"] == "GET"
    assert line["route"] == "innovations/<slug:slug>/"
    assert line["view"] == "catalogue:innovation-detail"
    assert line["status"] == 200
    assert line["duration_ms"] > 0
    assert line["db_queries"] > 0
    assert line["bytes"] > 1000
    assert line["time"].endswith("+00:00")


def test_the_log_holds_no_personal_data(client, caplog):
    """No query string (a search can hold a name), no path (it can hold a token), no address,
    no user, no email."""
    user = UserFactory(username="pat@example.org", email="pat@example.org")
    client.force_login(user)
    with caplog.at_level(logging.INFO, logger="catalogue.requests"):
        client.get("/innovations/", {"q": "Pat Adopter"}, REMOTE_ADDR="203.0.113.7")
        client.get("/interest/confirm/secret-token-123/")
        client.get("/no-such-page/pat@example.org/")
    text = "\n".join(json.dumps(line) for line in request_lines(caplog))
    assert len(request_lines(caplog)) == 3
    for secret in ("Pat", "pat@example.org", "203.0.113.7", "secret-token-123"):
        assert secret not in text
    for line in request_lines(caplog):
        assert not {"user", "user_id", "ip", "path", "query"} & set(line)
    assert '"route": "interest/confirm/<str:token>/"' in text
    assert '"route": null' in text  # not found: no route, and the path is not logged


def test_djangos_not_found_warnings_are_not_logged(client, caplog):
    with caplog.at_level(logging.INFO):
        client.get("/no-such-page/pat@example.org/")
    assert not [r for r in caplog.records if r.name == "django.request"]


@pytest.fixture
def console():
    """What the console handler (the only one: docs/operations.md) writes, as text."""
    (handler,) = [h for h in logging.getLogger().handlers if h.name == "console"]
    stream = io.StringIO()
    previous = handler.setStream(stream)
    yield stream
    handler.setStream(previous)


def test_djangos_own_warnings_name_the_route_not_the_path(client, console):
    """A CSRF failure is logged by Django with the path, which here holds a confirmation
    token; the console gets the route instead, and never the request object."""
    client = Client(enforce_csrf_checks=True)
    response = client.post("/interest/confirm/secret-token-123/?email=pat@example.org")
    assert response.status_code == 403
    text = console.getvalue()
    assert "CSRF" in text
    assert "secret-token-123" not in text
    assert "pat@example.org" not in text
    assert "interest/confirm/<str:token>/" in text
    assert "WSGIRequest" not in text


def test_another_sites_address_in_a_refused_post_is_cut_to_its_host(client, console):
    """Django names the Referer of a cross-site post it refuses; its path and query stay out."""
    client = Client(enforce_csrf_checks=True)
    response = client.post(
        "/interest/confirm/secret-token-123/",
        secure=True,
        HTTP_REFERER="https://other.example/reset/REF-TOKEN/?email=leak@example.org",
    )
    assert response.status_code == 403
    text = console.getvalue()
    assert "Referer checking failed" in text
    assert "https://other.example" in text
    for secret in ("REF-TOKEN", "leak@example.org", "secret-token-123"):
        assert secret not in text


def test_every_django_line_goes_through_the_filtered_handler():
    """Django's own console (while debugging) and ADMINS mail handlers are not attached."""
    handlers = [
        handler
        for name in ("django", "django.request", "django.security", "django.security.csrf")
        for handler in logging.getLogger(name).handlers
    ]
    assert handlers == []
    (console,) = [h for h in logging.getLogger().handlers if h.name == "console"]
    assert any(isinstance(f, WithholdRequestDetails) for f in console.filters)


def test_a_server_error_on_an_unknown_path_withholds_it(rf, console):
    request = rf.get("/nowhere/pat-adopter-é/")
    log_response(
        "%s: %s",
        "Internal Server Error",
        request.path,
        request=request,
        response=HttpResponse(status=500),
    )
    text = console.getvalue()
    assert "Internal Server Error: <path withheld>" in text
    assert "pat-adopter" not in text
