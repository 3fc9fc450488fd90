"""Neither side of a gift learns where the other lives.

A giver buys from a recipient's wish list and the shop ships to the list's
address. Every page and email the giver can reach must be free of the
recipient's street, postal code, city and phone; every page and email the
recipient can reach must be free of the giver's, unless the giver chose to
share their address (and even then never their phone). Gifts stay a
surprise until delivered, and someone else's gift or list is a 404.
See "Privacy rules" in ARCHITECTURE.md.
"""

import datetime
import re

import pytest
from django.core import mail
from django.urls import reverse
from django.utils import timezone

from gifts import services as gift_services
from gifts.models import Gift
from shop import services as shop_services
from shop.models import Cart, Shipment, User
from shop.pricing import format_money
from support import services as support_services
from support.exceptions import NotYourLine
from support.models import Case
from tests.emails import email_text
from tests.shop.factories import (
    DECLINED_CARD,
    TEST_CARD,
    AddressFactory,
    ProductFactory,
    UserFactory,
    expected_total,
)
from tests.support.factories import help_form
from tests.wishlist.factories import WishListFactory, WishListItemFactory
from wishlist import services as wishlist_services
from wishlist.models import WishList, WishListItem

from .factories import ask_to_return, give

pytestmark = pytest.mark.django_db

RECIPIENT_NAME = "Aiko & Ren"  # the display name givers may see
RECIPIENT_EMAIL = "recipient-private@example.com"
RECIPIENT_ADDRESS = {
    "recipient_name": "RECIPIENT-REAL-NAME",
    "postal_code": "901-0001",
    "region": "沖縄県",  # Okinawa: the region givers may see
    "city": "RECIPIENT-CITY",
    "line1": "RECIPIENT-STREET 1-1-1",
    "phone": "+819011110000",
}
GIVER_NAME = "Haruto Giver"
GIVER_EMAIL = "giver-private@example.com"
GIVER_ADDRESS = {
    "recipient_name": "GIVER-REAL-NAME",
    "postal_code": "060-0002",
    "region": "北海道",
    "city": "GIVER-CITY",
    "line1": "GIVER-STREET 2-2-2",
    "phone": "+819022220000",
}
ITEM_NAME = "Cast-iron teapot"
GIFT_MESSAGE = "Omedetou from Haruto!"

# A phone number in every form a template might render it: E.164,
# international, national, and bare digits.
RECIPIENT_PHONE = (
    "+819011110000",
    "+81 90-1111-0000",
    "090-1111-0000",
    "09011110000",
    "9011110000",
)
GIVER_PHONE = (
    "+819022220000",
    "+81 90-2222-0000",
    "090-2222-0000",
    "09022220000",
    "9022220000",
)
RECIPIENT_SECRETS = (
    "RECIPIENT-STREET 1-1-1",
    "901-0001",
    "9010001",
    "RECIPIENT-CITY",
    "RECIPIENT-REAL-NAME",
    RECIPIENT_EMAIL,
    *RECIPIENT_PHONE,
)
GIVER_ADDRESS_SECRETS = (
    "GIVER-STREET 2-2-2",
    "060-0002",
    "0600002",
    "GIVER-CITY",
    "GIVER-REAL-NAME",
)
GIVER_SECRETS = (*GIVER_ADDRESS_SECRETS, GIVER_EMAIL, *GIVER_PHONE)


def assert_absent(text: str, *secrets: str) -> None:
    leaked = [secret for secret in secrets if secret in text]
    assert not leaked, f"leaked: {leaked}"


def page(client, url: str) -> str:
    response = client.get(url)
    assert response.status_code == 200, url
    return response.content.decode()


def received_pages(client, gift: Gift) -> dict[str, str]:
    """The two pages that show the signed-in recipient a gift: the list of
    gifts received, and this one's own page."""
    return {
        url: page(client, url)
        for url in (
            reverse("gifts:received"),
            reverse("gifts:received_detail", args=[gift.pk]),
        )
    }


# --- the two people and the list ------------------------------------------


@pytest.fixture
def recipient() -> User:
    user = UserFactory(display_name=RECIPIENT_NAME, email=RECIPIENT_EMAIL)
    AddressFactory(user=user, is_default=True, **RECIPIENT_ADDRESS)
    return user


