"""A customer's data export: what it holds, what it never holds about anyone
else, who may download it and for how long, and that every step is safe to
run twice."""

import datetime
import io
import json
import re
import zipfile

import pytest
from django.contrib.auth.models import Group, Permission
from django.core import mail
from django.test import TestCase
from django.urls import reverse
from django.utils import timezone
from phonenumber_field.phonenumber import PhoneNumber

from core import submissions
from privacy import services
from privacy.models import DataRequest
from shop import services as shop_services
from support import services as support_services
from support.permissions import AGENT_GROUP
from tests.concurrency import post_together, run_together
from tests.double_submit import assert_same_result
from tests.gifts.factories import give
from tests.shop.factories import (
    AddressFactory,
    ProductFactory,
    UserFactory,
    deliver,
    placed_order,
    sign_in_staff,
)
from tests.support.factories import customer_asks_for_call, file_question
from tests.wishlist.factories import WishListFactory, WishListItemFactory
from wishlist.models import WishList

pytestmark = pytest.mark.django_db

DATA_PAGE = reverse("privacy:your_data")
ASK = reverse("privacy:request_export")


def ask(client) -> DataRequest:
    """The signed-in customer asks for their data, as the page's form does;
    the (eager) task builds it on commit, and emails the link."""
    with TestCase.captureOnCommitCallbacks(execute=True):
        response = client.post(ASK, {"submission": submissions.new_key()})
    assert response.status_code == 302
    assert response["Location"] == DATA_PAGE
    return DataRequest.objects.filter(kind="export").latest("pk")


def download(client, export: DataRequest) -> dict[str, str]:
    """The export's ZIP as its owner downloads it: each file's text."""
    response = client.get(reverse("privacy:download_export", args=[export.pk]))
    assert response.status_code == 200, response
    assert response["Content-Type"] == "application/zip"
    assert response["Content-Disposition"].startswith("attachment;")
    assert "no-store" in response["Cache-Control"]
    archive = zipfile.ZipFile(io.BytesIO(b"".join(response.streaming_content)))
    return {name: archive.read(name).decode() for name in archive.namelist()}


def export_of(user, client) -> tuple[dict, str, str]:
    """``user``'s export, asked for and downloaded: (data, index.html, both
    as one text to search)."""
    client.force_login(user)
    files = download(client, ask(client))
    assert set(files) == {"data.json", "index.html"}
    text = "\n".join(files.values())
    return json.loads(files["data.json"]), files["index.html"], text


# --- What it holds ------------------------------------------------------------


