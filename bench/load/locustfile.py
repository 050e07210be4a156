"""The load test's visitors (bench/loadtest.py runs it): people who search, read innovations,
use the API and now and then register interest, with a pause of one to three seconds between
two things, as a person reading the pages would.

Request names start with "page" or "api", so that the report can hold each group to its
target (docs/performance.md, "Load").
"""

from __future__ import annotations

import itertools
import os
import random
import uuid

from locust import HttpUser, between, task

WORDS = ["support", "peer", "loneliness", "reading", "carers", "digital", "garden", "stroke"]


# Several instances (bench/loadtest.py --instances): each visitor uses one, in turn.
HOSTS = itertools.cycle([h for h in os.environ.get("LOAD_HOSTS", "").split(",") if h])


class Visitor(HttpUser):
    wait_time = between(1, 3)

    def on_start(self) -> None:
        host = next(HOSTS, None)
        if host:
            self.client.base_url = host
        # What there is to ask for: a few pages of innovations and the sectors.
        page = random.randint(1, 50)
        listing = self.client.get(
            f"/api/v1/innovations/?page={page}&page_size=100", name="api: setup"
        ).json()
        self.slugs = [item["slug"] for item in listing["results"]]
        sectors = self.client.get("/api/v1/sectors/", name="api: setup").json()
        self.sectors = [item["slug"] for item in sectors]

    def search_query(self) -> str:
        choice = random.random()
        if choice < 0.4:
            return f"q={random.choice(WORDS)}"
        if choice < 0.7:
            return f"sector={random.choice(self.sectors)}"
        if choice < 0.9:
            return f"q={random.choice(WORDS)}&sector={random.choice(self.sectors)}"
        return f"sector={random.choice(self.sectors)}&page={random.randint(2, 5)}"

    @task(4)
    def search_page(self) -> None:
        self.client.get(f"/innovations/?{self.search_query()}", name="page: search")

    @task(4)
    def innovation_page(self) -> None:
        self.client.get(f"/innovations/{random.choice(self.slugs)}/", name="page: innovation")

    @task(1)
    def home_page(self) -> None:
        self.client.get("/", name="page: home")

    @task(3)
    def api_search(self) -> None:
        self.client.get(f"/api/v1/innovations/?{self.search_query()}", name="api: search")

    @task(1)
    def api_innovation(self) -> None:
        self.client.get(f"/api/v1/innovations/{random.choice(self.slugs)}/", name="api: innovation")

    @task(1)
    def register_interest(self) -> None:
        self.client.post(
            f"/api/v1/innovations/{random.choice(self.slugs)}/registrations/",
            json={
                "name": "Load Test",
                "email": f"{uuid.uuid4().hex[:12]}@load.invalid",
                "interests": ["find-out-more"],
                "consent": True,
            },
            name="api: register interest",
        )