@pytest.fixture
def giver() -> User:
    user = UserFactory(display_name=GIVER_NAME, email=GIVER_EMAIL)
    AddressFactory(user=user, is_default=True, **GIVER_ADDRESS)
    return user


@pytest.fixture
def wishlist(recipient) -> WishList:
    return WishListFactory(
        owner=recipient,
        title="Our wedding",
        address=recipient.addresses.get(),
        visibility=WishList.Visibility.PUBLIC,
    )


@pytest.fixture
def item(wishlist) -> WishListItem:
    return WishListItemFactory(
        wishlist=wishlist, product=ProductFactory(name=ITEM_NAME, price=3000)
    )


@pytest.fixture
def make_gift(item, giver, django_capture_on_commit_callbacks):
    """Buy the item for the recipient; the confirmation email is sent."""

    def make(**options) -> Gift:
        with django_capture_on_commit_callbacks(execute=True):
            return give(item, giver=giver, message=GIFT_MESSAGE, **options)

    return make


@pytest.fixture
def ship(django_capture_on_commit_callbacks):
    """Ship the whole gift (the shipped email is sent), optionally deliver it."""

    def ship(gift: Gift, *, deliver: bool = True) -> Shipment:
        shipment = shop_services.create_shipment_for_remaining(
            order=gift.order, actor=None
        )
        with django_capture_on_commit_callbacks(execute=True):
            shop_services.mark_shipped(
                shipment=shipment, actor=None, tracking_number="TRACK-42"
            )
        if deliver:
            shop_services.mark_delivered(shipment=shipment, actor=None)
        return shipment

    return ship


@pytest.fixture
def thank(django_capture_on_commit_callbacks):
    def thank(gift: Gift) -> None:
        with django_capture_on_commit_callbacks(execute=True):
            gift_services.send_thank_you(
                gift=gift, recipient=gift.recipient, note="Thank you so much!"
            )

    return thank


@pytest.fixture
def return_and_credit(django_capture_on_commit_callbacks):
    def return_and_credit(gift: Gift) -> None:
        gift_return = ask_to_return(gift, reason="Already have one")
        with django_capture_on_commit_callbacks(execute=True):
            gift_services.receive_return(
                gift_return=gift_return, actor=UserFactory(is_staff=True)
            )

    return return_and_credit


# --- a control: the secrets are spelled the way pages render them ----------


@pytest.mark.parametrize(
    ("person", "address", "national_phone"),
    [
        ("recipient", RECIPIENT_ADDRESS, "090-1111-0000"),
        ("giver", GIVER_ADDRESS, "090-2222-0000"),
    ],
)
def test_each_person_sees_their_own_address_as_the_secrets_spell_it(
    client, request, person, address, national_phone
):
    client.force_login(request.getfixturevalue(person))

    text = page(client, reverse("shop:address_list"))

    for field in ("recipient_name", "line1", "postal_code", "city"):
        assert address[field] in text
    assert national_phone in text


def test_packing_staff_see_the_recipient_address_on_the_slip(
    staff_client, make_gift, ship
):
    shipment = ship(make_gift(), deliver=False)

    slip = page(staff_client, reverse("gifts:slip", args=[shipment.pk]))

    assert "RECIPIENT-STREET 1-1-1" in slip
    assert "901-0001" in slip
    assert format_money(3000) not in slip  # and no prices


# --- what the giver sees ---------------------------------------------------


@pytest.mark.parametrize("logged_in", [True, False], ids=["giver", "anonymous"])
def test_list_and_search_show_no_recipient_address(
    client, giver, wishlist, item, logged_in
):
    if logged_in:
        client.force_login(giver)
    shared = page(client, wishlist.get_share_url())
    found = page(client, reverse("wishlist:search") + "?name=Aiko")

    for text in (shared, found):
        assert "Aiko &amp; Ren" in text
        assert_absent(text, *RECIPIENT_SECRETS)
    assert ITEM_NAME in shared
    assert wishlist.get_share_url() in found


