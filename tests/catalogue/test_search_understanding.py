"""Search that understands people (issue 15): queries widened to most of their words, word forms
and synonyms, joined and hyphenated names, and misspelt words corrected, alike on the page, the
API and the exports."""

from __future__ import annotations

import csv
import io

import pytest
from django.http import QueryDict
from django.urls import reverse

from catalogue import services
from catalogue.models import Synonym
from catalogue.query import parse
from catalogue.search import search
from tests.factories import InnovationFactory, SectorFactory
from tests.html import elements, page, text

pytestmark = pytest.mark.django_db

API = "/api/v1/innovations/"


def entry(title: str, summary: str = "", **fields):
    """An innovation whose only words are its title's and its summary's."""
    return InnovationFactory(title=title, summary=summary, problem="", how_it_works="", **fields)


def found(q: str, **params: str) -> list[str]:
    query = QueryDict(mutable=True)
    query.update({"q": q, **params})
    return [hit.slug for hit in search(query).results]


def with_class(root, name: str) -> list:
    return [e for e in elements(root) if name in dict(e.attributes).get("class", "").split()]


def api(client, **params):
    response = client.get(API, params)
    assert response.status_code == 200, response.content
    return response.json()


# --- Reading the query -------------------------------------------------------------------------


def test_the_query_is_read_as_web_search_syntax():
    clauses, excluded = parse('older people or "care homes" -digital -"online forms" OR')
    assert [[t.text for t in clause] for clause in clauses] == [
        ["older"],
        ["people", "care homes"],
    ]
    assert excluded == ["digital", "online forms"]


# --- Natural phrases: widening -----------------------------------------------------------------


@pytest.fixture
def loneliness():
    return {
        "cares": entry("Neighbourhood friends", "Tackling loneliness among older people."),
        "garden": entry("Community gardens", "Gardening with older people."),
        "digital": entry("Online loneliness chat", "Loneliness support online."),
        "other": entry("Homework club", "Help after school."),
    }


def test_a_query_nothing_matches_in_full_finds_those_with_most_of_its_words(client, loneliness):
    data = api(client, q="loneliness isolation older people")
    # Three clauses (loneliness, isolation, "older people"); none has all; two of three is
    # enough, one is not.
    assert [r["slug"] for r in data["results"]] == [loneliness["cares"].slug]
    assert data["match"] == "some"
    assert data["count"] == 1


def test_those_with_every_word_come_alone_when_there_are_any(client, loneliness):
    data = api(client, q="loneliness older people")
    assert [r["slug"] for r in data["results"]] == [loneliness["cares"].slug]
    assert data["match"] == "all"


def test_a_widened_search_ranks_those_with_more_words_first(client):
    three = entry("Alpha beta gamma")
    two = entry("Alpha beta", "Alpha beta alpha beta alpha beta.")
    entry("Alpha")
    slugs = found("alpha beta gamma delta")
    assert slugs == [three.slug, two.slug]


def test_exclusions_hold_in_a_widened_search(loneliness):
    slugs = found("loneliness gardening -online")
    assert set(slugs) == {loneliness["cares"].slug, loneliness["garden"].slug}


def test_quoted_phrases_and_or_keep_their_meaning(loneliness):
    # A phrase is one clause, kept whole: "people older" is not "older people".
    assert found('"people older"') == []
    assert set(found("homework or gardens")) == {
        loneliness["other"].slug,
        loneliness["garden"].slug,
    }


def test_one_word_is_never_widened(client, loneliness):
    data = api(client, q="zebras")
    assert data["count"] == 0
    assert data["match"] == "all"


def test_match_is_null_without_a_query(client, loneliness):
    assert api(client)["match"] is None
    assert api(client)["corrected_q"] is None


def test_facet_counts_describe_the_widened_results(client, loneliness):
    loneliness["cares"].stage = "growing-scaling-spreading"
    loneliness["cares"].save()
    data = api(client, q="loneliness isolation older people")
    assert data["facets"]["stage"] == [
        {
            "value": "growing-scaling-spreading",
            "label": "Growing, scaling and spreading",
            "count": 1,
            "selected": False,
        }
    ]


def test_a_filter_that_keeps_none_of_the_full_matches_widens_within_it(client, loneliness):
    loneliness["garden"].stage = "changing-systems"
    loneliness["garden"].save()
    data = api(client, q="loneliness older people", stage="changing-systems")
    assert [r["slug"] for r in data["results"]] == [loneliness["garden"].slug]
    assert data["match"] == "some"


# --- Word forms, synonyms, joined names --------------------------------------------------------