def test_the_export_holds_each_section_of_the_customers_data(client):
    customer = UserFactory(
        display_name="Mika Tanaka", phone="+819055550001", email="mika@example.com"
    )
    AddressFactory(user=customer, line1="MIKA-HOME-1-2-3", is_default=True)
    order = placed_order(customer, (ProductFactory(name="Blue kettle"), 2))
    case = file_question(order.lines.get(), "The lid does not close.")
    customer_asks_for_call(case, number=PhoneNumber.from_string("+819055550002"))
    shop_services.issue_store_credit(
        user=customer, amount=1200, reason="Goodwill for the lid", actor=None
    )
    wishlist = WishListFactory(owner=customer, title="Our new flat")
    WishListItemFactory(
        wishlist=wishlist, product=ProductFactory(name="Linen towels"), note="white"
    )
    gift = give(
        WishListItemFactory(product=ProductFactory(name="Rice cooker")),
        giver=customer,
        message="For your new home!",
    )
    received = give(
        WishListItemFactory(
            wishlist=WishListFactory(owner=customer, title="Birthday"),
            product=ProductFactory(name="Tea set"),
        ),
        giver=UserFactory(display_name="Kenji"),
        message="Happy birthday",
    )
    deliver(received.order)  # delivered: no longer a surprise

    data, html, _ = export_of(customer, client)

    assert data["profile"]["email"] == "mika@example.com"
    assert data["profile"]["display_name"] == "Mika Tanaka"
    assert data["profile"]["phone"] == "+819055550001"
    assert "MIKA-HOME-1-2-3" in [a["line1"] for a in data["addresses"]]

    mine = next(o for o in data["orders"] if o["number"] == order.number)
    assert mine["total"] == {"amount": order.total, "currency": order.currency}
    assert mine["lines"][0]["name"] == "Blue kettle"
    assert mine["lines"][0]["quantity"] == 2
    assert mine["ships_to"]["hidden_from_you"] is False
    assert datetime.datetime.fromisoformat(mine["placed_at"])  # ISO 8601

    (sent,) = data["gifts_sent"]
    assert sent["order_number"] == gift.order.number
    assert sent["message"] == "For your new home!"
    assert [i["name"] for i in sent["items"]] == ["Rice cooker"]
    gift_order = next(o for o in data["orders"] if o["number"] == gift.order.number)
    assert gift_order["ships_to"]["hidden_from_you"] is True
    assert gift_order["gift"]["message"] == "For your new home!"

    (got,) = data["gifts_received"]
    assert got["surprise"] is False
    assert got["from"] == "Kenji"
    assert got["message"] == "Happy birthday"
    assert [i["name"] for i in got["items"]] == ["Tea set"]

    lists = {w["title"]: w for w in data["wish_lists"]}
    assert [i["name"] for i in lists["Our new flat"]["items"]] == ["Linen towels"]
    assert lists["Our new flat"]["items"][0]["note"] == "white"

    (filed,) = data["cases"]
    assert filed["number"] == case.pk
    assert filed["description"] == "The lid does not close."
    assert any(e["kind_display"] == "Case filed" for e in filed["timeline"])
    (call,) = filed["calls"]
    assert call["number"] == "+819055550002"
    assert call["outcome"] == "scheduled"
    assert call["requested_at"] and call["due_at"]

    assert data["store_credit"]["balance"] == {"amount": 1200, "currency": "JPY"}
    assert data["store_credit"]["entries"][0]["reason"] == "Goodwill for the lid"

    # The readable page says the same, with nothing loaded from elsewhere.
    for shown in ("Mika Tanaka", "MIKA-HOME-1-2-3", "Blue kettle", "Linen towels"):
        assert shown in html
    assert "The lid does not close." in html
    assert not re.search(r"""(src|href)=["']?(https?:)?//""", html)
    assert "<script" not in html


def test_the_readable_page_is_escaped(client):
    customer = UserFactory(display_name="<script>alert(1)</script>")
    _, html, _ = export_of(customer, client)
    assert "<script>alert(1)" not in html
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html


def test_the_readable_page_is_in_the_customers_language(client):
    customer = UserFactory(language="ja")
    placed_order(customer)
    _, html, _ = export_of(customer, client)
    assert '<html lang="ja">' in html
    assert "注文" in html


# --- Nothing about other people -------------------------------------------------

RECIPIENT_STREET = "RECIPIENT-STREET-MARKER"
RECIPIENT_PHONE = "+819077770001"
GIVER_STREET = "GIVER-STREET-MARKER"
GIVER_NAME = "GIVER-NAME-MARKER"


def _gift_between():
    recipient = UserFactory(display_name="Aiko & Ren")
    home = AddressFactory(user=recipient, line1=RECIPIENT_STREET, phone=RECIPIENT_PHONE)
    wishlist = WishListFactory(owner=recipient, address=home)
    giver = UserFactory(display_name=GIVER_NAME, email="giver-marker@example.com")
    AddressFactory(user=giver, line1=GIVER_STREET, is_default=True)
    gift = give(
        WishListItemFactory(wishlist=wishlist),
        giver=giver,
        shows_giver_name=False,
        discloses_address=False,
    )
    deliver(gift.order)
    return gift


def test_a_givers_export_holds_nothing_of_where_the_recipient_lives(client):
    gift = _gift_between()
    # The order ships to the recipient's street and phone, hidden from the giver.
    assert gift.order.ship_to_line1 == RECIPIENT_STREET
    data, _, text = export_of(gift.giver, client)
    assert RECIPIENT_STREET not in text
    assert RECIPIENT_PHONE not in text
    assert RECIPIENT_PHONE.removeprefix("+81") not in text
    assert "150-0041" not in json.dumps(data["orders"])  # nor the postal code
    assert GIVER_STREET in text  # their own address book is theirs


def test_a_recipients_export_holds_nothing_the_giver_did_not_share(client):
    gift = _gift_between()
    data, _, text = export_of(gift.recipient, client)
    (received,) = data["gifts_received"]
    assert received["from"] == "A friend"
    assert received["from_address"] == ""
    assert GIVER_STREET not in text
    assert GIVER_NAME not in text
    assert "giver-marker@example.com" not in text
    assert gift.order.number not in text  # the giver's order, not theirs


