"""The admin home's "Needs attention today" (portal/attention.py): each kind of work counted,
each count a link to the admin list that shows exactly those."""

from __future__ import annotations

import re

import pytest
from django.utils import timezone

from kernel import outbox
from kernel.models import OutgoingEmail
from tests.factories import AdoptionFactory

pytestmark = pytest.mark.django_db


def attention(admin_client) -> dict[str, tuple[int, str | None]]:
    html = admin_client.get("/admin/").content.decode()
    table = html.split('id="needs-attention"', 1)[1].split("</table>", 1)[0]
    rows = re.findall(r'<tr><th scope="row">(.*?)</th><td>(\d+)</td></tr>', table)
    found = {}
    for head, count in rows:
        link = re.search(r'href="([^"]+)"', head)
        what = re.sub(r"<[^>]+>", "", head)
        found[what] = (int(count), link.group(1).replace("&amp;", "&") if link else None)
    return found


def listed(admin_client, url: str) -> int:
    response = admin_client.get(url)
    assert response.status_code == 200, url
    return response.context["cl"].result_count


def test_each_count_links_to_the_list_it_counts(admin_client):
    AdoptionFactory(provenance="self-reported")
    AdoptionFactory(provenance="reported-by-innovator")
    AdoptionFactory(verified=True, verified_at=timezone.now())
    OutgoingEmail.objects.create(
        to="a@example.org", subject="s", body="b", attempts=outbox.MAX_ATTEMPTS
    )
    OutgoingEmail.objects.create(to="b@example.org", subject="s", body="b", attempts=1)

    found = attention(admin_client)

    count, url = found["Adoptions not yet verified by a curator"]
    assert count == 2
    assert listed(admin_client, url) == 2
    count, url = found["Emails not sent after every try"]
    assert count == 1
    assert listed(admin_client, url) == 1


def test_nothing_to_do_shows_zero_without_a_link(admin_client):
    found = attention(admin_client)

    assert found["Emails not sent after every try"] == (0, None)


def test_each_count_is_one_query(db, django_assert_num_queries):
    from portal.attention import needs_attention

    with django_assert_num_queries(3):
        items = needs_attention()
    assert len(items) == 3