@pytest.mark.parametrize(
    ("q", "text"),
    [
        ("lonely", "Tackling loneliness together."),
        ("elderly", "Visits for older people."),
        ("kids", "Clubs for children."),
        ("GP", "Run from general practice."),
        ("A&E", "Fewer visits to the emergency department."),
        ("carer", "Help for caring families."),
        ("older people", "Support for the elderly."),
    ],
)
def test_words_people_use_for_the_same_thing_find_each_other(client, q, text):
    wanted = entry("Scheme", text)
    entry("Unrelated", "Nothing alike.")
    assert found(q) == [wanted.slug]
    assert [r["slug"] for r in api(client, q=q)["results"]] == [wanted.slug]


@pytest.mark.parametrize("written", ["Home-Start", "Home Start", "HomeStart"])
@pytest.mark.parametrize("typed", ["Home-Start", "Home Start", "HomeStart", "homestart"])
def test_a_name_written_joined_split_or_hyphenated_is_found_however_it_is_typed(written, typed):
    wanted = entry(f"{written} family visits")
    entry("Family kitchen")
    entry("Start up fund")
    assert found(typed)[:1] == [wanted.slug]


def test_a_synonym_a_curator_adds_applies_to_the_next_search(admin_client):
    wanted = entry("Men's sheds", "Workshops where men meet.")
    assert found("blokes") == []
    response = admin_client.post(
        reverse("admin:catalogue_synonym_add"),
        {"terms": "men, blokes, chaps", "note": "Everyday words."},
    )
    assert response.status_code == 302
    assert Synonym.objects.filter(terms__contains=["blokes"]).exists()
    assert found("blokes") == [wanted.slug]


def test_the_admin_refuses_a_synonym_of_one_term(admin_client):
    response = admin_client.post(
        reverse("admin:catalogue_synonym_add"), {"terms": " Blokes ,blokes", "note": ""}
    )
    assert response.status_code == 200
    assert "at least two" in response.content.decode()


def test_synonym_terms_are_kept_in_the_form_searches_compare():
    synonym = Synonym(terms=["  Older   People,", "ELDERLY"])
    synonym.full_clean()
    assert synonym.terms == ["older people", "elderly"]


# --- Typos -------------------------------------------------------------------------------------


def test_a_misspelt_word_is_corrected_and_the_results_shown_at_once(client):
    wanted = entry("Friendship calls", "Tackling loneliness by telephone.")
    data = api(client, q="lonelyness by telephne")
    assert [r["slug"] for r in data["results"]] == [wanted.slug]
    assert data["match"] == "all"
    assert data["corrected_q"] == "loneliness by telephone"


def test_a_typo_budget_of_one_letter_under_nine_letters_and_two_from_nine(client):
    entry("Friendship calls", "Tackling loneliness by telephone.")
    assert api(client, q="telefone")["corrected_q"] is None  # eight letters, two changes
    assert api(client, q="lonlyness")["corrected_q"] == "loneliness"  # nine letters, two


def test_as_typed_searches_the_words_without_correcting_them(client):
    entry("Friendship calls", "Tackling loneliness by telephone.")
    data = api(client, q="lonelyness", as_typed="yes")
    assert data["count"] == 0
    assert data["corrected_q"] is None
    assert "loneliness" in data["suggestions"]


def test_as_typed_takes_only_yes(client):
    response = client.get(API, {"q": "x", "as_typed": "maybe"})
    assert response.status_code == 400
    assert "as_typed" in str(response.json())


def test_a_word_that_matches_something_is_never_corrected(client):
    entry("Garden", "A garden.")
    entry("Gardens", "Gardens.")
    data = api(client, q="garden")
    assert data["corrected_q"] is None


def test_a_word_too_far_from_any_catalogue_word_is_left_alone(client):
    entry("Friendship calls", "Tackling loneliness by telephone.")
    data = api(client, q="lxnxlyxess")  # three letters away
    assert data["count"] == 0
    assert data["corrected_q"] is None
    # Nor is nonsense offered as "did you mean".
    assert api(client, q="qwzxvbn")["suggestions"] == []
    assert api(client, q="zzqqxx telephone")["corrected_q"] is None


def test_short_words_and_words_with_digits_are_not_corrected(client):
    entry("Reading", "Books for all.")
    for q in ["bok", "b00ks"]:
        assert api(client, q=q)["corrected_q"] is None


def test_corrections_come_only_from_published_text(client, curator):
    entry("Quixotic befriending", draft=True)
    archived = entry("Zygomorphic gardens")
    services.archive(archived, by=curator)
    entry("Shared reading")
    for q in ["quixotc", "zygomorphc"]:
        data = api(client, q=q)
        assert data["corrected_q"] is None
        assert data["count"] == 0


