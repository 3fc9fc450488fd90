"""The catalog's order by Japanese reading, and a search that forgives typos,
kana variants and everyday Japanese words."""

import re
import uuid

import pytest
from django.db import connection
from django.urls import reverse

from shop import kana, selectors
from shop.models import Product
from tests.queries import assert_same_queries, queries_for, sql_of

from .factories import CategoryFactory, ProductFactory, UserFactory

pytestmark = pytest.mark.django_db

JA = {"HTTP_ACCEPT_LANGUAGE": "ja"}
EN = {"HTTP_ACCEPT_LANGUAGE": "en"}


def listed(client, headers=EN, **params) -> list[str]:
    response = client.get(reverse("shop:product_list"), params, **headers)
    assert response.status_code == 200
    return [product.name for product in response.context["page"].object_list]


@pytest.fixture
def kettle() -> Product:
    return ProductFactory(
        name="Cast-iron Nambu tetsubin kettle, 0.6 L",
        name_ja="南部鉄器 鉄瓶 0.6L",
        search_terms="teakettle",
        search_terms_ja="やかん 湯沸かし",
        description="Boils water slowly.",
    )


@pytest.fixture
def catalog(kettle) -> None:
    """The kettle among things that have nothing to do with it."""
    ProductFactory(
        name="Arita porcelain plates", name_ja="有田焼 中皿", description="Plates."
    )
    ProductFactory(
        name="Basho: Selected Haiku", name_ja="芭蕉 俳句選", description="Poems."
    )
    ProductFactory(name="Electric kettle", name_ja="電気ケトル", description="Fast.")
    ProductFactory(name="Linen towel", name_ja="リネンタオル", description="Soft.")


# --- Readings -----------------------------------------------------------------


def test_normalize_folds_katakana_width_and_case():
    assert kana.normalize("ケトル") == "けとる"
    assert kana.normalize("ｹﾄﾙ") == "けとる"  # half-width katakana
    assert kana.normalize("ＫＥＴＴＬＥ  Pot") == "kettle pot"
    assert kana.normalize("ヴァイオリン") == "ゔぁいおりん"


def test_reading_reads_kanji_as_hiragana():
    assert kana.reading("芭蕉") == "ばしょう"
    assert kana.reading("南部鉄器 鉄瓶") == "なんぶてっき てつびん"
    assert kana.reading("") == ""


def test_sort_reading_is_derived_on_save_and_staff_may_correct_it():
    product = ProductFactory(name="Arita plates", name_ja="有田焼")
    # pykakasi's guess; a guess all the same.
    assert product.sort_reading == kana.reading("有田焼")
    product.name_ja_reading = "アリタヤキ"  # staff type it in katakana
    product.save()
    product.refresh_from_db()
    assert product.sort_reading == "ありたやき"
    assert "ありたやき" in product.search_text

    # A reading left blank follows the name when the name changes, even
    # through a save of that field alone.
    other = ProductFactory(name="Plates", name_ja="皿")
    other.name_ja = "芭蕉"
    other.save(update_fields=["name_ja"])
    other.refresh_from_db()
    assert other.sort_reading == "ばしょう"

    # A save of other fields leaves them as they are.
    Product.objects.filter(pk=other.pk).update(sort_reading="stale")
    other.sort_reading = "stale"
    other.stock_on_hand = 3
    other.save(update_fields=["stock_on_hand"])
    other.refresh_from_db()
    assert (other.sort_reading, other.stock_on_hand) == ("stale", 3)

    # No Japanese name: a Japanese page shows the English one, and sorts by it.
    assert ProductFactory(name="Zen Garden", name_ja="").sort_reading == "zen garden"


