"""``{% call_alarm_banner %}``: a banner on staff pages while the shop's
hourly call cap is refusing requests."""

from django import template

from callbacks import selectors

register = template.Library()


@register.inclusion_tag("callbacks/includes/alarm_banner.html")
def call_alarm_banner() -> dict:
    return {"alarms": list(selectors.active_alarms())}
