"""The "Support agent" group: exactly what agents need, kept in step with
every migrate so production has it without demo data."""

from django.contrib.auth.models import Group, Permission

AGENT_GROUP = "Support agent"

AGENT_PERMISSIONS = {
    "support": [
        "view_case", "change_case", "view_caseevent",
        "view_macro", "add_macro", "change_macro", "delete_macro",
    ],
    "shop": [
        "view_order", "view_orderline", "view_shipment", "view_payment",
        "view_paymentevent", "view_refund", "view_product", "view_user",
        "view_address",
        "view_storecreditaccount", "view_storecreditentry",
    ],
    "gifts": ["view_gift", "view_giftline", "view_giftreturn", "change_giftreturn"],
}  # fmt: skip


def ensure_agent_group(**kwargs) -> Group:
    """Create or correct the group; connected to ``post_migrate``."""
    group, _created = Group.objects.get_or_create(name=AGENT_GROUP)
    wanted = Permission.objects.filter(
        content_type__app_label__in=AGENT_PERMISSIONS,
        codename__in=[code for codes in AGENT_PERMISSIONS.values() for code in codes],
    )
    group.permissions.set(wanted)
    return group
