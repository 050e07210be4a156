"""Corrections and suggestions ("did you mean") offer only words of what is public now (issue 14,
finding 8; issue 15): the dictionary holds a word exactly while a published innovation's title,
summary, problem or how it works has it."""

import pytest
from django.db import connection

from catalogue import services
from catalogue.models import Innovation, Word
from catalogue.search import suggest
from tests.factories import InnovationFactory

pytestmark = pytest.mark.django_db


def words() -> dict[str, int]:
    return dict(Word.objects.values_list("word", "entries"))


def entry(*, title: str, **fields) -> Innovation:
    """An innovation whose only words are its title's (and those of `fields`)."""
    blank = {"summary": "", "problem": "", "how_it_works": ""}
    return InnovationFactory(title=title, **(blank | fields))


def recounted() -> dict[str, int]:
    """The dictionary as the published innovations make it now."""
    with connection.cursor() as cursor:
        cursor.execute(
            """SELECT w, count(*) FROM catalogue_innovation i,
                      unnest(catalogue_innovation_words(i)) w
                WHERE i.status = 'published' GROUP BY w"""
        )
        return dict(cursor.fetchall())


def suggested(q: str) -> str:
    return " ".join(suggest(q)).lower()


def test_a_draft_s_words_are_never_suggested():
    entry(title="Shared reading")
    entry(draft=True, title="Zygomorphic gardens")
    assert "zygomorphic" not in words()
    assert "zygomorphic" not in suggested("zygomorphc")


def test_a_submitted_entry_s_words_are_never_suggested():
    entry(draft=True, status="submitted", title="Quixotic befriending")
    assert "quixotic" not in suggested("quixotc")


def test_archiving_takes_an_entry_s_words_out_of_the_suggestions(curator):
    innovation = entry(title="Quixotic befriending")
    assert "quixotic" in suggested("quixotc")

    services.archive(innovation, by=curator)

    assert "quixotic" not in words()
    assert "quixotic" not in suggested("quixotc")


def test_sending_back_to_draft_takes_the_words_out_and_publishing_brings_them_back(curator):
    innovation = entry(title="Quixotic befriending")
    services.return_to_draft(innovation, by=curator, reason="Needs a clearer summary.")
    assert "quixotic" not in suggested("quixotc")

    services.submit(innovation, by=curator)
    assert "quixotic" not in suggested("quixotc")
    services.publish(innovation, by=curator)
    assert "quixotic" in suggested("quixotc")


def test_a_retitled_entry_s_old_words_go_and_its_new_ones_come():
    innovation = entry(title="Quixotic befriending")
    innovation.title = "Practical befriending"
    innovation.save()
    assert "quixotic" not in words()
    assert {"practical", "befriending"} <= set(words())


def test_a_word_stays_while_another_published_title_has_it(curator):
    first = entry(title="Reading circles")
    entry(title="Reading rooms")
    assert words()["reading"] == 2

    services.archive(first, by=curator)

    assert words()["reading"] == 1
    assert "circles" not in words()
    assert "rooms" in words()


def test_a_deleted_entry_s_words_go():
    innovation = entry(title="Quixotic befriending")
    innovation.delete()
    assert words() == {}


def test_updates_that_touch_none_of_its_words_nor_its_status_change_nothing():
    innovation = entry(title="Reading circles")
    Innovation.objects.filter(pk=innovation.pk).update(outcomes="Changed entirely.")
    Innovation.objects.filter(pk=innovation.pk).update(id=innovation.pk)
    innovation.save()
    assert words() == {"reading": 1, "circles": 1}


def test_the_summary_problem_and_how_it_works_are_words_too():
    innovation = entry(
        title="Reading", summary="Loneliness eased", problem="Isolation", how_it_works="Weekly"
    )
    assert {"reading", "loneliness", "eased", "isolation", "weekly"} == set(words())
    innovation.summary = "Friendship"
    innovation.save()
    assert "loneliness" not in words()
    assert "friendship" in words()


def test_a_hyphenated_name_is_kept_whole_and_in_parts_unaccented():
    entry(title="Home-Start visits", summary="Café réunions")
    assert {"home-start", "home", "start", "visits", "cafe", "reunions"} == set(words())


def test_a_word_twice_in_one_title_counts_that_title_once():
    entry(title="Reading, reading and more reading")
    assert words()["reading"] == 1


def test_the_dictionary_always_matches_the_published_titles(curator):
    a = entry(title="Shared reading circles")
    b = entry(title="Reading for carers")
    c = entry(draft=True, title="Carers' circles")
    services.archive(a, by=curator)
    b.title = "Reading for young carers"
    b.save()
    services.submit(c, by=curator)
    services.publish(c, by=curator)
    services.publish(a, by=curator)
    services.return_to_draft(b, by=curator, reason="Needs a clearer summary.")
    assert words() == recounted()


def test_the_search_api_suggests_only_public_words(client, curator):
    entry(title="Shared reading")
    archived = entry(title="Quixotic befriending")
    services.archive(archived, by=curator)

    data = client.get("/api/v1/innovations/", {"q": "quixotc"}).json()

    assert data["count"] == 0
    assert not any("quixotic" in s.lower() for s in data["suggestions"])


def test_truncating_the_innovations_empties_the_dictionary():
    entry(title="Shared reading")
    with connection.cursor() as cursor:
        cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
        cursor.execute("TRUNCATE catalogue_innovation CASCADE")
    assert words() == {}


def test_one_statement_writing_many_entries_counts_each_of_them():
    first, second, third = (entry(title=f"Circle {n}") for n in range(3))
    Innovation.objects.filter(pk__in=[first.pk, second.pk, third.pk]).update(
        summary="Gardening together"
    )
    assert words()["gardening"] == 3
    Innovation.objects.filter(pk__in=[first.pk, second.pk]).update(status="archived")
    assert words()["gardening"] == 1
    assert words() == recounted()
    Innovation.objects.filter(pk=third.pk).delete()
    assert "gardening" not in words()
    assert words() == recounted()