def test_gift_checkout_shows_only_the_recipient_name_and_region(
    client, giver, wishlist, item
):
    client.force_login(giver)
    checkout_url = reverse("gifts:checkout", args=[wishlist.share_token])
    added = client.post(
        reverse("gifts:buy", args=[item.wishlist.share_token, item.pk]), {"quantity": 1}
    )
    assert added.url == checkout_url

    form = page(client, checkout_url)
    assert "Aiko &amp; Ren" in form
    assert "Okinawa" in form
    assert_absent(form, *RECIPIENT_SECRETS)

    cart = Cart.objects.get(
        owner=giver, purpose=gift_services.gift_cart_purpose(wishlist=wishlist)
    )
    data = {
        "cart": cart.pk,
        "expected_total": expected_total(cart),
        "message": GIFT_MESSAGE,
        "shows_giver_name": "yes",
    }
    sent = client.post(checkout_url, data)
    hosted_url = sent["Location"]
    assert hosted_url.startswith("/payments/test/checkout/")
    # The provider's page knows the order's number and amount, nothing of
    # whom it is for.
    hosted = page(client, hosted_url)
    assert_absent(hosted, RECIPIENT_NAME, "Aiko", *RECIPIENT_SECRETS)

    declined = client.post(hosted_url, {"card_number": DECLINED_CARD})
    assert declined.status_code == 200
    declined_text = declined.content.decode()
    assert "declined" in declined_text
    assert_absent(declined_text, RECIPIENT_NAME, "Aiko", *RECIPIENT_SECRETS)

    placed = client.post(hosted_url, {"card_number": TEST_CARD}, follow=True)
    order = Gift.objects.get(giver=giver).order
    assert placed.redirect_chain[-1][0] == reverse("shop:order_detail", args=[order.pk])
    confirmation = placed.content.decode()
    assert "Aiko &amp; Ren" in confirmation
    assert "Okinawa" in confirmation
    assert_absent(confirmation, *RECIPIENT_SECRETS)


@pytest.mark.parametrize("delivered", [False, True], ids=["placed", "delivered"])
@pytest.mark.parametrize(
    "url_name", ["shop:order_detail", "shop:order_list", "gifts:sent"]
)
def test_giver_order_pages_show_no_recipient_address(
    client, giver, make_gift, ship, thank, url_name, delivered
):
    gift = make_gift()
    if delivered:
        ship(gift)
        thank(gift)
    client.force_login(giver)
    args = [gift.order.pk] if url_name == "shop:order_detail" else []

    text = page(client, reverse(url_name, args=args))

    assert ITEM_NAME in text
    assert_absent(text, *RECIPIENT_SECRETS)


def test_every_email_to_the_giver_is_free_of_the_recipient_address(
    giver, recipient, make_gift, ship, thank, return_and_credit
):
    gift = make_gift()
    ship(gift)
    thank(gift)
    return_and_credit(gift)

    to_giver = [m for m in mail.outbox if m.to == [giver.email]]
    confirmed, shipped, thanked = (m.subject for m in to_giver)
    assert confirmed == f"Your Hoshii order {gift.order.number} is confirmed"
    assert shipped == f"Your Hoshii order {gift.order.number} is on its way"
    assert thanked.endswith("sent you a thank-you note")
    for message in to_giver:
        assert_absent(email_text(message), *RECIPIENT_SECRETS)
    # The return is the recipient's business: the giver is not told.
    assert len(mail.outbox) == len(to_giver) + 1


def test_thank_you_subject_names_the_recipient_in_plain_text(
    giver, make_gift, ship, thank
):
    gift = make_gift()
    ship(gift)
    mail.outbox.clear()

    thank(gift)

    (thanked,) = mail.outbox
    assert thanked.subject == f"{RECIPIENT_NAME} sent you a thank-you note"


@pytest.mark.parametrize("delivered", [False, True], ids=["shipped", "delivered"])
def test_giver_cannot_open_the_gift_receipt(client, giver, make_gift, ship, delivered):
    shipment = ship(make_gift(), deliver=delivered)
    client.force_login(giver)

    response = client.get(reverse("gifts:slip", args=[shipment.pk]))

    assert response.status_code == 404


# --- what the recipient sees -----------------------------------------------


