"""While debugging, printed emails stand out from the request log, and the request log leaves
out the static files of each page (issue 18, item 6)."""

from __future__ import annotations

import io
import logging

import pytest
from django.core.mail import EmailMultiAlternatives

from kernel.mail import ConsoleBackend, MailServerNotConfigured

LINK = "https://catalogue.example.org/interest/confirm/" + "a1b2c3d4" * 12 + "/"


def message() -> EmailMultiAlternatives:
    email = EmailMultiAlternatives(
        subject="Confirm your interest in Homeshare",
        body=f"Follow this link to confirm:\n\n{LINK}\n\nThe team",
        from_email="Innovation Catalogue <noreply@localhost>",
        to=["sam@example.org"],
    )
    email.attach_alternative(f'<p><a href="{LINK}">Confirm</a></p>', "text/html")
    return email


def test_a_printed_email_sits_between_banners_with_its_link_whole(settings):
    settings.DEBUG = True
    stream = io.StringIO()
    assert ConsoleBackend(stream=stream).send_messages([message()]) == 1
    lines = stream.getvalue().splitlines()
    top = next(i for i, line in enumerate(lines) if "EMAIL (printed, not sent" in line)
    bottom = next(i for i, line in enumerate(lines) if "END OF EMAIL" in line)
    assert top < bottom
    assert lines[top].startswith("====")
    assert lines[bottom].startswith("====")
    between = lines[top + 1 : bottom]
    assert "To:      sam@example.org" in between
    assert "Subject: Confirm your interest in Homeshare" in between
    # The link on a line of its own, unbroken by the encoding of the message.
    assert LINK in between
    assert "<p>" not in stream.getvalue()


def test_the_banners_are_highlighted_on_a_terminal(settings):
    settings.DEBUG = True

    class Terminal(io.StringIO):
        def isatty(self) -> bool:
            return True

    stream = Terminal()
    ConsoleBackend(stream=stream).send_messages([message()])
    assert "\x1b[1;7m" in stream.getvalue()


def test_nothing_is_printed_in_production(settings):
    settings.DEBUG = False
    stream = io.StringIO()
    with pytest.raises(MailServerNotConfigured):
        ConsoleBackend(stream=stream).send_messages([message()])
    assert stream.getvalue() == ""


def requests_logged(caplog) -> list[str | None]:
    return [
        getattr(record, "route", None)
        for record in caplog.records
        if record.name == "catalogue.requests"
    ]


@pytest.mark.django_db
def test_static_files_stay_out_of_the_request_log_while_debugging(client, settings, caplog):
    settings.DEBUG = True
    settings.WHITENOISE_AUTOREFRESH = True
    with caplog.at_level(logging.INFO, logger="catalogue.requests"):
        assert client.get("/static/css/site.css").status_code == 200
        assert client.get("/how-innovations-spread/").status_code == 200
    assert requests_logged(caplog) == ["how-innovations-spread/"]


@pytest.mark.django_db
def test_static_files_are_logged_in_production(client, settings, caplog):
    settings.DEBUG = False
    with caplog.at_level(logging.INFO, logger="catalogue.requests"):
        client.get("/static/css/site.css")
    assert len(requests_logged(caplog)) == 1