def test_japanese_pages_sort_by_reading_english_pages_by_name(client):
    ProductFactory(name="Zen haiku: Basho", name_ja="芭蕉 俳句選")  # ばしょう
    ProductFactory(name="Electric kettle", name_ja="電気ケトル")  # でんき
    ProductFactory(name="Hand drip kettle", name_ja="ケトル")  # けとる
    ProductFactory(
        name="Porcelain plates", name_ja="有田焼 中皿", name_ja_reading="ありたやき"
    )
    # Without readings, code-point order would be ケ < 有 < 芭 < 電.
    assert listed(client, JA) == [
        "Porcelain plates",  # ありたやき
        "Hand drip kettle",  # けとる
        "Electric kettle",  # でんきけとる
        "Zen haiku: Basho",  # ばしょう
    ]
    assert listed(client, EN) == [
        "Electric kettle",
        "Hand drip kettle",
        "Porcelain plates",
        "Zen haiku: Basho",
    ]


def test_a_category_page_in_japanese_sorts_by_reading_too(client):
    books, other = CategoryFactory(slug="books"), CategoryFactory(slug="other")
    ProductFactory(category=books, name="A Basho", name_ja="芭蕉")
    ProductFactory(category=books, name="B Arita", name_ja="有田焼")
    ProductFactory(category=other, name="C Aa", name_ja="ああ")
    assert listed(client, JA, category="books") == ["B Arita", "A Basho"]


# --- Search -------------------------------------------------------------------


@pytest.mark.usefixtures("catalog")
def test_a_typo_finds_the_kettle():
    names = [p.name for p in selectors.product_list(query="ketle")]
    assert names[0] == "Cast-iron Nambu tetsubin kettle, 0.6 L"
    assert set(names) == {"Cast-iron Nambu tetsubin kettle, 0.6 L", "Electric kettle"}
    assert [p.name for p in selectors.product_list(query="porcelian")] == [
        "Arita porcelain plates"
    ]


@pytest.mark.usefixtures("catalog")
@pytest.mark.parametrize("query", ["やかん", "ヤカン", "ﾔｶﾝ", "湯沸かし", "teakettle"])
def test_everyday_words_find_the_kettle(client, query):
    assert listed(client, JA, q=query) == ["Cast-iron Nambu tetsubin kettle, 0.6 L"]


@pytest.mark.usefixtures("catalog")
def test_kana_variants_and_readings_find_the_same_products(client):
    assert (
        listed(client, q="けとる") == listed(client, q="ケトル") == ["Electric kettle"]
    )
    # By its reading, which nobody typed: read from 南部鉄器 on save.
    assert listed(client, q="なんぶてっき") == [
        "Cast-iron Nambu tetsubin kettle, 0.6 L"
    ]
    assert listed(client, q="ばしょう") == ["Basho: Selected Haiku"]


@pytest.mark.usefixtures("catalog")
@pytest.mark.parametrize(
    "query", ["bicycle", "自転車", "じてんしゃ", "zebra", "ketchup"]
)
def test_unrelated_words_find_nothing(client, query):
    assert listed(client, q=query) == []


def test_a_typo_does_not_flood_a_large_catalog():
    for index in range(60):
        noun = ["kettle", "mug", "towel", "lamp"][index % 4]
        ProductFactory(name=f"Blue {noun} No. {index}", name_ja=f"青い{noun} {index}号")
    found = {p.name.split()[1] for p in selectors.product_list(query="ketle")}
    assert found == {"kettle"}
    assert selectors.product_list(query="blue mug").count() == 15
    # One letter off is forgiven ("lamb" finds the lamps); a word is not.
    assert selectors.product_list(query="blanket").count() == 0


def test_a_typo_is_forgiven_only_when_nothing_matches_as_typed():
    ProductFactory(name="Blue lamp", name_ja="青いランプ")
    assert [p.name for p in selectors.product_list(query="lamb")] == ["Blue lamp"]
    ProductFactory(name="Lamb wool scarf", name_ja="ラムウール マフラー")
    assert [p.name for p in selectors.product_list(query="lamb")] == ["Lamb wool scarf"]


