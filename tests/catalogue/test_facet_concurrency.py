"""Writers that change facet members side by side (migrations 0009 and 0013), on real
connections with committed data: no deadlock, and the bit strings stay one width."""

import threading

import psycopg
import pytest
from django.db import connection

from tests.factories import InnovationFactory, SectorFactory

pytestmark = pytest.mark.django_db(transaction=True)


def connect(**options) -> psycopg.Connection:
    s = connection.settings_dict
    return psycopg.connect(
        host=s["HOST"], port=s["PORT"] or None, user=s["USER"], dbname=s["NAME"], **options
    )


def test_two_editors_of_different_innovations_do_not_deadlock():
    # Found in review: an exclusive lock taken after the statement's row locks let T2 hold B
    # while waiting for T1, and T1 then wait for B.
    a = InnovationFactory(title="A", stage="making-the-case")
    b = InnovationFactory(title="B", stage="generating-ideas")
    outcome = {}
    with connect() as first, connect(autocommit=True) as second:
        first.execute(
            "UPDATE catalogue_innovation SET stage = 'changing-systems' WHERE id = %s", [a.pk]
        )

        def other_editor():
            try:
                second.execute(
                    "UPDATE catalogue_innovation SET kind = 'policy' WHERE id = %s", [b.pk]
                )
                outcome["second"] = "ok"
            except psycopg.Error as error:
                outcome["second"] = type(error).__name__

        thread = threading.Thread(target=other_editor)
        thread.start()
        thread.join(timeout=0.5)  # it commits at once, or waits on the first editor
        first.execute(
            "UPDATE catalogue_innovation SET stage = 'changing-systems' WHERE id = %s", [b.pk]
        )
        first.commit()
        thread.join(timeout=10)
    assert outcome == {"second": "ok"}


def test_a_widening_under_repeatable_read_fails_to_serialise_instead_of_mixing_widths():
    # Found in review: a snapshot taken before a widening read the old width and inserted a
    # new key's bit string at it, and every search then failed on strings of two sizes.
    first = InnovationFactory(title="A")
    sector = SectorFactory(name="New")  # no innovation has it yet: its key is new
    with connect() as reader:
        reader.execute("BEGIN ISOLATION LEVEL REPEATABLE READ")
        reader.execute("SELECT count(*) FROM catalogue_innovation")  # takes the snapshot
        InnovationFactory(title="Far", id=first.pk + 20_000)  # widens every bit string
        with pytest.raises(psycopg.errors.SerializationFailure):
            reader.execute(
                "INSERT INTO catalogue_innovation_sectors (innovation_id, sector_id) "
                "VALUES (%s, %s)",
                [first.pk, sector.pk],
            )
    with connection.cursor() as cursor:
        cursor.execute("SELECT count(DISTINCT length(members)) FROM catalogue_facettotal")
        assert cursor.fetchone()[0] == 1
