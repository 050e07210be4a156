"""Production's security settings: `check --deploy` is clean with them, every URL pattern
answers with the security headers, and every form refuses a POST without its CSRF token."""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

import pytest
from django.conf import settings as django_settings
from django.core.management.utils import get_random_secret_key
from django.db import connection
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver

from networks.services import ensure_innovation_network
from tests.factories import AdoptionFactory, InnovationFactory, UserFactory
from tests.html import elements, page

pytestmark = pytest.mark.django_db

ROOT = Path(__file__).resolve().parent.parent


def patterns(resolvers=None, prefix: str = "") -> list[str]:
    """Every URL pattern of the site, as text (admin's own patterns left out but its root)."""
    found = []
    for entry in resolvers if resolvers is not None else get_resolver().url_patterns:
        if isinstance(entry, URLResolver):
            if str(entry.pattern) == "admin/":
                found += ["admin/", "admin/login/", "admin/catalogue/innovation/"]
                continue
            found += patterns(entry.url_patterns, prefix + str(entry.pattern))
        elif isinstance(entry, URLPattern):
            found.append(prefix + str(entry.pattern))
    return found


def sample(pattern: str, slug: str, pk: int) -> str:
    """A concrete URL for a pattern: its slugs, ids and tokens filled in."""
    url = pattern.replace("^", "").replace("$", "")
    url = re.sub(r"<slug:\w+>|\(\?P<slug>[^)]*\)", slug, url)
    url = re.sub(r"<int:\w+>|\(\?P<pk>[^)]*\)", str(pk), url)
    url = re.sub(r"<(str:)?\w+>", "token", url)
    return "/" + url


@pytest.fixture
def site():
    owner = UserFactory(is_staff=True, is_superuser=True)
    innovation = InnovationFactory(title="Homeshare", slug="homeshare")
    innovation.owners.add(owner)
    adoption = AdoptionFactory(innovation=innovation)
    ensure_innovation_network(innovation)
    return {"owner": owner, "slug": "homeshare", "pk": adoption.pk}


def deploy_check(**settings_env: str) -> subprocess.CompletedProcess:
    """`manage.py check --deploy` with what docs/operations.md tells an operator to set."""
    db = connection.settings_dict
    # Without what the browser tests set for themselves (tests/e2e/conftest.py), which a
    # deployment must not have and the check rightly refuses.
    inherited = {k: v for k, v in os.environ.items() if k != "DJANGO_ALLOW_ASYNC_UNSAFE"}
    env = {
        **inherited,
        "DEBUG": "0",
        "SECRET_KEY": get_random_secret_key(),
        "ALLOWED_HOSTS": "catalogue.example.org",
        "EMAIL_HOST": "smtp.example.org",
        "SITE_URL": "https://catalogue.example.org",
        "DATABASE_URL": (
            f"postgres://{db['USER']}@/{db['NAME']}?host={db['HOST']}&port={db['PORT'] or 5432}"
        ),
        **settings_env,
    }
    return subprocess.run(
        [sys.executable, "manage.py", "check", "--deploy", "--fail-level", "WARNING"],
        cwd=ROOT,
        env={k: v for k, v in env.items() if v},
        capture_output=True,
        text=True,
        timeout=120,
    )


def test_deploy_checks_pass_with_production_settings():
    result = deploy_check()
    assert result.returncode == 0, result.stdout + result.stderr
    assert "no issues" in result.stdout


@pytest.mark.parametrize("site_url", ["", "http://catalogue.example.org", "https://localhost"])
def test_deploy_checks_warn_of_a_site_url_that_is_not_the_public_site(site_url):
    result = deploy_check(SITE_URL=site_url)
    assert result.returncode != 0
    assert "catalogue.W002" in result.stderr + result.stdout


def test_deploy_checks_warn_of_a_missing_mail_server():
    result = deploy_check(EMAIL_HOST="")
    assert result.returncode != 0
    assert "catalogue.W001" in result.stderr + result.stdout
    assert "Set EMAIL_HOST" in result.stderr + result.stdout


