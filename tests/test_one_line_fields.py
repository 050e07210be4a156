"""One-line fields refuse line breaks and control characters everywhere: forms, the API and the
catalogue file (issue 14, finding 7). A title with a line break made every email quoting it
unsendable; multi-line fields keep their line breaks."""

import pytest
from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError

from adopters import services as adopter_services
from adopters.models import Adoption, RegistrationOfInterest
from adopters.services import verification_token
from catalogue.models import Innovation, Organisation, Sector
from kernel.models import OutgoingEmail
from kernel.text import SINGLE_LINE_MESSAGE, one_line, single_line
from networks import services as network_services
from portal.importing import ImportFailed, import_catalogue
from tests.adopters.test_registration import form_data, register_url
from tests.catalogue.test_public_pages import SUBMIT_URL, submission
from tests.factories import (
    InnovationFactory,
    MembershipFactory,
    OrganisationFactory,
    SectorFactory,
    absolute,
)

pytestmark = pytest.mark.django_db

# Every kind of character a one-line field refuses: line feed, return, tab, NUL and the other
# C0 controls, DEL, the C1 controls (NEL among them), Unicode's line and paragraph separators.
BREAKS = ["\n", "\r", "\r\n", "\t", "\x00", "\x0b", "\x0c", "\x1f", "\x7f", "\x85", "\x9f"]
BREAKS += ["\u2028", "\u2029"]


def api_post(client, url, data):
    return client.post(url, data, content_type="application/json")


# -- The validator ----------------------------------------------------------------------------


@pytest.mark.parametrize("char", BREAKS, ids=[f"U+{ord(c[-1]):04X}" for c in BREAKS])
def test_single_line_refuses_line_breaks_and_control_characters(char):
    with pytest.raises(ValidationError) as refused:
        single_line(f"Shared{char}reading")
    assert refused.value.messages == [SINGLE_LINE_MESSAGE]


def test_single_line_takes_any_printable_text():
    single_line("Café “Kōhanga” — 50% off ❤️ (Ynys Môn) <b>&amp;</b>")
    single_line("")


def test_one_line_joins_the_pieces_with_one_space():
    assert one_line("Shared \r\n reading\u2028for\tall ") == "Shared reading for all"


@pytest.mark.parametrize(
    ("model", "field"),
    [
        (Innovation, "title"),
        (Innovation, "contact_name"),
        (Innovation, "contact_email"),
        (Organisation, "name"),
        (Sector, "name"),
        (Adoption, "area"),
        (RegistrationOfInterest, "name"),
    ],
)
def test_one_line_model_fields_carry_the_validator(model, field):
    assert single_line in model._meta.get_field(field).validators


def test_multi_line_model_fields_do_not():
    for name in ("summary", "problem", "how_it_works", "outcomes"):
        assert single_line not in Innovation._meta.get_field(name).validators
    assert single_line not in RegistrationOfInterest._meta.get_field("message").validators


# -- Email ------------------------------------------------------------------------------------


def test_a_title_stored_with_a_line_break_still_gets_its_emails_sent(
    django_capture_on_commit_callbacks, mailoutbox
):
    """Stored before the fields refused it: the subject is made one line, the email goes."""
    innovation = InnovationFactory(title="Shared reading")
    Innovation.objects.filter(pk=innovation.pk).update(title="Shared\r\nreading")
    innovation.refresh_from_db()

    with django_capture_on_commit_callbacks(execute=True):
        adopter_services.register_interest(
            innovation,
            details={"name": "Ada", "email": "ada@example.org", "interests": ["find-out-more"]},
            key="",
            absolute=absolute,
        )

    [message] = mailoutbox
    assert message.subject == "Confirm your interest in Shared reading"
    email = OutgoingEmail.objects.get()
    assert (email.sent_at is not None, email.last_error) == (True, "")


# -- Forms ------------------------------------------------------------------------------------


@pytest.mark.parametrize("field", ["title", "organisation_name", "contact_name", "website"])
def test_the_submission_form_refuses_a_line_break(client, innovator, field):
    sectors = [SectorFactory(name="Health")]
    client.force_login(innovator)
    value = {"website": "https://tea.example.org/\x01"}.get(field, "Tea and\ntalk")

    response = client.post(SUBMIT_URL, submission(sectors, **{field: value}))

    assert response.status_code == 400
    assert field in response.context["form"].errors
    assert not Innovation.objects.exists()


def test_the_submission_form_keeps_line_breaks_in_the_description(client, innovator):
    sectors = [SectorFactory(name="Health")]
    client.force_login(innovator)
    problem = "Loneliness.\r\n\r\nAnd isolation."
    response = client.post(SUBMIT_URL, submission(sectors, problem=problem))
    assert response.status_code == 302
    assert Innovation.objects.get().problem == problem


@pytest.mark.parametrize("field", ["name", "organisation_name", "role", "email"])
def test_the_registration_form_refuses_a_line_break(client, field):
    innovation = InnovationFactory(title="Shared reading")
    # An address Django's own check takes: a quoted name may hold a vertical tab.
    value = '"ada\x0b"@example.org' if field == "email" else "Ada\r\nBcc: everyone@example.org"

    response = client.post(register_url(innovation), form_data(**{field: value}))

    assert response.status_code == 400
    # The quoted address is refused for its quotes too (kernel.mailboxes.unquoted).
    assert SINGLE_LINE_MESSAGE in response.context["form"].errors[field]
    assert not RegistrationOfInterest.objects.exists()


def test_the_registration_form_keeps_line_breaks_in_the_message(client):
    innovation = InnovationFactory(title="Shared reading")
    message = "Hello.\r\n\r\nCould we try it?"
    response = client.post(register_url(innovation), form_data(message=message))
    assert response.status_code == 302
    assert RegistrationOfInterest.objects.get().message == message


