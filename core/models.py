"""The base of every model of ours (abstract: no table, no migration)."""

import functools

from django.db import models
from django.utils.encoding import force_str


class Model(models.Model):
    """``models.Model``, with a ``get_FOO_display()`` that translates only
    the label it shows.

    Django's finds a choice's label by hashing every (value, label) pair
    of the field, and hashing a lazy label translates it: a status with
    eight choices costs eight translations on each call, once per row of a
    list (a tenth of the CPU of the customer's case page, more on the
    admin's lists). Here the labels are looked up by value in a table built
    once per field, and only the label found is translated. What it
    returns is what Django's returns: the label in the active language, or
    the value itself when it is not among the choices.
    """

    class Meta:
        abstract = True

    def _get_FIELD_display(self, field):
        value = getattr(self, field.attname)
        try:
            label = _labels(field).get(value, value)
        except TypeError:  # an unhashable value (a list in a JSON field)
            return super()._get_FIELD_display(field)
        return force_str(label, strings_only=True)


@functools.cache
def _labels(field: models.Field) -> dict:
    """The field's labels by value (lazy, not yet translated)."""
    return dict(field.flatchoices)
