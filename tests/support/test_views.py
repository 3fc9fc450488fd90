"""The customer's side of support through the pages."""

import pytest
from django.urls import reverse

from shop import services as shop_services
from shop.models import Shipment
from support import services
from support.forms import CallForm, FileCaseForm
from support.models import Case
from tests.gifts.factories import give
from tests.queries import assert_same_queries, queries_for
from tests.shop.factories import ProductFactory, UserFactory, deliver, placed_order
from tests.support.factories import file_question, help_form
from tests.wishlist.factories import WishListItemFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def order(client):
    placed = placed_order(None, (ProductFactory(name="Yellow ink", stock_on_hand=9), 2))
    deliver(placed)
    client.force_login(placed.buyer)
    return placed


def test_missing_item_from_the_order_page_in_two_clicks(client, order):
    detail = client.get(order.get_absolute_url()).content.decode()
    help_url = reverse("support:get_help", args=[order.pk])
    assert help_url in detail

    page = client.get(help_url)
    assert page.status_code == 200
    response = client.post(help_url, help_form(order, problem="missing_item"))
    case = Case.objects.get()
    assert response["Location"] == case.get_absolute_url()
    case_page = client.get(case.get_absolute_url()).content.decode()
    assert "is on its way" in case_page
    assert order.shipments.filter(reason=Shipment.Reason.REPLACEMENT).exists()


def test_filing_the_same_problem_again_shows_the_open_case(client, order):
    data = help_form(order, problem="other", description="A question")
    first = client.post(reverse("support:get_help", args=[order.pk]), data)
    again = client.post(reverse("support:get_help", args=[order.pk]), data, follow=True)
    assert again.redirect_chain[-1][0] == first["Location"]
    assert "already have an open case" in again.content.decode()
    assert Case.objects.count() == 1


@pytest.mark.parametrize(
    ("data", "field"),
    [
        ({"problem": "other", "description": ""}, None),
        ({"problem": "other", "description": "x" * 2001}, "description"),
        ({"problem": "missing_item", "quantity": 3}, None),
        ({"problem": "nonsense"}, "problem"),
        ({"problem": "damaged", "line": 999999}, "line"),
    ],
)
def test_bad_input_is_a_form_error_and_files_nothing(client, order, data, field):
    form = {
        "line": order.lines.get().pk,
        "quantity": 1,
        "contact": "message",
        "description": "",
        **data,
    }
    response = client.post(reverse("support:get_help", args=[order.pk]), form)
    assert response.status_code == 200
    errors = response.context["form"].errors
    assert field in errors if field else errors
    assert not Case.objects.exists()


def test_someone_elses_order_and_case_are_404(client, order):
    theirs = placed_order()
    assert client.get(reverse("support:get_help", args=[theirs.pk])).status_code == 404
    their_case = file_question(theirs.lines.get(), "Mine")
    assert client.get(their_case.get_absolute_url()).status_code == 404
    assert (
        client.post(
            reverse("support:message", args=[their_case.pk]), {"body": "hi"}
        ).status_code
        == 404
    )


def test_messages_are_escaped(client, order):
    case = file_question(order.lines.get(), "<script>alert('x')</script>")
    client.post(reverse("support:message", args=[case.pk]), {"body": "<b>bold</b>"})
    page = client.get(case.get_absolute_url()).content.decode()
    assert "<script>alert" not in page
    assert "&lt;b&gt;bold&lt;/b&gt;" in page


def test_the_message_field_keeps_the_forms_label_and_limits(client, order):
    """The case page writes the message field itself (not through Django's
    form templates): its label, and the limits the form checks, as the
    browser is told them."""
    case = file_question(order.lines.get(), "Help")
    page = client.get(case.get_absolute_url()).content.decode()
    assert '<label for="id_body">Your message</label>' in page
    assert (
        '<textarea name="body" cols="40" rows="3" maxlength="5000" required'
        ' id="id_body">' in page
    )


def test_internal_notes_never_reach_the_customer(client, order):
    case = file_question(order.lines.get(), "Help")
    services.add_note(case=case, actor=UserFactory(is_staff=True), body="SECRET NOTE")
    assert "SECRET NOTE" not in client.get(case.get_absolute_url()).content.decode()


def test_the_recipient_gets_help_on_a_gift_and_the_giver_only_asks_where_it_is(client):
    gift = give(WishListItemFactory(product=ProductFactory(stock_on_hand=5)))
    deliver(gift.order)
    client.force_login(gift.recipient)
    detail = client.get(gift.get_absolute_url()).content.decode()
    help_url = reverse("support:get_help", args=[gift.order_id])
    assert help_url in detail
    page = client.get(help_url)
    assert len(page.context["form"].fields["problem"].choices) == len(Case.Problem)

    client.force_login(gift.giver)
    page = client.get(help_url)
    assert [c[0] for c in page.context["form"].fields["problem"].choices] == [
        "not_delivered"
    ]
    response = client.post(help_url, help_form(gift.order, problem="defective"))
    assert response.status_code == 200
    assert not Case.objects.exists()


def test_help_page_costs_the_same_for_10_or_100_cases(client):
    buyer = UserFactory()
    client.force_login(buyer)
    orders = [placed_order(buyer) for _ in range(12)]

    for placed in orders[:10]:
        file_question(placed.lines.get(), "?")
    small = queries_for(client, reverse("support:help"))
    case = Case.objects.first()
    case_small = queries_for(client, case.get_absolute_url())
    for placed in orders[10:]:
        file_question(placed.lines.get(), "?")
    for _ in range(100):
        services.post_customer_message(case=case, customer=buyer, body="More")
    assert_same_queries(small, queries_for(client, reverse("support:help")))
    assert_same_queries(case_small, queries_for(client, case.get_absolute_url()))


def test_help_on_one_parcel_offers_its_items(client):
    buyer = UserFactory()
    placed = placed_order(
        buyer, (ProductFactory(name="Kettle"), 1), (ProductFactory(), 1)
    )
    kettle = placed.lines.get(name="Kettle")
    parcel = shop_services.create_shipment(
        order=placed, quantities={kettle.pk: 1}, actor=None
    )
    client.force_login(buyer)
    assert "?shipment=" in client.get(placed.get_absolute_url()).content.decode()
    page = client.get(
        reverse("support:get_help", args=[placed.pk]), {"shipment": parcel.pk}
    )
    assert [c[0] for c in page.context["form"].fields["line"].choices] == [kettle.pk]


def test_the_numbers_to_call_open_the_phone_keypad_and_autofill():
    """Both forms that take a number to call say it is one (``type=tel``)
    and which of the customer's details fills it (``autocomplete=tel``)."""
    for field in (
        CallForm()["phone"],
        FileCaseForm(lines=[], problems=[])["phone"],
    ):
        html = str(field)
        assert 'type="tel"' in html
        assert 'autocomplete="tel"' in html
