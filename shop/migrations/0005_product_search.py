"""Product search without recomputing every product's text vector per query.

On PostgreSQL: a stored, generated ``search_vector`` column (kept by the
database on every insert and update, whatever writes the row) with a GIN
index, used by ``shop.selectors.product_list``. It is not a model field:
other databases (SQLite for ``make run``) have no ``tsvector`` and search by
substring instead, so the column exists only where it can.

Also an index on the active products' names, the order every catalog page
is listed in, so a page no longer sorts the whole catalog.
"""

from django.db import migrations, models

# Name weighted A, description B, English stemming: what the search used to
# compute per product on every query, so ranking is unchanged.
ADD_SEARCH_VECTOR = """
ALTER TABLE shop_product ADD COLUMN search_vector tsvector
    GENERATED ALWAYS AS (
        setweight(to_tsvector('english'::regconfig, coalesce(name, '')), 'A')
        || setweight(to_tsvector('english'::regconfig, coalesce(description, '')), 'B')
    ) STORED;
CREATE INDEX shop_product_search_vector ON shop_product USING gin (search_vector);
"""
DROP_SEARCH_VECTOR = """
DROP INDEX IF EXISTS shop_product_search_vector;
ALTER TABLE shop_product DROP COLUMN IF EXISTS search_vector;
"""


def add_search_vector(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(ADD_SEARCH_VECTOR)


def drop_search_vector(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(DROP_SEARCH_VECTOR)


class Migration(migrations.Migration):
    dependencies = [
        ("shop", "0004_user_language"),
    ]

    operations = [
        migrations.RunPython(add_search_vector, drop_search_vector, elidable=False),
        migrations.AddIndex(
            model_name="product",
            index=models.Index(
                condition=models.Q(("is_active", True)),
                fields=["name"],
                name="shop_product_active_name",
            ),
        ),
    ]
