"""Everything held about a person, found by email: exported as JSON, erased without a trace."""

import datetime
import json
from io import StringIO

import pytest
from axes.models import AccessAttempt
from django.contrib.admin.models import ADDITION, LogEntry
from django.contrib.contenttypes.models import ContentType
from django.core.management import CommandError, call_command
from django.db import connection
from django.utils import timezone
from rest_framework.authtoken.models import Token

from adopters import services
from adopters.models import AdoptionStatusChange, RegistrationOfInterest
from alerts.models import Alert, Watch
from catalogue.models import InnovationRevision
from kernel.models import OutgoingEmail
from networks.models import Membership, RingMove
from networks.services import (
    ask_for_mentor,
    ask_to_join_learning,
    enrol,
    ensure_innovation_network,
    move,
)
from tests.factories import (
    AdoptionFactory,
    InnovationFactory,
    RegistrationOfInterestFactory,
    UserFactory,
    absolute,
)

pytestmark = pytest.mark.django_db

EMAIL = "Sam.Patel@Example.org"


def rows_mentioning(text: str) -> list[tuple[str, str]]:
    """Every (table, column) of every table in the schema whose text holds `text`, any case:
    written apart from the code under test, so that it checks the erasure independently."""
    found = []
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT table_name, column_name FROM information_schema.columns "
            "WHERE table_schema = current_schema() "
            "AND data_type IN ('text', 'character varying', 'ARRAY', 'json', 'jsonb')"
        )
        for table, column in cursor.fetchall():
            cursor.execute(
                f'SELECT 1 FROM "{table}" WHERE position(lower(%s) in lower("{column}"::text)) > 0',  # noqa: S608
                [text],
            )
            if cursor.fetchone():
                found.append((table, column))
    return found


@pytest.fixture
def person():
    """Sam, who is in every place the catalogue keeps people: an account that owns an
    innovation and made history, a confirmed registration, two memberships, an adoption
    contact, an innovation contact, queued email, failed sign-ins, an admin log line."""
    sam = UserFactory(username=EMAIL.lower(), email=EMAIL.lower(), first_name="Sam")
    Token.objects.create(user=sam)
    innovation = InnovationFactory(title="Homeshare", contact_email=EMAIL.upper())
    innovation.owners.add(sam)
    other = InnovationFactory(title="Shared Lives")
    RegistrationOfInterestFactory(
        innovation=other,
        name="Sam Patel",
        email=EMAIL,
        message="Please reply to sam.patel@example.org",
        confirmed_at=timezone.now(),
        status="confirmed",
    )
    network = ensure_innovation_network(other)
    member = enrol(network, email=EMAIL, name="Sam Patel", reason="Confirmed interest.")
    move(member, "learning", reason="Asked to follow it closely.", by=sam)
    member.refresh_from_db()
    ask_for_mentor(
        member, message="Sam Patel would like a buddy; call 07700 900123.", absolute=absolute
    )
    own = enrol(ensure_innovation_network(innovation), email=EMAIL.lower(), reason="Innovator.")
    ask_to_join_learning(own, message="Sam Patel here: I run it in Leeds.", absolute=absolute)
    adoption = AdoptionFactory(
        innovation=other, status="exploring", contact_name="Sam Patel", contact_email=EMAIL
    )
    AdoptionStatusChange.objects.create(
        adoption=adoption,
        status="exploring",
        changed_on=datetime.date(2026, 1, 5),
        note="Talked to sam.patel@example.org",
        changed_by=sam,
    )
    # Changes Sam proposed to an innovation, naming Sam as its contact (kept as JSON).
    InnovationRevision.objects.create(
        innovation=other,
        proposed_by=sam,
        changes={
            "contact_name": "Sam Patel",
            "contact_email": EMAIL.lower(),
            "how_it_works": "Ask sam.patel@example.org for the pack.",
        },
    )
    OutgoingEmail.objects.create(to=EMAIL, subject="Confirm", body="Hello Sam")
    Alert.objects.create(email=EMAIL, query="q=homeshare", frequency="weekly")
    Watch.objects.create(email=EMAIL.lower(), innovation=innovation, frequency="daily")
    OutgoingEmail.objects.create(
        to="team@example.org", subject="New interest", body=f"Email: {EMAIL}"
    )
    AccessAttempt.objects.create(
        username=EMAIL.lower(), ip_address="192.0.2.1", user_agent="x", failures_since_start=2
    )
    LogEntry.objects.create(
        user=UserFactory(is_staff=True),
        content_type=ContentType.objects.get_for_model(sam),
        object_id=str(sam.pk),
        object_repr=sam.username,
        action_flag=ADDITION,
    )
    return sam