def test_the_adoption_form_refuses_a_line_break_in_the_organisation(client, innovator):
    innovation = InnovationFactory(title="Shared reading")
    client.force_login(innovator)
    url = f"/innovations/{innovation.slug}/adopt/"

    response = client.post(
        url,
        {
            "organisation_name": "Knowsley\nCouncil",
            "organisation_kind": "local-authority",
            "status": "exploring",
        },
    )

    assert response.status_code == 400
    assert "organisation_name" in response.context["form"].errors
    assert not Organisation.objects.filter(name__startswith="Knowsley").exists()


def test_the_account_page_refuses_a_name_on_two_lines(client):
    """The name is chosen at the emailed link (adopters/accounts.py)."""
    token = verification_token("ada@example.org")
    response = client.post(
        f"/account/verify/{token}/",
        {
            "first_name": "Ada\nVisit https://example.net to claim a prize",
            "password1": "correct horse battery staple",
            "password2": "correct horse battery staple",
        },
    )
    assert response.status_code == 400
    assert "first_name" in response.context["form"].errors
    assert not get_user_model().objects.filter(email="ada@example.org").exists()


def test_a_move_s_reason_is_one_line(client, curator):
    innovation = InnovationFactory(title="Homeshare")
    network = network_services.ensure_innovation_network(innovation)
    member = MembershipFactory(network=network, ring="interest")
    client.force_login(curator)

    response = client.post(
        f"/networks/{network.slug}/move/",
        {"members": [member.pk], "ring": "learning", "reason": "Came\u2028along"},
    )

    assert response.status_code == 400
    member.refresh_from_db()
    assert member.ring == "interest"


# -- The API ----------------------------------------------------------------------------------


@pytest.mark.parametrize("char", ["\n", "\u2028", "\x85", "\t"])
def test_the_api_refuses_a_title_with_a_line_break(client, innovator, char):
    client.force_login(innovator)
    response = api_post(
        client, "/api/v1/innovations/", {"title": f"Tea{char}talk", "summary": "Tea."}
    )
    assert response.status_code == 400
    assert response.json() == {"title": [SINGLE_LINE_MESSAGE]}
    assert not Innovation.objects.exists()


def test_the_api_keeps_line_breaks_in_multi_line_fields(client, innovator):
    client.force_login(innovator)
    response = api_post(
        client,
        "/api/v1/innovations/",
        {"title": "Tea and talk", "summary": "Tea.\nTalk.", "how_it_works": "One.\n\nTwo."},
    )
    assert response.status_code == 201, response.json()
    innovation = Innovation.objects.get()
    assert (innovation.summary, innovation.how_it_works) == ("Tea.\nTalk.", "One.\n\nTwo.")


@pytest.mark.parametrize("field", ["name", "organisation_name", "role"])
def test_the_registration_api_refuses_a_line_break(client, field):
    innovation = InnovationFactory(title="Shared reading")
    data = {
        "name": "Sam",
        "email": "sam@example.org",
        "interests": ["find-out-more"],
        "consent": True,
        field: "Sam\r\nPatel",
    }
    response = api_post(client, f"/api/v1/innovations/{innovation.slug}/registrations/", data)
    assert response.status_code == 400
    assert response.json() == {field: [SINGLE_LINE_MESSAGE]}
    assert not RegistrationOfInterest.objects.exists()


@pytest.mark.parametrize(
    ("field", "changes"),
    [
        (
            "organisation_name",
            {"organisation_name": "Knowsley\nCouncil", "organisation_kind": "local-authority"},
        ),
        ("area", {"organisation": "knowsley-council", "area": "Knowsley\tNorth"}),
        ("contact_name", {"organisation": "knowsley-council", "contact_name": "Pat\u2029Ex"}),
    ],
)
def test_the_adoption_api_refuses_a_line_break(client, innovator, field, changes):
    InnovationFactory(title="Shared reading")
    OrganisationFactory(name="Knowsley Council", kind="local-authority")
    client.force_login(innovator)
    data = {"innovation": "shared-reading", "status": "exploring", **changes}

    response = api_post(client, "/api/v1/adoptions/", data)

    assert response.status_code == 400
    assert response.json() == {field: [SINGLE_LINE_MESSAGE]}
    assert not Adoption.objects.exists()


# -- The catalogue file -----------------------------------------------------------------------


def test_the_import_reports_line_breaks_where_they_are():
    document = {
        "organisations": [{"name": "Example\u2029Trust", "kind": "charity"}],
        "innovations": [
            {
                "title": "Peer support\ncircles",
                "summary": "Groups.\nOf peers.",
                "sectors": ["Heal\rth"],
                "contact_name": "Pat\x85Example",
            },
        ],
        "adoptions": [],
    }

    with pytest.raises(ImportFailed) as failed:
        import_catalogue(document)

    assert sorted(failed.value.problems) == sorted(
        [
            f"organisations[0].name: {SINGLE_LINE_MESSAGE}",
            f"innovations[0].title: {SINGLE_LINE_MESSAGE}",
            f"innovations[0].sectors[0]: {SINGLE_LINE_MESSAGE}",
            f"innovations[0].contact_name: {SINGLE_LINE_MESSAGE}",
        ]
    )
    assert not Innovation.objects.exists()
    assert not Organisation.objects.exists()


def test_the_import_keeps_line_breaks_in_multi_line_fields():
    import_catalogue(
        {"innovations": [{"title": "Peer support circles", "summary": "Groups.\nOf peers."}]}
    )
    assert Innovation.objects.get().summary == "Groups.\nOf peers."