@pytest.mark.parametrize("discloses_address", [False, True])
def test_recipient_sees_the_giver_address_only_when_shared(
    client, recipient, wishlist, make_gift, ship, discloses_address
):
    gift = make_gift(discloses_address=discloses_address)
    shipment = ship(gift)
    client.force_login(recipient)

    detail = page(client, reverse("gifts:received_detail", args=[gift.pk]))
    others = [
        page(client, reverse("gifts:received")),
        page(client, reverse("gifts:slip", args=[shipment.pk])),
        page(client, reverse("wishlist:manage", args=[wishlist.pk])),
    ]

    assert GIVER_NAME in detail
    assert_absent(detail, GIVER_EMAIL, *GIVER_PHONE)
    if discloses_address:
        assert "GIVER-STREET 2-2-2" in detail
        assert "060-0002" in detail
    else:
        assert_absent(detail, *GIVER_ADDRESS_SECRETS)
    for text in others:
        assert_absent(text, GIVER_EMAIL, *GIVER_PHONE)
        if not discloses_address:
            assert_absent(text, *GIVER_ADDRESS_SECRETS)


def test_return_credited_email_and_page_show_no_giver_address(
    client, recipient, make_gift, ship, return_and_credit
):
    gift = make_gift()
    ship(gift)
    mail.outbox.clear()

    return_and_credit(gift)

    (credited,) = mail.outbox
    assert credited.to == [recipient.email]
    assert ITEM_NAME in credited.body
    assert_absent(email_text(credited), *GIVER_SECRETS)
    client.force_login(recipient)
    detail = page(client, reverse("gifts:received_detail", args=[gift.pk]))
    assert f"R-{gift.lines.get().returns.get().pk}" in detail
    assert_absent(detail, *GIVER_SECRETS)


def test_an_anonymous_giver_is_a_friend_on_every_recipient_page(
    client, recipient, make_gift, ship
):
    gift = make_gift(shows_giver_name=False)
    shipment = ship(gift)
    client.force_login(recipient)

    for url in (
        reverse("gifts:received"),
        reverse("gifts:received_detail", args=[gift.pk]),
        reverse("gifts:slip", args=[shipment.pk]),
    ):
        text = page(client, url)
        assert "from a friend" in text.lower(), url
        assert_absent(text, GIVER_NAME, *GIVER_SECRETS)


# --- surprise protection ---------------------------------------------------


@pytest.mark.parametrize("stage", ["placed", "shipped"])
def test_the_recipient_sees_no_item_or_giver_before_delivery(
    client, recipient, make_gift, ship, stage
):
    gift = make_gift()
    shipment = ship(gift, deliver=False) if stage == "shipped" else None
    client.force_login(recipient)

    for url, text in received_pages(client, gift).items():
        assert "A surprise is on its way" in text, url
        assert_absent(text, ITEM_NAME, GIVER_NAME, GIFT_MESSAGE, *GIVER_SECRETS)
    if shipment is not None:
        slip = client.get(reverse("gifts:slip", args=[shipment.pk]))
        assert slip.status_code == 404


def test_the_recipient_sees_item_and_giver_once_delivered(
    client, recipient, make_gift, ship
):
    gift = make_gift()
    ship(gift)
    client.force_login(recipient)

    for url, text in received_pages(client, gift).items():
        assert ITEM_NAME in text, url
        assert GIVER_NAME in text, url
        assert "A surprise is on its way" not in text, url


# --- the surprise holds at every door --------------------------------------
#
# Before delivery (or the list owner's reveal) nothing the recipient can reach
# names the item, the giver or the message: not support's pages, forms, case
# timeline or JSON, not an email. Afterwards they see it all, and get help.

SURPRISE_SECRETS = (ITEM_NAME, GIVER_NAME, GIFT_MESSAGE)


def _without_nonces(text: str) -> str:
    """A page with each request's own CSP nonce and CSRF token taken out."""
    return re.sub(r'(nonce|value)="[^"]*"', "", text)


def _revealed_stage(gift: Gift, stage: str, ship) -> None:
    if stage == "delivered":
        ship(gift)
    else:
        wishlist_services.reveal_wishlist(wishlist=gift.wishlist, actor=gift.recipient)


