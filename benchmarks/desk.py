"""The agents' desk under load: an agent signed in with their second
factor, 10,000 cases (one in ten open: some overdue, half the agent's) on
customers' orders, and callers waiting and calls due. The desk page and the
JSON it polls are requested in turn (benchmarks/agents.py); the case page
is one open case with a shift's worth of timeline (``worked_case``): the
customer's messages, replies and notes, a call that rang out and then went
through to an agent, and the parcel it came in, delivered."""

import datetime
from dataclasses import dataclass

from benchmarks.customers import make_shoppers, second_factor_used

CASES = 10_000
LINES_PER_ORDER = 30


@dataclass(frozen=True)
class Desk:
    session: str  # the agent's session key
    case_id: int  # the case the case page shows (``worked_case``)


def make_desk(products: list, *, cases: int = CASES) -> Desk:
    """The data above."""
    from django.contrib.auth.models import Group
    from django.utils import timezone

    from callbacks.models import CallbackRequest
    from shop.models import Order, OrderLine, User
    from support import calls
    from support.models import Case
    from support.permissions import AGENT_GROUP

    agent = make_shoppers(
        "desk-agent",
        1,
        phone_from=9_000_000,
        session=second_factor_used,
    )[0]
    User.objects.filter(pk=agent.user_id).update(is_staff=True)
    Group.objects.get(name=AGENT_GROUP).user_set.add(agent.user_id)

    already = Case.objects.count()  # the large shop's, loaded before
    problems = list(Case.Problem)
    # Every (line, problem) at most once: one open case each is allowed.
    order_count = -(-cases // (len(problems) * LINES_PER_ORDER))
    customers = make_shoppers("desk-customer", order_count, phone_from=9_100_000)
    stock = products[:LINES_PER_ORDER]
    orders = Order.objects.bulk_create(
        Order(
            buyer_id=customer.user_id, email=f"desk{index}@bench.test",
            currency="JPY", status=Order.Status.PLACED,
            subtotal=sum(p.price for p in stock), shipping_fee=0,
            total=sum(p.price for p in stock), ship_to_name="Desk Customer",
            ship_to_country="JP", ship_to_postal_code="150-0041",
            ship_to_region="JP-13", ship_to_city="渋谷区神南", ship_to_line1="1-2-3",
        )
        for index, customer in enumerate(customers)
    )  # fmt: skip
    lines = OrderLine.objects.bulk_create(
        OrderLine(
            order=order, product=product, sku=product.sku, name=product.name,
            unit_price=product.price, quantity=1,
        )
        for order in orders
        for product in stock
    )  # fmt: skip
    now = timezone.now()
    hour = datetime.timedelta(hours=1)
    combos = [(line, problem) for problem in problems for line in lines]
    made = Case.objects.bulk_create(
        Case(
            customer_id=line.order.buyer_id, order_id=line.order_id,
            order_line=line, problem=problem,
            status=Case.Status.NEW if index % 10 == 0 else Case.Status.RESOLVED,
            assigned_to_id=agent.user_id if index % 20 == 0 else None,
            first_response_due_at=now + (-hour if index % 30 == 0 else hour),
        )
        for index, (line, problem) in enumerate(combos[:cases])
    )  # fmt: skip
    open_cases = [case for case in made if case.status == Case.Status.NEW]
    CallbackRequest.objects.bulk_create(
        CallbackRequest(
            subject=calls.subject_for(case), number=f"+8190{9_200_000 + index:07d}",
            script="Hello", queue=calls.QUEUE,
            **(
                {"state": CallbackRequest.State.IN_PROGRESS, "due_at": now - hour,
                 "enqueued_at": now}
                if index % 2
                else {"state": CallbackRequest.State.SCHEDULED,
                      "due_at": now + datetime.timedelta(minutes=index % 30)}
            ),
        )
        for index, case in enumerate(open_cases[:40])
    )  # fmt: skip
    if (made_here := Case.objects.count() - already) != cases:
        raise RuntimeError(f"the desk made {made_here} cases, not {cases}")
    case = worked_case(open_cases[0], agent=User.objects.get(pk=agent.user_id))
    return Desk(session=agent.session, case_id=case.pk)


def worked_case(case, *, agent):
    """``case`` as an agent finds it halfway through: its order shipped and
    delivered in one parcel, the customer's messages and the agent's
    replies and notes, and a call that rang out once, was redialled, went
    through, waited and was taken by ``agent`` (each change written on the
    timeline as the callbacks app writes it)."""
    from django.utils import timezone

    from callbacks.models import CallbackEvent, CallbackRequest
    from shop import services as shop_services
    from support import calls, services

    State = CallbackRequest.State
    shipment = shop_services.create_shipment_for_remaining(order=case.order, actor=None)
    shop_services.mark_shipped(
        shipment=shipment, actor=None, carrier="Yamato", tracking_number="4455-6677"
    )
    shop_services.mark_delivered(shipment=shipment, actor=None)
    customer = case.customer
    for number in range(3):
        services.post_customer_message(
            case=case, customer=customer,
            body=f"Message {number}: the lid does not fit; photos attached.",
        )  # fmt: skip
        services.add_note(case=case, actor=agent, body=f"Checked the stock ({number}).")
        services.reply(
            case=case, actor=agent,
            body=f"Reply {number}: thank you, we are looking into it.",
        )  # fmt: skip
    now = timezone.now()
    callback = CallbackRequest.objects.create(
        subject=calls.subject_for(case), number=customer.phone, script="Hello",
        queue=calls.QUEUE, requested_by=customer, state=State.COMPLETED,
        due_at=now, attempts=2, call_sid="CA" + "1" * 32,
        agent_call_sid="CA" + "2" * 32, answered_by="human", claimed_by=agent,
        claimed_at=now, enqueued_at=now, bridged_at=now, ended_at=now,
    )  # fmt: skip
    steps = [
        ("", State.SCHEDULED), (State.SCHEDULED, State.DIALING),
        (State.DIALING, State.RINGING), (State.RINGING, State.SCHEDULED),
        (State.SCHEDULED, State.DIALING), (State.DIALING, State.RINGING),
        (State.RINGING, State.IN_PROGRESS), (State.IN_PROGRESS, State.COMPLETED),
    ]  # fmt: skip
    CallbackEvent.objects.bulk_create(
        CallbackEvent(
            callback=callback, from_state=before, to_state=after,
            detail=State.NO_ANSWER if after == State.SCHEDULED and before else "",
        )
        for before, after in steps
    )  # fmt: skip
    for _before, after in steps:
        calls.record_call_change(
            case=case, callback=callback, new_state=after, detail=""
        )
    calls.on_callback_claimed(sender=None, callback=callback, agent=agent)
    return case
