"""Demo data: the support agent group, second factors for staff, and cases
in several states for the agent to work."""

import datetime

from allauth.mfa.adapter import get_adapter
from allauth.mfa.models import Authenticator
from django.utils import timezone

from gifts.models import Gift
from shop.demo import demo_user
from shop.models import Order
from support import services
from support.models import Case, Macro
from support.permissions import ensure_agent_group

# Printed by seed_demo so the demo staff can sign in: add it to any
# authenticator app, or compute a code from it. Demo data only.
DEMO_TOTP_SECRET = "JBSWY3DPEHPK3PXPHOSHIIDEMOAGENT2"  # noqa: S105


def seed(stdout) -> None:
    group = ensure_agent_group()
    agent = demo_user("agent")
    agent.groups.add(group)
    for staff in (agent, demo_user("admin")):
        Authenticator.objects.get_or_create(
            user=staff,
            type=Authenticator.Type.TOTP,
            defaults={"data": {"secret": get_adapter().encrypt(DEMO_TOTP_SECRET)}},
        )
    if not Case.objects.exists():
        _cases(agent)
    _macros()
    stdout.write(
        f"Support: {Case.objects.count()} cases; staff TOTP secret {DEMO_TOTP_SECRET}"
    )


# Canned replies for the case page, in English and Japanese.
DEMO_MACROS = [
    (
        "Where is my parcel",
        "Hi {customer_name}, thanks for your patience. Your {item} from order "
        "{order} is on its way and should arrive {eta}. Reply here if it "
        "hasn't come by then.",
        "{customer_name}様、お待たせしております。ご注文{order}の{item}は"
        "配送中で、お届けは{eta}の予定です。届かない場合はこちらにご返信ください。",
    ),
    (
        "Replacement on its way",
        "Hi {customer_name}, we're sorry about your {item}. We've sent a "
        "replacement free of charge; it should arrive {eta}. There's no need "
        "to send the first one back.",
        "{customer_name}様、{item}の件、大変申し訳ございません。代わりの品を"
        "無料でお送りしました。お届けは{eta}の予定です。最初の品の返送は不要です。",
    ),
    (
        "All sorted",
        "Hi {customer_name}, thanks for your patience with your {item} (order "
        "{order}). We're marking this as sorted; reply here any time if "
        "something still isn't right.",
        "{customer_name}様、{item}（ご注文{order}）の件、ご辛抱いただき"
        "ありがとうございました。こちらで解決済みとさせていただきます。"
        "問題が残っている場合は、いつでもこちらにご返信ください。",
    ),
]


def _macros() -> None:
    for position, (title, body_en, body_ja) in enumerate(DEMO_MACROS):
        Macro.objects.get_or_create(
            title=title,
            defaults={"body_en": body_en, "body_ja": body_ja, "position": position},
        )


def _cases(agent) -> None:
    shopper = demo_user("shopper")
    order = (
        Order.objects.filter(buyer=shopper, gift__isnull=True).order_by("pk").first()
    )
    lines = {line.sku: line for line in order.lines.all()}
    # New, unassigned and overdue: the printer stopped working.
    printer = services.file_case(
        customer=shopper,
        order_line=lines["ELE-002"],
        problem=Case.Problem.DEFECTIVE,
        description="It feeds the paper but prints nothing since yesterday.",
    )
    Case.objects.filter(pk=printer.pk).update(
        first_response_due_at=timezone.now() - datetime.timedelta(hours=2)
    )
    # Assigned and answered, waiting for the customer.
    other_line = next(line for sku, line in lines.items() if not sku.startswith("ELE"))
    question = services.file_case(
        customer=shopper,
        order_line=other_line,
        problem=Case.Problem.OTHER,
        description="How should I care for this? There was no leaflet.",
    )
    services.assign_case(case=question, agent=agent, actor=agent)
    services.reply(
        case=question,
        actor=agent,
        body="Thanks for asking! The care notes are on the product page under "
        "the description; reply here if anything is unclear.",
    )
    # A gift the couple received, with a defect: theirs to report.
    gift = Gift.objects.filter(recipient=demo_user("couple")).order_by("pk").first()
    services.file_case(
        customer=gift.recipient,
        order_line=gift.lines.first().order_line,
        problem=Case.Problem.DEFECTIVE,
        description="One of the two mugs has a hairline crack along the handle.",
    )