def test_a_word_with_a_synonym_is_not_corrected_into_another_word(client):
    # "kids" matches nothing here, but a synonym explains it: it is not respelt as "kits".
    entry("Craft kits", "Boxes of kits.")
    wanted = entry("Play club", "Games for children.")
    data = api(client, q="kids")
    assert data["corrected_q"] is None
    assert [r["slug"] for r in data["results"]] == [wanted.slug]


# --- Alike on the page and the exports ---------------------------------------------------------


def test_the_page_says_what_it_corrected_and_offers_the_words_as_typed(client):
    entry("Friendship calls", "Tackling loneliness by telephone.")
    response = client.get(reverse("catalogue:innovation-list"), {"q": "lonelyness"})
    # The count names the words searched; the line below it, the words typed.
    assert "1 innovation matching “loneliness”" in text(page(response))
    (corrected,) = with_class(page(response), "app-corrected")
    assert text(corrected).startswith("Showing results for loneliness .")
    (link,) = elements(corrected, "a")
    assert text(link) == "lonelyness"
    href = dict(link.attributes)["href"]
    assert "as_typed=yes" in href
    as_typed = client.get(reverse("catalogue:innovation-list") + href)
    assert as_typed.context["result"].count == 0
    assert not with_class(page(as_typed), "app-corrected")


def test_the_page_says_plainly_when_it_widened(client, loneliness):
    response = client.get(
        reverse("catalogue:innovation-list"), {"q": "loneliness isolation older people"}
    )
    (widened,) = with_class(page(response), "app-widened")
    assert text(widened).startswith("No innovation matches all your words")
    full = client.get(reverse("catalogue:innovation-list"), {"q": "loneliness older people"})
    assert not with_class(page(full), "app-widened")


def test_the_csv_and_the_feed_widen_and_correct_as_the_search_does(client, loneliness):
    for q in ["loneliness isolation older people", "lonelyness", "elderly"]:
        slugs = [r["slug"] for r in api(client, q=q, page_size=100)["results"]]
        assert slugs, q
        body = b"".join(client.get(reverse("catalogue:innovation-csv"), {"q": q}).streaming_content)
        rows = list(csv.DictReader(io.StringIO(body.decode("utf-8-sig"))))
        assert [row["slug"] for row in rows] == slugs, q
        feed = client.get(reverse("catalogue:innovation-feed"), {"q": q}).content.decode()
        for slug in slugs:
            assert f"/innovations/{slug}/" in feed, q


# --- Vocabulary names ---------------------------------------------------------------------------


def test_a_sector_s_name_finds_the_innovations_filed_under_it(client):
    housing = SectorFactory(name="Housing")
    filed = entry("Spare rooms", "Older people share their home.")
    filed.sectors.add(housing)
    says_it = entry("Housing advice", "Help with housing.")
    assert found("housing") == [says_it.slug, filed.slug]  # saying it outranks being filed

    housing.name = "Homes"
    housing.save()
    assert found("housing") == [says_it.slug]
    assert found("homes") == [filed.slug]


# --- What an attacker would send -----------------------------------------------------------------


@pytest.mark.parametrize(
    "q",
    [
        "x" * 300,  # longer than levenshtein() takes
        "lonelyness " + "y" * 260,
        "support " * 60,  # the same broad word again and again
        " ".join(f"word{n}" for n in range(70)),  # many clauses, none known
        '"' * 40 + "-" * 40 + " or" * 50,
    ],
)
def test_long_and_repetitive_queries_answer_quickly_and_plainly(client, loneliness, q):
    response = client.get(API, {"q": q})
    assert response.status_code == 200
    assert response.json()["count"] >= 0


def test_a_word_typed_twice_is_one_clause(client, loneliness):
    once = api(client, q="loneliness older people")
    twice = api(client, q="loneliness loneliness older people older")
    assert [r["slug"] for r in twice["results"]] == [r["slug"] for r in once["results"]]
    assert twice["match"] == "all"


def test_a_query_of_many_words_is_not_widened(client, loneliness):
    many = " ".join(["loneliness", *(f"zzz{chr(97 + n)}" for n in range(11))])
    data = api(client, q=many)
    assert data["count"] == 0
    assert data["match"] == "all"


def test_the_admin_refuses_a_synonym_of_more_than_twenty_terms(admin_client):
    # Every search for one term searches them all: a group stays small.
    terms = ", ".join(f"term{n}" for n in range(21))
    response = admin_client.post(reverse("admin:catalogue_synonym_add"), {"terms": terms})
    assert response.status_code == 200
    assert not Synonym.objects.filter(terms__contains=["term0"]).exists()
