"""Browsing: the product list with category filter and search, and a product."""

from django.conf import settings
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.translation import get_language

from core import pagecache
from core.fragments import render_fragment
from core.paginators import CappedPaginator, KeysFirstPaginator
from shop import selectors
from shop.cards import product_card
from shop.forms import QuantityForm
from shop.models import Product


@pagecache.for_visitors("catalog")
def product_list(request: HttpRequest) -> HttpResponse:
    categories = list(selectors.categories())
    slug = request.GET.get("category", "")
    category = next((c for c in categories if c.slug == slug), None)
    if slug and category is None:
        raise Http404
    query = request.GET.get("q", "")[:100]
    language = get_language()
    # Keys first where an index covers the order (the catalog's name and
    # reading orders, however deep the page). Search results are ranked by
    # relevance, which no index covers, and there a subquery of keys made
    # PostgreSQL rank every product once per match (20 s and more on
    # 200,000 products): the keys of at most SEARCH_RESULTS ranked
    # candidates are read once, counted, and the page's rows by their keys.
    per_page = settings.SHOP_PRODUCTS_PER_PAGE
    if query.strip():
        paginator = CappedPaginator(
            selectors.search_keys(query=query, category=category, language=language),
            per_page,
            cap=selectors.SEARCH_RESULTS,
            rows=selectors.catalog_products(),
        )
    else:
        paginator = KeysFirstPaginator(
            selectors.product_list(category=category, language=language),
            per_page,
            count=selectors.catalog_count(category=category),
        )
    page = paginator.get_page(request.GET.get("page"))
    products = list(page.object_list)
    # The grid is most of the page's rendering: cached, keyed on what it
    # shows; the photos are read only to render it.
    grid = products and render_fragment(
        request,
        "shop/includes/product_grid.html",
        lambda: {
            "products": selectors.with_named_photos(products, product=lambda p: p)
        },
        shown=tuple(product_card(product) for product in products),
    )
    return render(
        request,
        "shop/product_list.html",
        {
            "page": page,
            "grid": grid,
            "categories": categories,
            "category": category,
            "query": query,
        },
    )


@pagecache.for_visitors("catalog", "product:{slug}")
def product_detail(request: HttpRequest, slug: str) -> HttpResponse:
    try:
        product = selectors.product_detail(slug=slug)
    except Product.DoesNotExist:
        raise Http404 from None
    return render(
        request,
        "shop/product_detail.html",
        {
            "product": product,
            "form": QuantityForm(),
            "category": product.category,
            "action_templates": settings.SHOP_PRODUCT_ACTION_TEMPLATES,
        },
    )