def test_every_url_pattern_answers_with_the_security_headers(settings, site):
    settings.SECURE_HSTS_SECONDS = 31_536_000
    settings.SECURE_SSL_REDIRECT = True
    anonymous, signed_in = Client(), Client()
    signed_in.force_login(site["owner"])
    urls = [sample(p, site["slug"], site["pk"]) for p in patterns()]
    assert len(urls) > 60
    for client in (anonymous, signed_in):
        for url in urls:
            response = client.get(url, secure=True)
            policy = response.get("Content-Security-Policy", "")
            assert "script-src 'self'" in policy, url
            assert "style-src 'self'" in policy, url
            assert "unsafe-inline" not in policy, url
            assert "frame-ancestors 'none'" in policy, url
            assert response["X-Content-Type-Options"] == "nosniff", url
            assert response["X-Frame-Options"] == "DENY", url
            assert response["Referrer-Policy"] == "strict-origin-when-cross-origin", url
            assert response["Strict-Transport-Security"].startswith("max-age=31536000"), url
    # Plain HTTP is sent to HTTPS, but the probes answer load balancers as they are.
    assert anonymous.get("/innovations/").status_code == 301
    assert anonymous.get("/healthz").status_code == 200


def test_cookies_are_secure_in_production():
    assert django_settings.SESSION_COOKIE_HTTPONLY
    # The tests run with DEBUG on; production's values are checked by `check --deploy` above
    # (security.W012 and W016 fail it when the cookies are not secure).


# RFC 8058's one-click unsubscribe is POSTed by mail programs, with no cookie and no token: the
# signed address in its link is what it trusts, and all it can do is stop emails (alerts/views.py).
ONE_CLICK_UNSUBSCRIBE = "alerts/unsubscribe/"


def test_every_post_without_a_csrf_token_is_refused(site):
    """Every page that takes a POST (a signed-in session, so that views are reached) refuses
    one without the CSRF token: no view of the site is exempt but the one-click unsubscribe,
    which refuses a link that is not one of ours."""
    client = Client(enforce_csrf_checks=True)
    client.force_login(site["owner"])
    refused = []
    for pattern in patterns():
        if pattern.startswith(("api/", "healthz", "readyz", "favicon")):
            continue
        url = sample(pattern, site["slug"], site["pk"])
        response = client.post(url, {"anything": "x"})
        if pattern.startswith(ONE_CLICK_UNSUBSCRIBE):
            assert response.status_code == 400, "a link that is not ours stops nothing"
            continue
        templates = [template.name for template in response.templates]
        if response.status_code != 403 or "403_csrf.html" not in templates:
            refused.append((url, response.status_code))
    assert refused == []


def test_the_api_refuses_session_writes_without_the_csrf_token(site):
    """The API's session authentication (a signed-in browser) needs the token too; token
    authentication, which browsers never send by themselves, does not."""
    client = Client(enforce_csrf_checks=True)
    client.force_login(site["owner"])
    response = client.patch(
        "/api/v1/innovations/homeshare/", {"summary": "Changed"}, content_type="application/json"
    )
    assert response.status_code == 403
    assert "CSRF" in response.json()["detail"]


def test_every_form_on_the_site_carries_its_csrf_token(site):
    client = Client()
    client.force_login(site["owner"])
    pages = [
        "/",
        "/innovations/homeshare/",
        "/innovations/homeshare/interest/",
        "/innovations/homeshare/adopt/",
        "/innovations/homeshare/reach/",
        f"/adoptions/{site['pk']}/edit/",
        "/submit-an-innovation/",
        "/account/",
        "/networks/homeshare/",
        "/networks/homeshare/facilitate/",
    ]
    anonymous = Client()
    forms = 0
    for client_, paths in (
        (client, pages),
        (
            anonymous,
            [
                "/account/sign-in/",
                "/account/sign-up/",
                "/account/password-reset/",
                "/innovations/homeshare/interest/",
            ],
        ),
    ):
        for path in paths:
            for form in elements(page(client_.get(path)), "form", method="post"):
                forms += 1
                tokens = list(elements(form, "input", name="csrfmiddlewaretoken"))
                assert len(tokens) == 1, (path, dict(form.attributes).get("action"))
    assert forms > 12
