"""Reading /metrics as Prometheus would, for the tests of every app."""

from django.test import Client
from django.urls import reverse
from prometheus_client.parser import text_string_to_metric_families

TOKEN = "test-metrics-token"


def scrape(settings) -> dict[str, list]:
    """Every sample /metrics serves, by sample name (``x_total``,
    ``x_bucket``...): a list of ``(labels, value)``."""
    settings.METRICS_TOKEN = TOKEN
    response = Client().get(reverse("metrics"), HTTP_AUTHORIZATION=f"Bearer {TOKEN}")
    assert response.status_code == 200, response.content
    samples: dict[str, list] = {}
    for family in text_string_to_metric_families(response.content.decode()):
        for sample in family.samples:
            samples.setdefault(sample.name, []).append((sample.labels, sample.value))
    return samples


def value(samples: dict[str, list], name: str, **labels) -> float:
    """The sum of ``name``'s samples whose labels include ``labels``; 0 if
    there are none."""
    return sum(
        found
        for have, found in samples.get(name, [])
        if all(have.get(key) == wanted for key, wanted in labels.items())
    )
