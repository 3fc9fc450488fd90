"""Support cases for tests: filed through the services as a customer files
them, or (``CaseFactory``) written straight to the table when a test needs a
bare case that no rule has looked at."""

import factory
from django.utils import timezone

from callbacks.models import CallbackRequest
from shop.models import Order, OrderLine
from support import services
from support.models import Case
from tests.shop.factories import placed_order


class CaseFactory(factory.django.DjangoModelFactory):
    """A case on the (only) line of a new order, with no timeline and no
    remedy: what is left when the filing rules are not the point."""

    class Meta:
        model = Case

    order = factory.LazyFunction(placed_order)
    customer = factory.SelfAttribute("order.buyer")
    order_line = factory.LazyAttribute(lambda case: case.order.lines.get())
    problem = Case.Problem.OTHER
    first_response_due_at = factory.LazyFunction(timezone.now)


def file_question(order_line: OrderLine, description: str) -> Case:
    """The line's buyer files "Something else" with ``description``: a case
    that waits for an agent, since no rule settles a question by itself."""
    return services.file_case(
        customer=order_line.order.buyer,
        order_line=order_line,
        problem=Case.Problem.OTHER,
        description=description,
    )


def customer_asks_for_call(
    case: Case, *, later: bool = True, number=None, submission_key: str = ""
) -> CallbackRequest:
    """The case's customer asks for a call in English, in five minutes unless
    ``later`` is false, on their own phone unless ``number`` is given."""
    return services.ask_for_call(
        case=case,
        customer=case.customer,
        number=number or case.customer.phone,
        later=later,
        language="en",
        submission_key=submission_key,
    )


def help_form(
    order: Order,
    *,
    problem: str = Case.Problem.MISSING_ITEM,
    contact: str = Case.Contact.MESSAGE,
    **fields,
) -> dict:
    """The "Get help" form as a customer sends it about the order's (only)
    line, one unit; ``fields`` add to or replace what they filled in."""
    return {
        "line": order.lines.get().pk,
        "problem": problem,
        "quantity": 1,
        "contact": contact,
        **fields,
    }
