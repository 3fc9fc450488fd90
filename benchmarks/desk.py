"""The agents' desk home under load: an agent signed in with their second
factor, 10,000 cases (one in ten open: some overdue, half the agent's) on
customers' orders, and callers waiting and calls due. The desk page and the
JSON it polls are requested in turn (benchmarks/wrk/desk.lua)."""

import datetime

from benchmarks.customers import make_shoppers, second_factor_used

CASES = 10_000
LINES_PER_ORDER = 30


def make_desk(products: list, *, cases: int = CASES) -> str:
    """The data above; returns the agent's session key."""
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
            ship_to_region="東京都", ship_to_city="渋谷区神南", ship_to_line1="1-2-3",
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
    return agent.session
