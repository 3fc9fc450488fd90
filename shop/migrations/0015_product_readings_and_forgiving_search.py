"""Japanese readings to sort by, and a search that forgives.

Adds the reading staff may give (``name_ja_reading``) and search words in
both languages, and two columns derived from them on save
(``Product.refresh_search_fields``): ``sort_reading``, the hiragana reading
Japanese pages sort by, and ``search_text``, the names, reading and search
words in one normalised form (``shop.kana.normalize``). Existing products
get both here.

On PostgreSQL only (``make run`` on SQLite searches by substring): the
``pg_trgm`` extension and a trigram GIN index on ``search_text``, which
serves both its substring match (``LIKE``) and its typo match (``%>``,
word similarity), and the stored ``search_vector`` of 0005 rebuilt to
include the search words and ``search_text``.
"""

import django.db.models.functions.text
from django.contrib.postgres.operations import TrigramExtension
from django.db import migrations, models

from shop import kana

SEARCHED_FIELDS = ("name", "name_ja", "name_ja_reading", "search_terms", "search_terms_ja")

# The vector of 0005 (name A, description B, English stemming), plus the
# English search words as names, and the normalised names, reading and
# search words split on spaces only ('simple': Japanese is not stemmed).
SEARCH_VECTOR = """
DROP INDEX IF EXISTS shop_product_search_vector;
ALTER TABLE shop_product DROP COLUMN IF EXISTS search_vector;
ALTER TABLE shop_product ADD COLUMN search_vector tsvector
    GENERATED ALWAYS AS (
        setweight(to_tsvector('english'::regconfig, coalesce(name, '')), 'A')
        || setweight(to_tsvector('english'::regconfig, coalesce(search_terms, '')), 'A')
        || setweight(to_tsvector('simple'::regconfig, coalesce(search_text, '')), 'B')
        || setweight(to_tsvector('english'::regconfig, coalesce(description, '')), 'B')
    ) STORED;
CREATE INDEX shop_product_search_vector ON shop_product USING gin (search_vector);
CREATE INDEX shop_product_search_text_trgm
    ON shop_product USING gin (search_text gin_trgm_ops);
"""
OLD_SEARCH_VECTOR = """
DROP INDEX IF EXISTS shop_product_search_text_trgm;
DROP INDEX IF EXISTS shop_product_search_vector;
ALTER TABLE shop_product DROP COLUMN IF EXISTS search_vector;
ALTER TABLE shop_product ADD COLUMN search_vector tsvector
    GENERATED ALWAYS AS (
        setweight(to_tsvector('english'::regconfig, coalesce(name, '')), 'A')
        || setweight(to_tsvector('english'::regconfig, coalesce(description, '')), 'B')
    ) STORED;
CREATE INDEX shop_product_search_vector ON shop_product USING gin (search_vector);
"""


class TrigramExtensionOnPostgreSQL(TrigramExtension):
    """Django's operation skips other databases going forwards, but looks
    for the extension in ``pg_extension`` going backwards, even on SQLite."""

    def database_backwards(self, app_label, schema_editor, from_state, to_state):
        if schema_editor.connection.vendor == "postgresql":
            super().database_backwards(app_label, schema_editor, from_state, to_state)


def fill_search_fields(apps, schema_editor):
    # What Product.refresh_search_fields does; the historical model has no
    # methods of the real one.
    Product = apps.get_model("shop", "Product")
    products = list(Product.objects.all())
    for product in products:
        product.sort_reading = kana.sort_reading(
            given=product.name_ja_reading,
            japanese=product.name_ja,
            fallback=product.name,
        )[:320]
        product.search_text = kana.search_document(
            *(getattr(product, field) for field in SEARCHED_FIELDS),
            product.sort_reading,
        )
    Product.objects.bulk_update(products, ["sort_reading", "search_text"], 500)


def rebuild_search_vector(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(SEARCH_VECTOR)


def restore_search_vector(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(OLD_SEARCH_VECTOR)


class Migration(migrations.Migration):

    dependencies = [
        ('shop', '0014_product_documents'),
    ]

    operations = [
        migrations.AddField(
            model_name='product',
            name='name_ja_reading',
            field=models.CharField(blank=True, help_text='The Japanese name in kana, as it is read (ありたやき for 有田焼): Japanese pages are sorted by it. Leave blank to have it read automatically.', max_length=320, verbose_name='reading (Japanese)'),
        ),
        migrations.AddField(
            model_name='product',
            name='search_terms',
            field=models.CharField(blank=True, help_text='Other words shoppers search for it by, separated by spaces (for a kettle: teakettle boiler).', max_length=255, verbose_name='search words'),
        ),
        migrations.AddField(
            model_name='product',
            name='search_terms_ja',
            field=models.CharField(blank=True, help_text='Other Japanese words shoppers search for it by, separated by spaces (for a kettle: やかん 湯沸かし). Katakana and hiragana match alike.', max_length=255, verbose_name='search words (Japanese)'),
        ),
        migrations.AddField(
            model_name='product',
            name='search_text',
            field=models.TextField(default='', editable=False),
        ),
        migrations.AddField(
            model_name='product',
            name='sort_reading',
            field=models.CharField(default='', editable=False, max_length=320, verbose_name='reading used for sorting'),
        ),
        migrations.AddIndex(
            model_name='product',
            index=models.Index(fields=['category', 'is_active', 'sort_reading'], name='shop_product_cat_reading'),
        ),
        migrations.AddIndex(
            model_name='product',
            index=models.Index(condition=models.Q(('is_active', True)), fields=['sort_reading'], name='shop_product_active_reading'),
        ),
        migrations.AddIndex(
            model_name='product',
            index=models.Index(django.db.models.functions.text.Upper('sku'), name='shop_product_sku_upper'),
        ),
        migrations.RunPython(fill_search_fields, migrations.RunPython.noop, elidable=False),
        # Does nothing on databases other than PostgreSQL.
        TrigramExtensionOnPostgreSQL(),
        migrations.RunPython(rebuild_search_vector, restore_search_vector, elidable=False),
    ]