def test_a_giver_who_shared_their_address_is_shown_with_it(client):
    recipient = UserFactory()
    giver = UserFactory(display_name="Kenji")
    AddressFactory(user=giver, line1="KENJI-SHARED-STREET", is_default=True)
    gift = give(
        WishListItemFactory(wishlist=WishListFactory(owner=recipient)),
        giver=giver,
        discloses_address=True,
    )
    deliver(gift.order)
    data, _, _ = export_of(recipient, client)
    assert "KENJI-SHARED-STREET" in data["gifts_received"][0]["from_address"]


def test_a_gift_still_a_surprise_stays_one_in_the_recipients_export(client):
    recipient = UserFactory()
    wishlist = WishListFactory(
        owner=recipient,
        occasion_date=timezone.localdate() + datetime.timedelta(days=30),
        surprise_protection=True,
    )
    assert not wishlist.is_revealed
    give(
        WishListItemFactory(
            wishlist=wishlist, product=ProductFactory(name="SURPRISE-ITEM")
        ),
        giver=UserFactory(display_name="Kenji"),
        message="SURPRISE-MESSAGE",
    )
    data, _, text = export_of(recipient, client)
    assert data["gifts_received"] == [
        {
            "surprise": True,
            "list": wishlist.title,
            "status_display": "Placed",
            "received_at": data["gifts_received"][0]["received_at"],
        }
    ]
    # (The item is on their own list, so its name is in "wish_lists".)
    assert "SURPRISE-ITEM" not in json.dumps(data["gifts_received"] + data["orders"])
    assert "SURPRISE-MESSAGE" not in text
    assert "Kenji" not in text
    # Nor what friends bought from the list before it is revealed.
    assert data["wish_lists"][0]["items"][0]["bought"] is None


# --- The link: the owner only, for a limited time ---------------------------------


def test_the_customer_is_emailed_a_link_that_only_works_for_them(client):
    customer = UserFactory()
    client.force_login(customer)
    export = ask(client)
    assert export.status == DataRequest.Status.DONE
    assert export.expires_at - export.finished_at == datetime.timedelta(days=7)

    (email,) = mail.outbox
    assert email.to == [customer.email]
    link = "http://127.0.0.1:8000" + reverse(
        "privacy:download_export", args=[export.pk]
    )
    assert link in email.body
    assert link in email.alternatives[0][0]

    client.logout()
    response = client.get(reverse("privacy:download_export", args=[export.pk]))
    assert response.status_code == 302  # signed out: to the login page
    assert reverse("account_login") in response["Location"]

    client.force_login(UserFactory())
    response = client.get(reverse("privacy:download_export", args=[export.pk]))
    assert response.status_code == 404

    client.force_login(UserFactory(is_staff=True, is_superuser=True))
    response = client.get(reverse("privacy:download_export", args=[export.pk]))
    assert response.status_code == 404

    client.force_login(customer)
    assert download(client, export)


def test_an_expired_link_says_so_and_offers_to_ask_again(client):
    customer = UserFactory()
    client.force_login(customer)
    export = ask(client)
    DataRequest.objects.filter(pk=export.pk).update(
        expires_at=timezone.now() - datetime.timedelta(seconds=1)
    )
    response = client.get(reverse("privacy:download_export", args=[export.pk]))
    assert response.status_code == 410
    page = response.content.decode()
    assert "This link has expired" in page
    assert f'action="{ASK}"' in page
    assert 'name="submission"' in page

    ask(client)
    assert DataRequest.objects.filter(user=customer).count() == 2


def test_the_file_is_kept_outside_the_public_media_folder(client, settings):
    customer = UserFactory()
    client.force_login(customer)
    export = ask(client)
    path = services.export_storage().path(export.file_name)
    assert path.startswith(str(settings.PRIVACY_EXPORT_ROOT))
    assert not path.startswith(str(settings.MEDIA_ROOT))


def test_the_account_page_leads_to_the_data_page(client):
    customer = UserFactory()
    client.force_login(customer)
    page = client.get(reverse("shop:profile")).content.decode()
    assert f'href="{DATA_PAGE}"' in page
    assert "Download my data" in page
    page = client.get(DATA_PAGE).content.decode()
    assert f'action="{ASK}"' in page