def test_a_word_found_in_another_category_is_not_a_typo_in_this_one():
    lighting, clothes = CategoryFactory(), CategoryFactory()
    ProductFactory(category=lighting, name="Blue lamp", name_ja="青いランプ")
    assert [
        p.name for p in selectors.product_list(category=lighting, query="lamb")
    ] == ["Blue lamp"]
    ProductFactory(category=clothes, name="Lamb wool scarf", name_ja="マフラー")
    assert not selectors.product_list(category=lighting, query="lamb").exists()


@pytest.mark.usefixtures("catalog")
def test_the_best_match_comes_first(client):
    assert listed(client, q="teakettle") == ["Cast-iron Nambu tetsubin kettle, 0.6 L"]
    assert listed(client, q="electric kettle") == ["Electric kettle"]
    # Both names hold "kettle"; the one that says it twice ranks first.
    ProductFactory(name="Kettle descaler for kettles", name_ja="ケトル用 洗浄剤")
    assert listed(client, q="kettle")[0] == "Kettle descaler for kettles"


def test_a_sku_is_found_in_any_case(client):
    ProductFactory(name="Teapot", sku="TEA-005")
    assert listed(client, q="tea-005") == ["Teapot"]


def test_search_costs_the_same_queries_with_more_products(
    client, settings, monkeypatch
):
    settings.SHOP_PRODUCTS_PER_PAGE = 100
    # 100 matches are more than a search shows: the count stops there.
    monkeypatch.setattr(selectors, "SEARCH_RESULTS", 50)
    # Signed in: the page cache serves visitors, and would hide the queries.
    client.force_login(UserFactory())
    category = CategoryFactory()

    def make(count):
        for index in range(count):
            ProductFactory(
                category=category,
                name=f"Kettle {index}",
                name_ja=f"ケトル {index}",
                search_terms_ja="やかん",
            )

    url = reverse("shop:product_list")
    make(10)
    small = {
        q: queries_for(client, url, data={"q": q})
        for q in ("ketle", "やかん", "kettle")
    }
    make(90)
    for q, queries in small.items():
        large = queries_for(client, url, data={"q": q})
        assert_same_queries(queries, large)
        # session, user, categories, count, page, cart badge
        assert len(large) <= 6


@pytest.mark.usefixtures("catalog")
def test_the_substring_fallback_matches_readings_words_and_descriptions(
    monkeypatch,
):
    """What ``make run`` on SQLite runs, exercised here on PostgreSQL."""
    monkeypatch.setattr(connection, "vendor", "sqlite")
    kettle_name = "Cast-iron Nambu tetsubin kettle, 0.6 L"

    def search(query, language="en"):
        return [p.name for p in selectors.product_list(query=query, language=language)]

    assert search("ヤカン") == [kettle_name]
    assert search("なんぶ") == [kettle_name]
    assert search("boils water") == [kettle_name]
    assert search("KETTLE") == [kettle_name, "Electric kettle"]
    assert search("kettle", language="ja") == ["Electric kettle", kettle_name]
    assert search("ketchup") == []


def test_staff_give_the_reading_and_search_words_in_the_admin(staff_client, client):
    product = ProductFactory(name="Arita plates", name_ja="有田焼")
    # Between pykakasi's ありだやき and the right ありたやき.
    ProductFactory(name="Aritayo", name_ja="ありたよ")
    assert listed(client, JA) == ["Aritayo", "Arita plates"]
    url = reverse("admin:shop_product_change", args=[product.pk])
    page = staff_client.get(url)
    assert kana.reading("有田焼") in page.content.decode()  # the reading derived
    form = page.context["adminform"].form
    assert "sort_reading" not in form.fields  # shown, never typed
    data = {
        name: value
        for name, value in form.initial.items()
        if value is not None and name != "image"
    }
    data.update(
        category=product.category_id,
        name_ja_reading="ありたやき",
        search_terms_ja="おさら 食器",
    )
    # The photos inline, left empty.
    data |= {"images-TOTAL_FORMS": "0", "images-INITIAL_FORMS": "0"}
    response = staff_client.post(url, data)
    assert response.status_code == 302, response.context["adminform"].form.errors

    assert listed(client, JA) == ["Arita plates", "Aritayo"]
    assert listed(client, JA, q="オサラ") == ["Arita plates"]


