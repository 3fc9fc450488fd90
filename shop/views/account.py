"""The customer's profile, address book and language."""

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views import i18n
from django.views.decorators.http import require_POST

from core import submissions
from shop import selectors, services
from shop.forms import AddressForm, ProfileForm
from shop.models import Address


@login_required
def profile(request: HttpRequest) -> HttpResponse:
    form = ProfileForm(request.POST or None, instance=request.user)
    if request.method == "POST" and form.is_valid():
        services.update_profile(
            user=request.user,
            display_name=form.cleaned_data["display_name"],
            phone=form.cleaned_data["phone"],
        )
        messages.success(request, _("Your profile is saved."))
        return redirect("shop:profile")
    return render(
        request,
        "shop/profile.html",
        {
            "form": form,
            "section_templates": settings.SHOP_PROFILE_SECTION_TEMPLATES,
        },
    )


@login_required
def address_list(request: HttpRequest) -> HttpResponse:
    return render(
        request,
        "shop/address_list.html",
        {"addresses": selectors.address_book(user=request.user)},
    )


@login_required
def address_form(request: HttpRequest, pk: int | None = None) -> HttpResponse:
    address = get_object_or_404(Address, pk=pk, user=request.user) if pk else None
    form = AddressForm(request.POST or None, instance=address)
    key = submissions.key_from(request.POST) if request.method == "POST" else ""
    if request.method == "POST" and form.is_valid():
        fields = {name: form.cleaned_data[name] for name in Address.EDITABLE_FIELDS}
        services.save_address(
            user=request.user,
            address=address,
            make_default=form.cleaned_data["make_default"],
            submission_key=key,
            **fields,
        )
        messages.success(request, _("Address saved."))
        next_url = request.POST.get("next")
        if next_url == "checkout":
            return redirect("shop:checkout")
        return redirect("shop:address_list")
    return render(
        request,
        "shop/address_form.html",
        {
            "form": form,
            "address": address,
            "submission_key": key,
            "next": request.GET.get("next", request.POST.get("next", "")),
        },
    )


@login_required
@require_POST
def address_delete(request: HttpRequest, pk: int) -> HttpResponse:
    address = Address.objects.filter(pk=pk, user=request.user).first()
    if address is None:
        # The twin of a delete that has already committed: its result.
        if (
            submissions.deleted_by(actor_id=request.user.pk, model=Address, pk=pk)
            is None
        ):
            raise Http404
    else:
        services.delete_address(user=request.user, address=address)
    messages.success(request, _("Address deleted."))
    return redirect("shop:address_list")


@login_required
@require_POST
def address_make_default(request: HttpRequest, pk: int) -> HttpResponse:
    address = get_object_or_404(Address, pk=pk, user=request.user)
    services.set_default_address(user=request.user, address=address)
    messages.success(request, _("Default address changed."))
    return redirect("shop:address_list")


def set_language(request: HttpRequest) -> HttpResponse:
    """Django's language switch; a signed-in customer's choice is also kept
    on their account, so emails sent to them later are in that language."""
    response = i18n.set_language(request)
    if request.method == "POST" and request.user.is_authenticated:
        services.remember_language(
            user=request.user, language=request.POST.get("language", "")
        )
    return response
