"""The networks' rules: every published innovation has its nested rings."""

from __future__ import annotations

from catalogue.models import Innovation
from catalogue.utils import unique_slug
from networks.models import Network


def ensure_innovation_network(innovation: Innovation) -> Network:
    """The network around an innovation, created the first time it is needed."""
    network = Network.objects.filter(innovation=innovation).first()
    if network is None:
        network = Network.objects.create(
            innovation=innovation,
            name=innovation.title,
            slug=unique_slug(Network, innovation.slug),
        )
    return network