def test_search_results_are_ranked_once_then_the_page_read_by_key(client):
    """Keys first from a subquery (``core.paginators.KeysFirstPaginator``)
    is for the catalog's indexed orders; over ranked search results it had
    PostgreSQL rank every product once per match: over 80 s on 200,000
    products (make bench-large). A search finds and ranks its candidates in
    one query, which the count and the page share (counting them in a query
    of their own found them twice: 10-25 ms each on 200,000 products), and
    reads the page's rows by their keys."""
    from django.test.utils import CaptureQueriesContext

    ProductFactory.create_batch(3, name="Iron kettle")

    def product_queries(**params) -> list[str]:
        with CaptureQueriesContext(connection) as captured:
            response = client.get(reverse("shop:product_list"), params)
        assert response.status_code == 200
        return [
            sql
            for sql in map(sql_of, captured.captured_queries)
            if sql.startswith(('SELECT "shop_product"', "SELECT COUNT(*)"))
        ]

    def page_subqueries(sql: str) -> list[str]:
        # A subquery limited to a page (not an EXISTS's LIMIT 1).
        return [n for n in re.findall(r"LIMIT (\d+)\)", sql) if n != "1"]

    ranked, rows = product_queries(q="kettle", fresh="1")
    cap = str(selectors.SEARCH_RESULTS + 1)
    # Only the candidates matching as typed are limited, to one more than
    # a search shows, and so are the ranked keys: no page of keys first.
    assert ranked.startswith('SELECT "shop_product"."id" AS "pk" FROM'), ranked
    assert "ts_rank" in ranked and ranked.endswith(f"LIMIT {cap}"), ranked
    assert page_subqueries(ranked) == [cap]
    # The page's rows by their keys: nothing found or ranked again.
    assert "ts_rank" not in rows and "search_vector" not in rows.split("WHERE")[1]
    # (Beside which photo is each product's first: what its card is keyed on.)
    assert "SELECT" not in rows.rsplit(' FROM "shop_product" ', 1)[1], rows
    shown = client.get(reverse("shop:product_list"), {"q": "kettle"})
    assert len(shown.context["page"].object_list) == 3
    count, browsed = product_queries(fresh="2")
    assert count.startswith("SELECT COUNT(*)")
    assert page_subqueries(browsed) == ["3"]  # the keys first, then the rows