@pytest.mark.parametrize("stage", ["placed", "shipped"])
def test_no_page_json_or_email_shows_the_recipient_a_surprise(
    client, recipient, wishlist, make_gift, ship, stage
):
    gift = make_gift()
    shipment = ship(gift, deliver=False) if stage == "shipped" else None
    client.force_login(recipient)

    pages = {
        url: page(client, url)
        for url in (
            reverse("gifts:received"),
            reverse("gifts:received_detail", args=[gift.pk]),
            reverse("support:help"),
            reverse("shop:order_list"),
        )
    }
    for text in pages.values():
        assert_absent(text, *SURPRISE_SECRETS)
    assert "A surprise on its way" in pages[reverse("support:help")]
    # Their own list names the item (they chose it), but not that it was bought.
    for url in (
        reverse("wishlist:manage", args=[wishlist.pk]),
        wishlist.get_share_url(),
    ):
        text = page(client, url)
        assert_absent(text, "1 of 1 bought", "Bought — thank you!", GIVER_NAME)
    closed = [
        reverse("support:get_help", args=[gift.order_id]),
        reverse("shop:order_detail", args=[gift.order_id]),
    ]
    if shipment is not None:
        closed.append(reverse("gifts:slip", args=[shipment.pk]))
    for url in closed:
        response = client.get(url)
        assert response.status_code == 404, url
        assert_absent(response.content.decode(), *SURPRISE_SECRETS)
    to_recipient = [m for m in mail.outbox if recipient.email in m.to]
    for message in to_recipient:
        assert_absent(email_text(message), *SURPRISE_SECRETS)


def test_a_surprise_help_page_is_the_same_404_as_an_order_that_does_not_exist(
    client, recipient, make_gift
):
    gift = make_gift()
    client.force_login(recipient)

    surprise = client.get(reverse("support:get_help", args=[gift.order_id]))
    unknown = client.get(reverse("support:get_help", args=[gift.order_id + 1000]))

    assert surprise.status_code == unknown.status_code == 404
    assert _without_nonces(surprise.content.decode()) == _without_nonces(
        unknown.content.decode()
    )


def test_the_recipient_cannot_file_thank_or_return_on_a_surprise(
    client, recipient, make_gift
):
    """A crafted POST is refused by the services, not only hidden by pages."""
    gift = make_gift()
    client.force_login(recipient)
    line = gift.order.lines.get()

    filed = client.post(
        reverse("support:get_help", args=[gift.order_id]), help_form(gift.order)
    )
    with pytest.raises(NotYourLine):
        support_services.check_may_file(
            customer=recipient, order_line=line, problem="missing_item"
        )
    with pytest.raises(NotYourLine):
        support_services.file_case(
            customer=recipient, order_line=line, problem="missing_item"
        )
    thanked = client.post(
        reverse("gifts:thank", args=[gift.pk]), {"note": "Thanks!"}, follow=True
    )
    returned = client.post(
        reverse("gifts:return", args=[gift.pk]),
        {"line": gift.lines.get().pk, "kind": "return", "quantity": 1},
        follow=True,
    )

    assert filed.status_code == 404
    assert not Case.objects.exists()
    for response in (thanked, returned):
        assert response.status_code == 200
        assert "once your surprise has arrived" in response.content.decode()
        assert_absent(response.content.decode(), *SURPRISE_SECRETS)
    gift.refresh_from_db()
    assert gift.thanked_at is None
    assert not gift.lines.get().returns.exists()
    assert not [m for m in mail.outbox if m.subject.endswith("thank-you note")]


