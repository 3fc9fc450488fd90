"""Issue #16: the automatic "missing manual or warranty card" remedy posts,
and promises, only the papers the product ships with (``Product.documents``);
for a product that ships with none, an agent decides and the customer is
told so plainly. The timeline, the order page and the shipping email name
the same papers."""

import pytest
from django.core import mail
from django.urls import reverse
from django.utils import translation

from shop import services as shop_services
from shop.models import Product, Shipment
from support import services
from support.models import Case, CaseEvent
from tests.shop.factories import ProductFactory, UserFactory, deliver, placed_order

pytestmark = pytest.mark.django_db

D = Product.Documents
K = CaseEvent.Kind


def report_missing_papers(product: Product, *, language: str = "en") -> Case:
    order = placed_order(UserFactory(language=language), (product, 1))
    deliver(order)
    return services.file_case(
        customer=order.buyer,
        order_line=order.lines.get(),
        problem=Case.Problem.MISSING_DOCUMENTS,
        description="Something is missing from the box.",
    )


def public_text(case: Case) -> str:
    return " ".join(case.events.filter(is_public=True).values_list("body", flat=True))


def ship_papers(case: Case, capture) -> tuple[Shipment, str]:
    """The documents parcel, shipped, and the email that says so."""
    parcel = case.order.shipments.get(reason=Shipment.Reason.DOCUMENTS)
    mail.outbox.clear()
    with capture(execute=True):
        shop_services.mark_shipped(shipment=parcel, actor=None)
    (email,) = mail.outbox
    return parcel, email.body


def test_a_notebook_missing_its_manual_is_promised_nothing_and_goes_to_an_agent():
    """The defect named in #16: a notebook "missing its manual" got "we're
    posting the manual and warranty card"."""
    notebook = ProductFactory(name="A5 dot-grid notebook", documents=D.NONE)
    case = report_missing_papers(notebook)

    assert case.status == Case.Status.NEW
    assert not case.order.shipments.filter(reason=Shipment.Reason.DOCUMENTS).exists()
    assert not case.events.filter(kind=K.DOCUMENTS).exists()
    told = public_text(case)
    assert "posting" not in told
    assert (
        "A5 dot-grid notebook does not come with a printed manual or warranty card"
        in told
    )
    assert "An agent will look at this" in told
    note = case.events.get(kind=K.DECISION, is_public=False).body
    assert "ships with no printed manual or warranty card" in note
    assert "ask the customer what is missing" in note


def test_a_kettle_with_both_papers_gets_both(django_capture_on_commit_callbacks):
    kettle = ProductFactory(name="Electric kettle", documents=D.BOTH)
    case = report_missing_papers(kettle)

    assert case.status == Case.Status.RESOLVED
    assert "We are posting the printed manual and warranty card" in (
        case.events.get(kind=K.DOCUMENTS).body
    )
    parcel, email = ship_papers(case, django_capture_on_commit_callbacks)
    assert parcel.note == "Printed manual and warranty card: Electric kettle"
    assert "Printed documents: Printed manual and warranty card: Electric kettle" in (
        email
    )


def test_a_product_with_only_a_warranty_card_gets_that_only(
    django_capture_on_commit_callbacks,
):
    pen = ProductFactory(name="Fountain pen", documents=D.WARRANTY_CARD)
    case = report_missing_papers(pen)

    body = case.events.get(kind=K.DOCUMENTS).body
    assert body.startswith("We are posting the warranty card, expected by ")
    assert "manual" not in public_text(case)
    parcel, email = ship_papers(case, django_capture_on_commit_callbacks)
    assert parcel.note == "Warranty card: Fountain pen"
    assert "Warranty card: Fountain pen" in email
    assert "manual" not in email


def test_a_product_with_only_a_manual_gets_the_manual_and_its_link(
    django_capture_on_commit_callbacks,
):
    kettle = ProductFactory(
        name="Tetsubin kettle",
        documents=D.MANUAL,
        manual_url="https://hoshii.example/manuals/tetsubin.pdf",
    )
    case = report_missing_papers(kettle)

    body = case.events.get(kind=K.DOCUMENTS).body
    assert body.startswith("We are posting the printed manual, expected by ")
    assert "warranty" not in body
    assert body.endswith("https://hoshii.example/manuals/tetsubin.pdf")
    _parcel, email = ship_papers(case, django_capture_on_commit_callbacks)
    assert "Printed manual: Tetsubin kettle" in email
    assert "warranty" not in email


def test_a_japanese_customer_reads_the_same_papers_in_japanese(
    django_capture_on_commit_callbacks,
):
    pen = ProductFactory(
        name="Fountain pen", name_ja="万年筆", documents=D.WARRANTY_CARD
    )
    with translation.override("en"):
        case = report_missing_papers(pen, language="ja")

    assert case.events.get(kind=K.DOCUMENTS).body.startswith("保証書をお送りします")
    parcel, email = ship_papers(case, django_capture_on_commit_callbacks)
    assert parcel.note == "保証書: 万年筆"
    assert "保証書: 万年筆" in email


def test_a_japanese_customer_is_told_in_japanese_that_an_agent_will_look():
    notebook = ProductFactory(name="Notebook", name_ja="ノート", documents=D.NONE)
    with translation.override("en"):
        case = report_missing_papers(notebook, language="ja")
    told = public_text(case)
    assert "ノートには説明書も保証書も付いていない" in told
    assert "担当者" in told


def test_the_product_admin_declares_the_documents(staff_client):
    product = ProductFactory(documents=D.NONE)
    url = reverse("admin:shop_product_change", args=[product.pk])
    page = staff_client.get(url).content.decode()
    assert 'name="documents"' in page
    response = staff_client.post(
        url,
        {
            "category": product.category_id,
            "sku": product.sku,
            "name": product.name,
            "name_ja": product.name_ja,
            "slug": product.slug,
            "description": product.description,
            "price": product.price,
            "stock_on_hand": product.stock_on_hand,
            "is_active": "on",
            "documents": D.WARRANTY_CARD,
            # The photos inline, left empty.
            "images-TOTAL_FORMS": "0",
            "images-INITIAL_FORMS": "0",
        },
    )
    assert response.status_code == 302
    product.refresh_from_db()
    assert product.documents == D.WARRANTY_CARD
    assert not product.ships_manual
    assert product.ships_warranty_card


def test_the_demo_notebook_ships_without_papers_and_the_printer_with_both():
    from shop.management.demo_catalog import PRODUCTS

    documents = {product["sku"]: product["documents"] for product in PRODUCTS}
    assert documents["STA-001"] == D.NONE  # A5 dot-grid notebook
    assert documents["ELE-002"] == D.BOTH  # PX-200 printer
    assert set(documents.values()) <= set(D.values)
    # A product with an online manual also has a printed one in the box.
    for product in PRODUCTS:
        if product["manual_url"]:
            assert product["documents"] in (D.MANUAL, D.BOTH), product["sku"]