def test_the_independent_check_sees_the_person_everywhere_before_erasure(person):
    tables = {table for table, _ in rows_mentioning(EMAIL)}
    assert {
        "auth_user",
        "adopters_registrationofinterest",
        "networks_membership",
        "adopters_adoption",
        "catalogue_innovation",
        "catalogue_innovationrevision",
        "kernel_outgoingemail",
        "adopters_adoptionstatuschange",
        "axes_accessattempt",
        "django_admin_log",
        # The audit history's copies of the innovation, the adoption and the memberships.
        "catalogue_historicalinnovation",
        "adopters_historicaladoption",
        "networks_historicalmembership",
        "alerts_alert",
        "alerts_watch",
    } <= tables


def test_export_lists_everything_held_about_the_person_in_any_case(person):
    out = StringIO()
    call_command("export_person", EMAIL.upper(), stdout=out)
    held = json.loads(out.getvalue())
    assert [a["username"] for a in held["accounts"]] == [EMAIL.lower()]
    assert held["accounts"][0]["owns"] == ["homeshare"]
    assert [r["innovation"] for r in held["registrations_of_interest"]] == ["shared-lives"]
    assert held["registrations_of_interest"][0]["consent_text"]
    assert sorted(m["network"] for m in held["memberships"]) == ["homeshare", "shared-lives"]
    moves = next(m for m in held["memberships"] if m["network"] == "shared-lives")["moves"]
    assert [(m["from_ring"], m["to_ring"]) for m in moves] == [
        ("", "interest"),
        ("interest", "learning"),
    ]
    assert [a["contact_name"] for a in held["adoption_contacts"]] == ["Sam Patel"]
    assert [i["innovation"] for i in held["innovation_contacts"]] == ["homeshare"]
    assert [c["changes"]["contact_name"] for c in held["innovation_changes_proposed"]] == [
        "Sam Patel"
    ]
    assert [c["note"] for c in held["adoption_status_changes_made"]] == [
        "Talked to sam.patel@example.org"
    ]
    assert [m["to_ring"] for m in held["ring_moves_made"]] == ["learning"]
    by_network = {m["network"]: m for m in held["memberships"]}
    assert [r["message"] for r in by_network["homeshare"]["requests"]] == [
        "Sam Patel here: I run it in Leeds."
    ]
    assert [a["message"] for a in by_network["shared-lives"]["mentoring_asked"]] == [
        "Sam Patel would like a buddy; call 07700 900123."
    ]
    assert {(v["record"], v["email"].lower()) for v in held["audit_versions_naming_them"]} == {
        ("innovation", EMAIL.lower()),
        ("adoption", EMAIL.lower()),
        ("membership", EMAIL.lower()),
    }
    assert [a["search"] for a in held["email_alerts"]] == ["q=homeshare"]
    assert [w["innovation"] for w in held["innovations_followed"]] == ["homeshare"]
    # Sam owns Homeshare, so runs its network: the request made there was sent to Sam.
    assert sorted(e["subject"] for e in held["emails"]) == [
        "A member asks to join the learning ring of Homeshare",
        "Confirm",
        "New interest",
    ]


def test_export_of_an_unknown_person_is_empty_and_a_bad_address_is_refused():
    out = StringIO()
    call_command("export_person", "nobody@example.org", stdout=out)
    held = json.loads(out.getvalue())
    assert all(value == [] for key, value in held.items() if key != "email")
    with pytest.raises(CommandError, match="not an email address"):
        call_command("export_person", "not-an-address")


