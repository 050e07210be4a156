"""The demo catalogue file imports cleanly, and the seeds' figures are in it."""

import datetime

import pytest
from django.core.management import call_command

from adopters.models import Adoption
from catalogue.models import Innovation, ReachFigure, Resource
from networks.models import Network

pytestmark = pytest.mark.django_db

SIXTEEN = {
    "absolutely-cultured",
    "integrated-breathe-easy-groups",
    "first-call",
    "the-cares-family",
    "carers-uk-volunteering-programme",
    "community-health-champions-york",
    "compassionate-neighbours",
    "henpower",
    "goodgym",
    "goodsam",
    "kinship-connect",
    "our-plymouth",
    "shared-reading-groups",
    "shared-lives",
    "hand-in-hand-stroke-peer-support",
    "grandmentors",
}


@pytest.fixture
def demo():
    call_command("load_demo")


def figure(slug: str, measure: str, date: str) -> int:
    return ReachFigure.objects.get(
        innovation__slug=slug, measure=measure, date=datetime.date.fromisoformat(date)
    ).value


def test_the_sixteen_innovations_are_published(demo):
    published = set(Innovation.objects.published().values_list("slug", flat=True))
    assert published >= SIXTEEN


def test_other_innovations_named_in_the_seeds_are_there(demo):
    titles = set(Innovation.objects.values_list("title", flat=True))
    for name in ["NHS Direct", "The Open University", "The Big Issue", "MindLab", "Homeshare"]:
        assert any(name.lower() in title.lower() for title in titles), name
    assert (
        Innovation.objects.filter(slug__in=["family-by-family", "big-picture-learning"]).count()
        == 2
    )


def test_reach_figures_from_the_report(demo):
    assert figure("integrated-breathe-easy-groups", "groups", "2016-01-01") == 43
    assert figure("integrated-breathe-easy-groups", "groups", "2019-12-31") == 219
    assert figure("goodgym", "areas", "2016-01-01") == 24
    assert figure("goodgym", "areas", "2021-11-01") == 58


def test_counts_without_names_are_reach_figures_not_adoptions(demo):
    hospices = ReachFigure.objects.filter(
        innovation__slug="compassionate-neighbours", measure="hospices"
    )
    assert set(hospices.values_list("value", flat=True)) == {1, 8}
    assert not Adoption.objects.filter(innovation__slug="compassionate-neighbours").exists()
    assert ReachFigure.objects.filter(innovation__slug="henpower", value=60).exists()
    assert ReachFigure.objects.filter(innovation__slug="goodsam", value=11).exists()


def test_every_reach_figure_names_its_source(demo):
    assert ReachFigure.objects.count() > 50
    assert not ReachFigure.objects.filter(source="").exists()


def test_named_adoptions_from_the_seeds(demo):
    adopted = set(Adoption.objects.values_list("innovation__slug", "organisation__name", "area"))
    assert ("goodgym", "City of York Council", "York") in adopted
    assert ("grandmentors", "Milton Keynes Council", "Milton Keynes") in adopted
    assert {area for slug, _, area in adopted if slug == "first-call"} >= {
        "Scottish Borders",
        "Bristol",
    }
    assert {org for slug, org, _ in adopted if slug == "shared-reading-groups"} >= {
        "Knowsley Council",
        "Liverpool City Council",
        "Wirral Council",
    }
    assert ("big-picture-learning", "Doncaster") in {(s, a) for s, _, a in adopted}


def test_adoptions_in_districts_the_seeds_name_have_their_local_authority(demo):
    placed = dict(
        Adoption.objects.filter(local_authority__isnull=False).values_list(
            "area", "local_authority__name"
        )
    )
    assert placed == {
        "York": "York",
        "Milton Keynes": "Milton Keynes",
        "Scottish Borders": "Scottish Borders",
        "Bristol": "Bristol, City of",
        "Knowsley": "Knowsley",
        "Liverpool": "Liverpool",
        "Wirral": "Wirral",
        "Hull": "Kingston upon Hull, City of",
        "Doncaster": "Doncaster",
    }
    # Places wider than a district (London, the Liverpool City Region, the UK) have none.
    assert not Adoption.objects.filter(
        area__in=["London", "Liverpool City Region", "United Kingdom"],
        local_authority__isnull=False,
    ).exists()
    for adoption in Adoption.objects.filter(local_authority__isnull=False):
        assert adoption.region_id == adoption.local_authority.region_id


def test_every_adoption_has_a_history_and_a_source(demo):
    for adoption in Adoption.objects.all():
        assert adoption.history.exists()
        assert adoption.source


def test_resources_and_networks(demo):
    assert Resource.objects.count() >= 25
    published = Innovation.objects.published().count()
    assert Network.objects.filter(innovation__isnull=False).count() == published


def test_loading_the_demo_twice_changes_nothing(demo):
    before = (Innovation.objects.count(), ReachFigure.objects.count(), Adoption.objects.count())
    call_command("load_demo")
    after = (Innovation.objects.count(), ReachFigure.objects.count(), Adoption.objects.count())
    assert before == after


def test_demo_pages_render(demo, client):
    for innovation in Innovation.objects.published():
        assert client.get(innovation.get_absolute_url()).status_code == 200
    assert client.get("/").status_code == 200