def test_a_search_counts_and_ranks_at_most_its_cap(client, monkeypatch):
    """A word in a tenth of a large shop matches thousands: a search ranks
    and counts only ``SEARCH_RESULTS`` + 1 candidates, and says
    "N+ results" beyond (make bench-large: 0.2-0.4 s a search before)."""
    monkeypatch.setattr(selectors, "SEARCH_RESULTS", 5)
    old = ProductFactory(name="Kettle descaler for kettles", name_ja="ケトル用 洗浄剤")
    for index in range(6):
        ProductFactory(name=f"Iron kettle {index}", name_ja=f"鉄のケトル {index}")
    ProductFactory(name="Linen towel", name_ja="リネンタオル")

    def search(headers=EN, **params):
        response = client.get(reverse("shop:product_list"), params, **headers)
        return response.context["page"], response.content.decode()

    page, html = search(q="kettle")
    assert (page.paginator.count, page.paginator.capped) == (5, True)
    assert "5+ results" in html
    # A page of the cap at most, of the six candidates ranked.
    assert len(page.object_list) == 5
    page, html = search(JA, q="ケトル", fresh="1")
    assert "5件以上" in html

    old.delete()
    Product.objects.filter(name="Iron kettle 5").delete()
    page, html = search(q="kettle", fresh="2")
    assert (page.paginator.count, page.paginator.capped) == (5, False)
    assert "5 results" in html and "5+" not in html
    page, html = search(JA, q="タオル", fresh="3")
    assert [p.name for p in page.object_list] == ["Linen towel"]
    assert "1件" in html

    # Within the cap, the best match is still first, and a typo still
    # ranks the closest word first.
    ProductFactory(name="Kettle descaler for kettles", name_ja="ケトル用 洗浄剤")
    Product.objects.filter(name="Iron kettle 0").delete()
    assert listed(client, q="kettle", fresh="4")[0] == "Kettle descaler for kettles"
    # "ketlle" is nearer "ketle" than "kettle" (word similarity 0.67 and
    # 0.63), though its name sorts last.
    ProductFactory(name="Zinc ketlle", name_ja="亜鉛のやかん")
    Product.objects.filter(name="Iron kettle 1").delete()
    assert listed(client, q="ketle", fresh="5")[0] == "Zinc ketlle"


def test_a_capped_search_pages_through_the_same_candidates(client, monkeypatch):
    """Beyond the cap, which candidates are ranked is the first the plan
    finds: every table scan starts at the table's start (synchronized scans
    off), so the next page never repeats one of the first's."""
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("SHOW synchronize_seqscans")
        assert cursor.fetchone() == ("off",)
    monkeypatch.setattr(selectors, "SEARCH_RESULTS", 30)
    ProductFactory.create_batch(40, name="Iron kettle")

    def page(number):
        # A query string of its own: never the page cache's copy.
        response = client.get(
            reverse("shop:product_list"),
            {"q": "kettle", "page": number, "fresh": uuid.uuid4().hex},
        )
        return [product.pk for product in response.context["page"].object_list]

    first = page(1)
    assert len(first) == 24 and page(1) == first  # 24 a page
    second = page(2)
    assert len(second) == 6 and not set(first) & set(second)


def test_a_searchs_keys_are_product_lists_and_its_query_is_built_once(
    catalog, monkeypatch
):
    """``search_keys`` (the search page's) answers what ``product_list``
    lists, in its order, for every way of searching: a word, a reading, a
    typo, a SKU, in a category, in Japanese; it builds the search's query
    once per way of listing, not per search. A LIKE wildcard in a query is
    matched as typed."""
    kitchen = CategoryFactory(name="Kitchen")
    ProductFactory(name="Copper kettle", category=kitchen, sku="KIT-77")
    ProductFactory(name="100% linen apron", category=kitchen)
    built = []
    searched = selectors._searched

    def counted(*args, **kwargs):
        built.append(1)
        return searched(*args, **kwargs)

    monkeypatch.setattr(selectors, "_searched", counted)
    selectors._search_statement.cache_clear()
    cases = [
        {"query": "kettle"},
        {"query": "ketle"},
        {"query": "やかん", "language": "ja"},
        {"query": "kit-77"},
        {"query": "kettle", "category": kitchen},
        {"query": "100%"},
        {"query": "1_0"},
        {"query": "zebra"},
    ]
    for case in cases:
        listed = selectors.product_list(**case).values_list("pk", flat=True)
        assert selectors.search_keys(**case) == list(listed), case
    assert selectors.search_keys(query="100%") != []
    assert selectors.search_keys(query="1_0") == []
    # Three ways of listing (English, Japanese, in a category), each
    # statement built three times (its model, and twice with two stand-ins),
    # whatever the number of searches; product_list's own once a case.
    assert len(built) == len(cases) + 3 * 3
    selectors.search_keys(query="towel")
    assert len(built) == len(cases) + 3 * 3
    selectors._search_statement.cache_clear()