def test_erase_leaves_no_trace_of_the_email_in_any_table(person):
    memberships_before = Membership.objects.count()
    moves_before = RingMove.objects.count()
    out = StringIO()
    call_command("erase_person", EMAIL, stdout=out)

    assert rows_mentioning(EMAIL) == []
    assert rows_mentioning("Sam Patel") == []
    assert rows_mentioning("07700 900123") == []
    assert "No trace of the address is left" in out.getvalue()
    # What must stay for the record stays, without saying who.
    assert Membership.objects.count() == memberships_before
    assert RingMove.objects.count() == moves_before
    person.refresh_from_db()
    assert person.username == f"erased-{person.pk}"
    assert not person.is_active
    assert not person.has_usable_password()
    assert not Token.objects.exists()
    assert AdoptionStatusChange.objects.get().changed_by == person  # history whole, anonymous
    assert not RegistrationOfInterest.objects.exists()
    # Every queued email went: those to Sam, and the one about Sam.
    assert OutgoingEmail.objects.count() == 0


def test_erasing_someone_else_leaves_the_person_alone(person):
    call_command("erase_person", "kim@example.org", stdout=StringIO())
    assert RegistrationOfInterest.objects.filter(email=EMAIL).exists()
    assert Membership.objects.filter(email__iexact=EMAIL).count() == 2


def test_erased_person_can_register_interest_again_as_a_newcomer(person, client, settings):
    call_command("erase_person", EMAIL, stdout=StringIO())
    settings.REGISTRATION_MIN_FILL_SECONDS = 0
    innovation = InnovationFactory(title="GoodGym")
    response = client.post(
        f"/innovations/{innovation.slug}/interest/",
        {
            "name": "Sam",
            "email": EMAIL,
            "interests": ["find-out-more"],
            "consent": "on",
            "started": services.form_started(),
        },
    )
    assert response.status_code == 302
    assert RegistrationOfInterest.objects.get().email == EMAIL


def test_erasing_an_address_leaves_longer_addresses_that_contain_it_alone():
    from networks.services import enrol, ensure_innovation_network

    network = ensure_innovation_network(InnovationFactory(title="Homeshare"))
    for address in ("ann@example.org", "joann@example.org", "ann@example.org.uk"):
        enrol(network, email=address, name=address, reason=f"Joined; reply to {address}.")
        OutgoingEmail.objects.create(to="team@example.org", subject="New", body=f"From {address}")
    innovation = InnovationFactory(title="GoodGym", contact_email="joann@example.org")

    call_command("erase_person", "ann@example.org", stdout=StringIO())

    kept = set(Membership.objects.values_list("email", flat=True))
    assert {"joann@example.org", "ann@example.org.uk"} <= kept
    assert "ann@example.org" not in kept
    innovation.refresh_from_db()
    assert innovation.contact_email == "joann@example.org"
    assert sorted(OutgoingEmail.objects.values_list("body", flat=True)) == [
        "From ann@example.org.uk",
        "From joann@example.org",
    ]
    reasons = set(RingMove.objects.values_list("reason", flat=True))
    assert "Joined; reply to joann@example.org." in reasons
    assert "Joined; reply to ann@example.org.uk." in reasons


def test_the_admin_log_forgets_the_persons_name_too(person):
    registration = RegistrationOfInterest.objects.get()
    LogEntry.objects.create(
        user=UserFactory(is_staff=True),
        content_type=ContentType.objects.get_for_model(registration),
        object_id=str(registration.pk),
        object_repr=str(registration),  # "Sam Patel on Shared Lives"
        action_flag=ADDITION,
    )
    call_command("erase_person", EMAIL, stdout=StringIO())
    assert rows_mentioning("Sam Patel") == []


def test_the_privacy_notice_says_how_long_everything_is_kept(client, settings):
    settings.PRIVACY_CONTACT = "privacy@example.org"
    notice = " ".join(client.get("/privacy/").content.decode().split())
    assert "we delete it after 30 days" in notice  # unconfirmed registrations
    assert "delete them after a day" in notice  # failed sign-ins
    assert "kept for up to 30 days" in notice  # emails
    assert "for as long as the catalogue runs, or until you ask us to delete them" in notice
    assert "ask for a mentor" in notice
    assert "privacy@example.org" in notice
