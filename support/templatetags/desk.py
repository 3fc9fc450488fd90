"""``{% desk_banner %}``: on every admin page an agent sees, a banner while
a caller waits for an agent, kept current by static/js/desk.js."""

from django import template

from support import desk, selectors

register = template.Library()


@register.simple_tag(takes_context=True)
def may_use_desk(context) -> bool:
    """``{% may_use_desk as shown %}``: the desk's own rule, for the nav."""
    user = getattr(context.get("request"), "user", None)
    return user is not None and desk.may_use_desk(user)


@register.inclusion_tag("admin/support/desk_banner.html", takes_context=True)
def desk_banner(context) -> dict:
    request = context.get("request")
    user = getattr(request, "user", None)
    if user is None or not desk.may_use_desk(user):
        return {"shown": False}
    # The desk page counted them already; any other page asks.
    waiting = context.get("desk_waiting")
    if waiting is None:
        waiting = selectors.callers_waiting()
    return {
        "shown": True,
        "waiting": waiting,
        "message": desk.waiting_message(waiting),
        "poll_every": desk.POLL_EVERY_MS,
        # The phone queue is for those who may take calls (change cases).
        "may_take_calls": user.has_perm("support.change_case"),
    }
