"""core.models.Model: every model of ours is one, and its get_FOO_display()
says what Django's says while translating only the label it shows."""

from pathlib import Path

import pytest
from django.apps import apps
from django.conf import settings
from django.db import models
from django.utils import translation

import core.models
from shop.models import Order


def _ours() -> list[type[models.Model]]:
    """The models of every app in this repository (not installed packages)."""
    here = Path(settings.BASE_DIR).resolve()
    return [
        model
        for app in apps.get_app_configs()
        if Path(app.path).resolve().parent == here
        for model in app.get_models()
    ]


def test_every_model_of_ours_is_a_core_model():
    assert {model._meta.app_label for model in _ours()} >= {
        "shop", "wishlist", "gifts", "support", "callbacks", "privacy"
    }  # fmt: skip
    assert [m for m in _ours() if not issubclass(m, core.models.Model)] == []


@pytest.mark.parametrize("language", ["en", "ja"])
def test_each_label_is_what_djangos_display_says(language):
    checked = 0
    with translation.override(language):
        for model in _ours():
            for field in model._meta.concrete_fields:
                if not field.choices:
                    continue
                for value in [*(v for v, _label in field.flatchoices), "no such"]:
                    instance = model(**{field.attname: value})
                    ours = getattr(instance, f"get_{field.name}_display")()
                    djangos = models.Model._get_FIELD_display(instance, field)
                    assert ours == djangos, (model, field.name, value)
                    assert type(ours) is type(djangos)
                    checked += 1
    assert checked > 50


def _translations(monkeypatch) -> list[str]:
    said = []
    real = translation._trans.gettext

    def counting(message):
        said.append(message)
        return real(message)

    monkeypatch.setattr(translation._trans, "gettext", counting)
    return said


def test_only_the_label_shown_is_translated(monkeypatch):
    order = Order(status=Order.Status.SHIPPED)
    said = _translations(monkeypatch)
    with translation.override("ja"):
        label = order.get_status_display()
        assert said == ["Shipped"]
        # Django's own asks for every status's label to find this one.
        said.clear()
        assert (
            models.Model._get_FIELD_display(order, order._meta.get_field("status"))
            == label
        )
        assert len(said) >= len(Order.Status)
    assert label != "Shipped"  # in Japanese