def test_the_data_page_follows_the_request(client):
    customer = UserFactory()
    client.force_login(customer)
    export = DataRequest.objects.create(
        user=customer, requested_by=customer, kind="export"
    )
    assert 'data-export-status="pending"' in client.get(DATA_PAGE).content.decode()
    services.build_export(request_id=export.pk)
    page = client.get(DATA_PAGE).content.decode()
    assert 'data-export-status="ready"' in page
    assert reverse("privacy:download_export", args=[export.pk]) in page


# --- Safe to repeat ------------------------------------------------------------


@pytest.mark.django_db(transaction=True)
def test_export_clicked_twice_at_once_is_one_request(client):
    customer = UserFactory()
    client.force_login(customer)
    key = submissions.new_key()
    responses = post_together(client, ASK, {"submission": key})
    assert assert_same_result(responses) == DATA_PAGE
    export = DataRequest.objects.get(user=customer)
    assert export.status == DataRequest.Status.DONE
    assert len(mail.outbox) == 1


@pytest.mark.django_db(transaction=True)
def test_a_staff_export_clicked_twice_at_once_is_one_request(client):
    staff = UserFactory(is_staff=True)
    staff.user_permissions.add(
        Permission.objects.get(codename="start_export"),
        Permission.objects.get(codename="view_datarequest"),
    )
    sign_in_staff(client, staff)
    customer = UserFactory(email="writes@example.com")
    form = {
        "customer": customer.email,
        "reason": "Letter REF-42",
        "submission": submissions.new_key(),
    }

    responses = post_together(client, START, form)

    assert_same_result(responses)
    export = DataRequest.objects.get(user=customer)
    assert (export.requested_by, export.reason) == (staff, "Letter REF-42")
    assert [email.to for email in mail.outbox] == [["writes@example.com"]]


@pytest.mark.django_db(transaction=True)
def test_two_export_requests_from_two_tabs_at_once_are_one_request():
    customer = UserFactory()
    # Two forms, two keys: the one-open-request constraint still makes one.
    results = run_together(
        [
            lambda key=key: services.request_export(
                user=customer, requested_by=customer, submission_key=key
            )
            for key in (submissions.new_key(), submissions.new_key())
        ]
    )
    assert not any(isinstance(result, BaseException) for result in results), results
    assert DataRequest.objects.filter(user=customer).count() == 1
    assert len(mail.outbox) == 1


def test_a_build_run_twice_builds_once_and_emails_once(
    django_capture_on_commit_callbacks, settings
):
    customer = UserFactory()
    with django_capture_on_commit_callbacks() as queued:
        export = services.request_export(user=customer, requested_by=customer)
    assert len(queued) == 1  # the build, not run yet

    built = services.build_export(request_id=export.pk)
    stamp = (built.finished_at, built.file_name)
    again = services.build_export(request_id=export.pk)
    assert (again.finished_at, again.file_name) == stamp
    services.email_export_ready(request_id=export.pk)
    services.email_export_ready(request_id=export.pk)
    assert len(mail.outbox) == 1
    assert len(list((settings.PRIVACY_EXPORT_ROOT / str(customer.pk)).iterdir())) == 1


def test_a_failed_build_is_marked_failed_and_can_be_asked_again(client, settings):
    # Where exports go is a file, not a folder: the build cannot write.
    settings.PRIVACY_EXPORT_ROOT.parent.mkdir(parents=True, exist_ok=True)
    settings.PRIVACY_EXPORT_ROOT.write_text("not a folder")
    customer = UserFactory()
    client.force_login(customer)
    export = ask(client)
    assert export.status == DataRequest.Status.FAILED
    assert not mail.outbox
    assert 'data-export-status="failed"' in client.get(DATA_PAGE).content.decode()

    settings.PRIVACY_EXPORT_ROOT.unlink()
    again = ask(client)
    assert again.pk != export.pk
    assert again.status == DataRequest.Status.DONE


# --- Staff and agents ----------------------------------------------------------

START = reverse("admin:privacy_datarequest_start_export")