@pytest.mark.parametrize("stage", ["delivered", "revealed"])
def test_once_revealed_the_recipient_sees_it_everywhere_and_gets_help(
    client, recipient, make_gift, ship, stage
):
    gift = make_gift()
    _revealed_stage(gift, stage, ship)
    client.force_login(recipient)

    for url, text in received_pages(client, gift).items():
        assert ITEM_NAME in text, url
        assert GIVER_NAME in text, url
    assert GIFT_MESSAGE in page(
        client, reverse("gifts:received_detail", args=[gift.pk])
    )
    assert ITEM_NAME in page(client, reverse("support:help"))
    help_url = reverse("support:get_help", args=[gift.order_id])
    assert ITEM_NAME in page(client, help_url)

    filed = client.post(help_url, help_form(gift.order))

    case = Case.objects.get(customer=recipient)
    assert filed.url == case.get_absolute_url()
    assert ITEM_NAME in page(client, case.get_absolute_url())
    status = client.get(reverse("support:call_status", args=[case.pk]))
    assert status.status_code == 200


def test_a_revealed_gift_stays_revealed_when_protection_is_turned_back_on(
    client, recipient, make_gift
):
    """The recipient has seen the gift and filed a case naming it; the list's
    owner (the recipient) then turns surprise protection back on, or moves
    the date later: nothing becomes a surprise again, so nothing they have
    already read is taken away or contradicted."""
    wishlist = WishList.objects.get(owner=recipient)
    wishlist.surprise_protection = False
    wishlist.save()
    gift = make_gift()
    client.force_login(recipient)
    client.post(
        reverse("support:get_help", args=[gift.order_id]), help_form(gift.order)
    )
    case = Case.objects.get(customer=recipient)

    wishlist_services.update_wishlist(
        wishlist=wishlist,
        actor=recipient,
        surprise_protection=True,
        occasion_date=timezone.localdate() + datetime.timedelta(days=30),
    )

    assert WishList.objects.get(pk=wishlist.pk).is_revealed
    assert ITEM_NAME in page(client, case.get_absolute_url())
    assert client.get(reverse("support:call_status", args=[case.pk])).status_code == 200
    assert ITEM_NAME in page(client, reverse("gifts:received_detail", args=[gift.pk]))


def test_protection_turned_on_before_anything_was_bought_still_protects(
    recipient, wishlist
):
    wishlist.surprise_protection = False
    wishlist.save()
    wishlist_services.update_wishlist(
        wishlist=wishlist, actor=recipient, surprise_protection=True
    )
    assert WishList.objects.get(pk=wishlist.pk).revealed_at is None


# --- someone else's things are a 404 --------------------------------------


@pytest.mark.parametrize(
    "url_for",
    [
        lambda gift, shipment: reverse("gifts:received_detail", args=[gift.pk]),
        lambda gift, shipment: reverse("gifts:slip", args=[shipment.pk]),
        lambda gift, shipment: reverse("wishlist:manage", args=[gift.wishlist.pk]),
    ],
    ids=["received_detail", "slip", "manage"],
)
def test_another_user_gets_404_for_the_recipient_gift_and_list(
    client, recipient, make_gift, ship, url_for
):
    gift = make_gift()
    shipment = ship(gift)
    url = url_for(gift, shipment)
    client.force_login(recipient)
    assert client.get(url).status_code == 200

    client.force_login(UserFactory())

    assert client.get(url).status_code == 404


@pytest.mark.parametrize("viewer", ["stranger", "anonymous"])
def test_a_private_list_is_404_for_everyone_but_its_owner(
    client, recipient, wishlist, item, viewer
):
    wishlist.visibility = WishList.Visibility.PRIVATE
    wishlist.save()
    client.force_login(recipient)
    assert client.get(wishlist.get_share_url()).status_code == 200
    client.logout()
    if viewer == "stranger":
        client.force_login(UserFactory())

    assert client.get(wishlist.get_share_url()).status_code == 404
    if viewer == "stranger":
        checkout = reverse("gifts:checkout", args=[wishlist.share_token])
        assert client.get(checkout).status_code == 404
        buy = client.post(
            reverse("gifts:buy", args=[item.wishlist.share_token, item.pk]),
            {"quantity": 1},
        )
        assert buy.status_code == 404


@pytest.mark.parametrize(
    "visibility", [WishList.Visibility.UNLISTED, WishList.Visibility.PRIVATE]
)
def test_search_finds_only_public_lists(client, wishlist, visibility):
    hidden = WishListFactory(
        owner=wishlist.owner, title="SECRET-LIST-TITLE", visibility=visibility
    )

    found = page(client, reverse("wishlist:search") + "?name=Aiko")

    assert wishlist.get_share_url() in found
    assert_absent(found, "SECRET-LIST-TITLE", hidden.share_token)


