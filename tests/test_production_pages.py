"""Every template renders as production serves it: DEBUG off, static files collected by
whitenoise's compressed manifest storage, which refuses a reference to a file that does not
exist (in a template or inside a stylesheet)."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from django.contrib.auth.tokens import default_token_generator
from django.core import signing
from django.template.loader import render_to_string
from django.test import Client
from django.utils import timezone
from django.utils.encoding import force_bytes
from django.utils.http import urlsafe_base64_encode

from adopters.follow_ups import follow_up_token
from adopters.services import confirmation_token, verification_token
from alerts import services as alert_services
from alerts.models import Alert
from catalogue.freshness import review_token
from networks.services import ensure_innovation_network
from tests.factories import (
    AdoptionFactory,
    InnovationFactory,
    ReachFigureFactory,
    RegistrationOfInterestFactory,
    ResourceFactory,
    SectorFactory,
    UserFactory,
    local_authority,
)

pytestmark = pytest.mark.django_db

TEMPLATES = Path(__file__).resolve().parent.parent / "templates"


@pytest.fixture
def production(settings, collected_static):
    settings.DEBUG = False
    settings.STATIC_ROOT = collected_static
    settings.STORAGES = {
        **settings.STORAGES,
        "staticfiles": {"BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"},
    }
    return settings


def test_every_template_renders_with_collected_static_files(production):
    owner = UserFactory(is_staff=True, is_superuser=True)
    newcomer = UserFactory(is_active=False)
    innovation = InnovationFactory(title="Homeshare", slug="homeshare", evidence_level=3)
    innovation.owners.add(owner)
    innovation.sectors.add(SectorFactory(name="Health"))
    InnovationFactory(title="Shared Lives").sectors.add(innovation.sectors.get())
    for year, value in ((2019, 5), (2021, 9)):
        ReachFigureFactory(innovation=innovation, value=value, date=f"{year}-01-01")
    # In York, so that the innovation page and the search draw the map of where it is adopted.
    adoption = AdoptionFactory(
        innovation=innovation, status="adopted", local_authority=local_authority("E06000014")
    )
    ResourceFactory(kind="funding")
    network = ensure_innovation_network(innovation)
    registration = RegistrationOfInterestFactory(innovation=innovation)
    alert = Alert.objects.create(email="sam@example.org", query="q=homeshare", frequency="daily")
    uid = urlsafe_base64_encode(force_bytes(owner.pk))
    reset = f"{uid}/{default_token_generator.make_token(owner)}"

    anonymous, signed_in = Client(), Client()
    signed_in.force_login(owner)
    rendered: set[str] = set()

    def visit(client: Client, path: str, status: int = 200, **post) -> None:
        response = client.post(path, post) if post else client.get(path)
        assert response.status_code == status, path
        if status == 200 and response["Content-Type"].startswith("text/html"):
            # Static files are served under their hashed names, which can be cached for ever.
            html = response.content.decode()
            assert "/static/css/site.css" not in html, path
        rendered.update(t.name for t in response.templates if t.name)

    for path in [
        "/",
        "/innovations/",
        "/innovations/?q=homeshare",
        "/innovations/homeshare/",
        f"/organisations/{innovation.lead_organisation.slug}/",
        f"/adoptions/{adoption.pk}/",
        "/resources/",
        "/how-innovations-spread/",
        "/accessibility/",
        "/privacy/",
        "/submit-an-innovation/",
        "/innovations/homeshare/interest/",
        "/innovations/homeshare/interest/sent/",
        f"/interest/confirm/{confirmation_token(registration)}/",
        "/networks/",
        f"/networks/{network.slug}/",
        "/account/sign-in/",
        "/account/sign-up/",
        "/account/sign-up/sent/",
        f"/account/verify/{verification_token(newcomer.email)}/",
        "/account/password-reset/",
        "/account/password-reset/sent/",
        f"/account/reset/{reset}/",
        "/account/reset/done/",
        "/api/v1/docs/",
        "/alerts/",
        "/alerts/new/?q=homeshare",
        f"/alerts/follow/{innovation.slug}/",
        "/alerts/check-your-email/",
        f"/alerts/confirm/{signing.dumps(['alert', alert.pk], salt='alerts.confirm')}/",
        f"/alerts/manage/{alert_services.manage_token(alert.address)}/",
        f"/alerts/stop/{alert_services.stop_token(alert)}/",
    ]:
        visit(anonymous, path)
    visit(anonymous, "/alerts/confirm/not-a-token/", 400)
    visit(anonymous, f"/alerts/stop/{alert_services.stop_token(alert)}/", 200, go="")
    visit(anonymous, "/alerts/", 200, email="pat@example.org")  # the link is sent, if any
    production.ALERTS_PER_EMAIL = 0
    visit(anonymous, f"/alerts/follow/{innovation.slug}/", 429, email="p@x.org", frequency="daily")
    # The yearly email's link to confirm an entry: the page, the confirmation, a broken link.
    confirm = f"/innovations/homeshare/confirm/{review_token(innovation, owner)}/"
    visit(anonymous, confirm)
    visit(anonymous, confirm, confirm="yes")
    visit(anonymous, "/innovations/homeshare/confirm/not-a-token/", 400)
    visit(anonymous, "/interest/confirm/not-a-token/", 400)
    adoption.follow_up_sent_at = timezone.now()
    adoption.save(update_fields=["follow_up_sent_at"])
    visit(anonymous, f"/adoptions/follow-up/{follow_up_token(adoption)}/")
    visit(anonymous, "/adoptions/follow-up/not-a-token/", 400)
    visit(anonymous, "/account/verify/not-a-token/", 400)
    visit(anonymous, "/innovations/?page=x", 400)
    visit(anonymous, "/no-such-page/", 404)
    # A body over DATA_UPLOAD_MAX_MEMORY_SIZE: the 400 page.
    visit(anonymous, "/account/sign-in/", 400, username="x" * 1_100_000)
    visit(anonymous, f"/networks/{network.slug}/facilitate/", 302)
    for path in [
        "/account/",
        "/submit-an-innovation/",
        "/innovations/homeshare/reach/",
        "/innovations/homeshare/adopt/",
        f"/networks/{network.slug}/facilitate/",
        "/admin/catalogue/innovation/",
        "/admin/catalogue/innovation/import/",
        f"/admin/catalogue/innovation/{innovation.pk}/history/",
        # Moderation: the owners' panel and edit page, the admin's home and review page.
        "/innovations/homeshare/",
        "/innovations/homeshare/edit/",
        "/admin/",
        f"/admin/catalogue/innovation/{innovation.pk}/change/",
        f"/admin/catalogue/innovation/{innovation.pk}/moderate/",
    ]:
        visit(signed_in, path)
    stranger = Client()
    stranger.force_login(UserFactory())
    visit(stranger, "/innovations/homeshare/reach/", 403)
    visit(Client(enforce_csrf_checks=True), "/account/sign-in/", 403, username="x")
    # Past the hourly limit: the rate-limited page.
    production.REGISTRATION_LIMIT_PER_EMAIL = 0
    production.REGISTRATION_MIN_FILL_SECONDS = 0
    form = anonymous.get("/innovations/homeshare/interest/").content.decode()
    started = re.search(r'name="started" value="([^"]+)"', form).group(1)
    visit(
        anonymous,
        "/innovations/homeshare/interest/",
        429,
        name="Pat",
        email="pat@example.org",
        interests="find-out-more",
        consent="on",
        started=started,
    )
    # Too many failed sign-ins: the lock-out page.
    for _ in range(production.AXES_FAILURE_LIMIT):
        anonymous.post("/account/sign-in/", {"username": owner.email, "password": "wrong"})
    visit(anonymous, "/account/sign-in/", 429, username=owner.email, password="wrong")
    # Guesses across many accounts from one address: the slowing page.
    production.SIGN_IN_ADDRESS_LIMIT = 0
    visit(anonymous, "/account/sign-in/", 400, username="nobody@example.org", password="x")
    visit(anonymous, "/account/sign-in/", 429, username="nobody@example.org", password="x")
    # Too many emails about accounts asked for from one address.
    production.ACCOUNT_EMAILS_PER_CLIENT = 0
    visit(anonymous, "/account/sign-up/", 429, email="pat@example.org")

    # The pages Django renders without a request.
    for name in ("500.html", "503.html"):
        assert "Sorry" in render_to_string(name, {"detail": "Try again."})
        rendered.update({name, "standalone.html"})

    every = {
        str(path.relative_to(TEMPLATES))
        for path in TEMPLATES.rglob("*.html")
        if not str(path.relative_to(TEMPLATES)).startswith("drf_spectacular/")
    }
    assert every - rendered == set()
