"""A sentence that ends with a value ending in its own full stop ("2:01
a.m.", a typed name) ends with one stop, in both languages, and nothing
inside a value is touched."""

import datetime

import pytest
from django.template import engines
from django.utils import timezone, translation
from django.utils.formats import time_format

from core.text import end_once, fill, then
from support import calls
from support.models import CaseEvent
from tests.shop.factories import UserFactory, deliver, placed_order
from tests.support.factories import customer_asks_for_call, file_question


def test_a_time_ending_with_a_stop_ends_the_sentence_once():
    with translation.override("en"):
        at = time_format(datetime.time(2, 1))
        assert at == "2:01 a.m."
        assert fill("We'll call you at %(due)s.", {"due": at}) == (
            "We'll call you at 2:01 a.m."
        )


@pytest.mark.parametrize(
    ("message", "value", "expected"),
    [
        ("Added it to %(list)s.", "Aiko & Ren.", "Added it to Aiko & Ren."),
        ("Added it to %(list)s.", "Aiko & Ren", "Added it to Aiko & Ren."),
        ("Added it to %(list)s.", "Wait...", "Added it to Wait..."),
        ("Added it to %(list)s.", "Really?", "Added it to Really?"),
        ("%(list)sに追加しました。", "結婚祝い。", "結婚祝い。に追加しました。"),
        ("「%(list)s」に追加しました。", "結婚祝い", "「結婚祝い」に追加しました。"),
        ("%(list)s. Then more.", "A.", "A. Then more."),
        ("%(list)s, then more.", "Mr.", "Mr., then more."),
    ],
)
def test_only_the_sentences_own_stop_after_a_value_goes(message, value, expected):
    assert fill(message, {"list": value}) == expected


def test_a_value_keeps_its_own_dots():
    assert fill("Note: %(note)s", {"note": "Hmm.. ok."}) == "Note: Hmm.. ok."


def test_rendered_sentences_lose_a_doubled_stop_but_keep_an_ellipsis():
    assert end_once("It opens Nov. 28, 9 a.m..") == "It opens Nov. 28, 9 a.m."
    assert end_once("From Haruto.。") == "From Haruto."
    assert end_once("Wait...") == "Wait..."
    assert end_once("It opens at 9:00.") == "It opens at 9:00."


def test_the_template_filter_ends_a_sentence_once_and_stays_escaped():
    template = engines["django"].from_string(
        "{% load sentences %}{% filter end_once %}From {{ name }}.{% endfilter %}"
    )
    assert template.render({"name": "<b>Haruto</b> a.m."}) == (
        "From &lt;b&gt;Haruto&lt;/b&gt; a.m."
    )


@pytest.mark.django_db
def test_the_case_timeline_says_the_call_time_with_one_stop():
    customer = UserFactory(phone="+819012345678")
    order = placed_order(customer)
    deliver(order)
    case = file_question(order.lines.get(), "Please call me about the lid.")
    callback = customer_asks_for_call(case)
    callback.due_at = timezone.make_aware(
        datetime.datetime(2026, 11, 28, 2, 1), timezone.get_default_timezone()
    )
    event = calls.record_call_change(
        case=case, callback=callback, new_state=callback.State.SCHEDULED, detail=""
    )
    assert event.body == "We'll call you at 2:01 a.m."
    assert CaseEvent.objects.filter(case=case, body__contains="a.m..").count() == 0


def test_two_sentences_follow_each_other_as_each_language_writes_them():
    with translation.override("en"):
        assert then("We are posting it.", "See online.") == (
            "We are posting it. See online."
        )
    with translation.override("ja"):
        assert then("お送りします。", "オンラインでもご覧いただけます。") == (
            "お送りします。オンラインでもご覧いただけます。"
        )
