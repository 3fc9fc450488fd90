"""Japanese addresses keep their prefecture as its ISO 3166-2 code.

Before, the region of a Japanese address (and of an order shipped to one)
was the prefecture's name, mostly in Japanese (東京都) but in older rows as
typed (Tokyo, tokyo-to, 東京). Each becomes its code (JP-13). A value that
names no prefecture is kept as it is: the address pages show it as
written and ask for a prefecture from the list the next time it is edited,
so nothing a customer wrote is lost. Other countries' regions are free
text and are not touched.

Reversing writes the Japanese names back, which the earlier code expects.
"""

from django.db import migrations

# The mapping is shop.regions.find_prefecture: the 47 prefectures and how
# people spell them do not change.
from shop.regions import PREFECTURES, find_prefecture


def _map_values(queryset, field: str, convert) -> int:
    """Rewrite each distinct value once, with one UPDATE per value, so a
    large table is not loaded row by row."""
    changed = 0
    for value in list(queryset.values_list(field, flat=True).distinct()):
        new = convert(value)
        if new is not None and new != value:
            changed += queryset.filter(**{field: value}).update(**{field: new})
    return changed


def _to_code(value: str) -> str | None:
    prefecture = find_prefecture(value)
    return prefecture.code if prefecture else None


def _to_japanese(value: str) -> str | None:
    names = {p.code: p.japanese for p in PREFECTURES}
    return names.get(value)


def prefectures_to_codes(apps, schema_editor) -> None:
    Address = apps.get_model("shop", "Address")
    Order = apps.get_model("shop", "Order")
    _map_values(Address.objects.filter(country="JP"), "region", _to_code)
    _map_values(Order.objects.filter(ship_to_country="JP"), "ship_to_region", _to_code)


def codes_to_prefectures(apps, schema_editor) -> None:
    Address = apps.get_model("shop", "Address")
    Order = apps.get_model("shop", "Order")
    _map_values(Address.objects.filter(country="JP"), "region", _to_japanese)
    _map_values(
        Order.objects.filter(ship_to_country="JP"), "ship_to_region", _to_japanese
    )


class Migration(migrations.Migration):
    dependencies = [
        ("shop", "0016_address_region_optional_outside_japan"),
    ]

    operations = [
        migrations.RunPython(prefectures_to_codes, codes_to_prefectures),
    ]
