"""Owners and curators keep an innovation's reach figures up to date from the site."""

import pytest

from catalogue.models import ReachFigure
from tests.factories import InnovationFactory, ReachFigureFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def innovation(innovator):
    innovation = InnovationFactory(title="Shared reading", slug="shared-reading")
    innovation.owners.add(innovator)
    return innovation


def url(innovation) -> str:
    return f"/innovations/{innovation.slug}/reach/"


def management(total: int, initial: int) -> dict:
    return {
        "reach-TOTAL_FORMS": str(total),
        "reach-INITIAL_FORMS": str(initial),
        "reach-MIN_NUM_FORMS": "0",
        "reach-MAX_NUM_FORMS": "1000",
    }


def row(n: int, **values) -> dict:
    return {f"reach-{n}-{name}": value for name, value in values.items()}


def test_an_owner_adds_edits_and_deletes_figures(client, innovator, innovation):
    kept = ReachFigureFactory(innovation=innovation, measure="groups", value=100)
    gone = ReachFigureFactory(innovation=innovation, measure="volunteers", value=5)
    client.force_login(innovator)
    assert client.get(url(innovation)).status_code == 200
    data = {
        **management(total=4, initial=2),
        **row(0, id=kept.pk, measure="groups", value="141", date=kept.date.isoformat()),
        **row(
            1, id=gone.pk, measure="volunteers", value="5", date=gone.date.isoformat(), DELETE="on"
        ),
        **row(
            2, measure="people supported", value="5000", date="2024-06-30", source="Annual report"
        ),
        **row(3, measure="", value="", date=""),  # an empty extra row is ignored
    }
    response = client.post(url(innovation), data)
    assert response.status_code == 302
    assert response["Location"] == "/innovations/shared-reading/#reach"
    figures = sorted(ReachFigure.objects.values_list("measure", "value"))
    assert figures == [("groups", 141), ("people supported", 5000)]


@pytest.mark.parametrize(
    ("values", "message"),
    [
        ({"measure": "", "value": "3", "date": "2024-01-01"}, "Say what is counted"),
        ({"measure": "groups", "value": "many", "date": "2024-01-01"}, "Enter a whole number"),
        ({"measure": "groups", "value": "-1", "date": "2024-01-01"}, "greater than or equal to 0"),
        ({"measure": "groups", "value": "3", "date": "2024-02-30"}, "Enter a real date"),
        ({"measure": "gro\x00ups", "value": "3", "date": "2024-01-01"}, "Null characters"),
    ],
)
def test_bad_figures_are_explained_and_nothing_changes(
    client, innovator, innovation, values, message
):
    client.force_login(innovator)
    response = client.post(url(innovation), {**management(total=1, initial=0), **row(0, **values)})
    assert response.status_code == 400
    html = response.content.decode()
    assert "<title>Error:" in html
    assert "Figure 1: " in html
    assert message in html
    assert not ReachFigure.objects.exists()


def test_two_figures_for_one_measure_and_date_are_refused(client, innovator, innovation):
    ReachFigureFactory(innovation=innovation, measure="groups", value=100)
    existing = ReachFigure.objects.get()
    client.force_login(innovator)
    data = {
        **management(total=2, initial=1),
        **row(0, id=existing.pk, measure="groups", value="100", date=existing.date.isoformat()),
        **row(1, measure="groups", value="120", date=existing.date.isoformat()),
    }
    response = client.post(url(innovation), data)
    assert response.status_code == 400
    assert ReachFigure.objects.count() == 1


def test_only_owners_and_curators_edit_figures(client, innovation, other_innovator, curator):
    assert client.get(url(innovation)).status_code == 302  # to sign in
    client.force_login(other_innovator)
    assert client.get(url(innovation)).status_code == 403
    data = {
        **management(total=1, initial=0),
        **row(0, measure="groups", value="1", date="2024-01-01"),
    }
    assert client.post(url(innovation), data).status_code == 403
    assert not ReachFigure.objects.exists()
    client.force_login(curator)
    assert client.post(url(innovation), data).status_code == 302
    assert ReachFigure.objects.count() == 1


def test_the_innovation_page_links_owners_to_the_figures(client, innovator, innovation):
    assert "/reach/" not in client.get(innovation.get_absolute_url()).content.decode()
    client.force_login(innovator)
    assert (
        'href="/innovations/shared-reading/reach/"'
        in client.get(innovation.get_absolute_url()).content.decode()
    )


def test_a_stored_date_is_shown_the_way_a_date_input_reads_it(client, innovator, innovation):
    """A date input only takes YYYY-MM-DD: any other form shows an empty box, and saving the
    form unchanged would then lose the date."""
    ReachFigureFactory(innovation=innovation, date="2019-03-31")
    client.force_login(innovator)
    html = client.get(url(innovation)).content.decode()
    assert 'type="date" name="reach-0-date" value="2019-03-31"' in html