# --- lists can't be found by walking ids -------------------------------------


@pytest.fixture
def hidden_list(request) -> WishList:
    """Someone else's unlisted or private list, with one item."""
    owner = UserFactory(display_name="HIDDEN-OWNER")
    AddressFactory(user=owner, is_default=True, region="東京都")
    hidden = WishListFactory(
        owner=owner,
        title="HIDDEN-LIST-TITLE",
        address=owner.addresses.get(),
        visibility=request.param,
    )
    WishListItemFactory(wishlist=hidden, product=ProductFactory(name="HIDDEN-ITEM"))
    return hidden


def _names_nothing_of(response, hidden: WishList) -> None:
    assert response.status_code == 404
    text = response.content.decode() + response.get("Location", "")
    assert_absent(
        text, hidden.share_token, "HIDDEN-OWNER", "HIDDEN-LIST-TITLE", "HIDDEN-ITEM"
    )
    assert_absent(text, "Tokyo", "東京")


@pytest.mark.parametrize(
    "hidden_list",
    [WishList.Visibility.UNLISTED, WishList.Visibility.PRIVATE],
    indirect=True,
)
def test_walking_item_ids_finds_no_unlisted_or_private_list(
    client, giver, wishlist, item, hidden_list
):
    """A giver who knows one list's link (``wishlist``) tries every item id:
    with that token, with a made-up one, and in the old id-only URL."""
    client.force_login(giver)
    hidden_item = hidden_list.items.get()
    first, last = item.pk, hidden_item.pk + 5

    ids = [item_id for item_id in range(first, last) if item_id != item.pk]

    def walk(urls) -> None:
        for url in urls:
            _names_nothing_of(client.get(url), hidden_list)
            _names_nothing_of(client.post(url, {"quantity": 1}), hidden_list)

    walk(f"/gifts/add/{item_id}/" for item_id in ids)  # the id-only URL of old
    for token in (wishlist.share_token, "made-up-token"):
        walk(reverse("gifts:buy", args=[token, item_id]) for item_id in ids)
    assert not Cart.objects.filter(owner=giver, lines__isnull=False).exists()


@pytest.mark.parametrize("hidden_list", [WishList.Visibility.UNLISTED], indirect=True)
def test_a_giver_with_the_link_buys_from_an_unlisted_list(client, giver, hidden_list):
    client.force_login(giver)
    hidden_item = hidden_list.items.get()
    shared = page(client, hidden_list.get_share_url())
    buy_url = reverse("gifts:buy", args=[hidden_list.share_token, hidden_item.pk])
    assert buy_url in shared

    response = client.post(buy_url, {"quantity": 1})

    assert response.url == reverse("gifts:checkout", args=[hidden_list.share_token])


@pytest.mark.parametrize(
    "hidden_list",
    [WishList.Visibility.UNLISTED, WishList.Visibility.PRIVATE],
    indirect=True,
)
@pytest.mark.parametrize(
    ("url_name", "of_item", "method"),
    [
        ("wishlist:manage", False, "get"),
        ("wishlist:edit", False, "get"),
        ("wishlist:edit", False, "post"),
        ("wishlist:delete", False, "post"),
        ("wishlist:reveal", False, "post"),
        ("wishlist:item_update", True, "post"),
        ("wishlist:item_move", True, "post"),
        ("wishlist:item_remove", True, "post"),
    ],
)
def test_every_id_in_a_list_url_is_looked_up_through_its_owner(
    client, giver, hidden_list, url_name, of_item, method
):
    """The other list and item URLs that take a sequential id: someone
    else's is a 404 that names nothing, and changes nothing."""
    client.force_login(giver)
    hidden_item = hidden_list.items.get()
    pk = hidden_item.pk if of_item else hidden_list.pk

    response = getattr(client, method)(reverse(url_name, args=[pk]), {"to": "up"})

    _names_nothing_of(response, hidden_list)
    hidden_list.refresh_from_db()
    assert hidden_list.revealed_at is None
    assert hidden_list.items.get() == hidden_item