def test_staff_export_needs_a_reason_and_is_recorded_and_mailed_to_the_customer(
    client,
):
    staff = UserFactory(is_staff=True, email="dpo@hoshii.example")
    staff.user_permissions.add(
        Permission.objects.get(codename="start_export"),
        Permission.objects.get(codename="view_datarequest"),
    )
    sign_in_staff(client, staff)
    customer = UserFactory(email="writes@example.com")

    response = client.post(
        START,
        {
            "customer": customer.email,
            "reason": "  ",
            "submission": submissions.new_key(),
        },
    )
    assert response.status_code == 200
    assert "This field is required." in response.content.decode()
    assert not DataRequest.objects.exists()

    key = submissions.new_key()
    form = {"customer": customer.email, "reason": "Letter REF-42", "submission": key}
    with TestCase.captureOnCommitCallbacks(execute=True):
        response = client.post(START, form)
    assert response.status_code == 302
    with TestCase.captureOnCommitCallbacks(execute=True):
        again = client.post(START, form)  # sent twice: one request
    assert again.status_code == 302
    export = DataRequest.objects.get()
    assert (export.user, export.requested_by, export.reason) == (
        customer,
        staff,
        "Letter REF-42",
    )
    assert export.by_staff
    assert [email.to for email in mail.outbox] == [["writes@example.com"]]

    changelist = client.get(reverse("admin:privacy_datarequest_changelist"))
    page = changelist.content.decode()
    assert "Letter REF-42" in page and "dpo@hoshii.example" in page
    assert export.file_name not in page
    change = client.get(
        reverse("admin:privacy_datarequest_change", args=[export.pk])
    ).content.decode()
    assert export.file_name not in change
    assert reverse("privacy:download_export", args=[export.pk]) not in change
    # Staff cannot download it either.
    response = client.get(reverse("privacy:download_export", args=[export.pk]))
    assert response.status_code == 404


def test_staff_are_told_when_the_customers_own_export_is_already_under_way(
    staff_client,
):
    customer = UserFactory()
    own = services.request_export(user=customer, requested_by=customer)
    response = staff_client.post(
        START,
        {
            "customer": customer.email,
            "reason": "Letter REF-7",
            "submission": submissions.new_key(),
        },
        follow=True,
    )
    assert f"already being prepared (#{own.pk})" in response.content.decode()
    assert list(DataRequest.objects.all()) == [own]
    assert own.reason == ""


def test_an_export_for_someone_unknown_is_a_form_error(staff_client):
    response = staff_client.post(
        START,
        {
            "customer": "nobody@example.com",
            "reason": "Letter",
            "submission": submissions.new_key(),
        },
    )
    assert response.status_code == 200
    assert "No customer has this email address." in response.content.decode()


def test_an_agent_can_neither_start_an_export_nor_read_one(client):
    customer = UserFactory()
    export = services.request_export(user=customer, requested_by=customer)
    agent = UserFactory(is_staff=True)
    agent.groups.add(Group.objects.get(name=AGENT_GROUP))
    sign_in_staff(client, agent)
    assert client.get(START).status_code == 403
    assert (
        client.get(reverse("admin:privacy_datarequest_changelist")).status_code == 403
    )
    response = client.get(reverse("privacy:download_export", args=[export.pk]))
    assert response.status_code == 404


def test_a_customers_own_request_needs_no_reason_but_staffs_does():
    customer = UserFactory()
    staff = UserFactory(is_staff=True)
    from privacy.exceptions import ReasonRequired

    with pytest.raises(ReasonRequired):
        services.request_export(user=customer, requested_by=staff, reason=" ")
    assert services.request_export(user=customer, requested_by=customer)


def test_a_case_reply_names_no_agent_in_the_export(client):
    customer = UserFactory()
    order = placed_order(customer)
    case = file_question(order.lines.get(), "Where is it?")
    agent = UserFactory(is_staff=True, display_name="AGENT-NAME-MARKER")
    support_services.reply(case=case, actor=agent, body="It left today.")
    data, _, text = export_of(customer, client)
    assert any(e["text"] == "It left today." for e in data["cases"][0]["timeline"])
    assert "AGENT-NAME-MARKER" not in text
    assert agent.email not in text


def test_the_list_ships_to_is_the_owners_own(client):
    owner = UserFactory()
    WishListFactory(owner=owner, visibility=WishList.Visibility.PUBLIC)
    data, _, _ = export_of(owner, client)
    assert data["wish_lists"][0]["ships_to"]["line1"]
