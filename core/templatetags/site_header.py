"""``{% site_header %}``: the header every page shows, from the cache.

About twenty links and labels, the same for everyone who is signed in (or
not) and staff (or not) in a language: rendered once (``core.fragments``)
rather than on every page. Nothing personal is in the cached text: the
customer's name and cart count are filled in on each serving, as are the
search box's text, the page to come back to after changing the language
and the CSRF token in its forms.
"""

from django import template
from django.template.loader import render_to_string
from django.utils.safestring import SafeString

from core.fragments import render_fragment

register = template.Library()

TEMPLATE = "includes/header.html"


@register.simple_tag(takes_context=True)
def site_header(context: template.Context) -> SafeString:
    user = context.get("user")
    signed_in = bool(user is not None and user.is_authenticated)
    shown = {"signed_in": signed_in, "is_staff": bool(signed_in and user.is_staff)}
    cart_count = context.get("cart_count", "")
    if callable(cart_count):  # the context processor's, read only when shown
        cart_count = cart_count()
    request = context.get("request")
    per_request = {
        "short_name": user.get_short_name() if signed_in else "",
        "cart_count": str(cart_count),
        "query": context.get("query") or "",
        "next": request.get_full_path() if request is not None else "",
    }
    if request is None:  # rendered outside a request: nothing to cache for
        return render_to_string(
            TEMPLATE,
            {**shown, "per_request": per_request,
             "csrf_token": context.get("csrf_token")},
        )  # fmt: skip
    return render_fragment(
        request,
        TEMPLATE,
        shown,
        shown=tuple(shown.items()),
        per_request=per_request,
    )
