"""Wish-list pages: the owner's lists, a giver's view, and search."""

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from core import pagecache, submissions
from core.fragments import render_fragment
from core.text import fill
from core.views import flash_form_errors, selected_or_404
from shop.exceptions import ShopError
from shop.models import Product
from wishlist import selectors, services
from wishlist.forms import AddToListForm, ItemForm, WishListForm
from wishlist.models import WishList, WishListItem


def _owned_list(request: HttpRequest, pk: int) -> WishList:
    return selected_or_404(WishList, selectors.owned_list, owner=request.user, pk=pk)


def _owned_or_deleted(request: HttpRequest, model, select, pk: int) -> tuple:
    """For a delete: ``(row, None)`` for the user's row, found by
    ``select``; ``(None, parent_id)`` for one they deleted in the last hour
    (the twin of their delete, answered with the first one's result; 0 when
    it had no parent); otherwise a 404, as for anyone's id."""
    try:
        return select(owner=request.user, pk=pk), None
    except model.DoesNotExist:
        pass
    parent_id = submissions.deleted_by(actor_id=request.user.pk, model=model, pk=pk)
    if parent_id is None:
        raise Http404
    return None, parent_id


def _owned_item(request: HttpRequest, pk: int) -> WishListItem:
    return selected_or_404(
        WishListItem, selectors.owned_item, owner=request.user, pk=pk
    )


def _searched_name(request: HttpRequest) -> str:
    return request.GET.get("name", "")[:80]


@login_required
def my_lists(request: HttpRequest) -> HttpResponse:
    """The person's own lists, and beside them the way to a friend's: the
    same search as "Find a list", answered on this page."""
    name = _searched_name(request)
    return render(
        request,
        "wishlist/my_lists.html",
        {
            "lists": selectors.lists_for_owner(owner=request.user),
            "name": name,
            "found": selectors.search_public_lists(name=name),
        },
    )


@login_required
def list_form(request: HttpRequest, pk: int | None = None) -> HttpResponse:
    wishlist = _owned_list(request, pk) if pk else None
    form = WishListForm(request.POST or None, instance=wishlist, owner=request.user)
    key = submissions.key_from(request.POST) if request.method == "POST" else ""
    if request.method == "POST" and form.is_valid():
        fields = {name: form.cleaned_data[name] for name in WishList.EDITABLE_FIELDS}
        try:
            if wishlist is None:
                wishlist = services.create_wishlist(
                    owner=request.user, submission_key=key, **fields
                )
            else:
                services.update_wishlist(
                    wishlist=wishlist, actor=request.user, **fields
                )
        except ShopError as error:
            form.add_error(None, error.message)
        else:
            messages.success(request, _("List saved."))
            return redirect(wishlist)
    return render(
        request,
        "wishlist/list_form.html",
        {"form": form, "wishlist": wishlist, "submission_key": key},
    )


@login_required
@require_POST
def list_delete(request: HttpRequest, pk: int) -> HttpResponse:
    wishlist, _parent = _owned_or_deleted(request, WishList, selectors.owned_list, pk)
    if wishlist is not None:
        try:
            services.delete_wishlist(wishlist=wishlist, actor=request.user)
        except ShopError as error:
            messages.error(request, error.message)
            return redirect(wishlist)
    messages.success(request, _("List deleted."))
    return redirect("wishlist:my_lists")


@login_required
def manage(request: HttpRequest, pk: int) -> HttpResponse:
    """The owner's page: edit, reorder and share. Purchases stay hidden
    while surprise protection holds."""
    wishlist = _owned_list(request, pk)
    items = [
        (item, ItemForm(instance=item, prefix=f"item-{item.pk}"))
        for item in selectors.manage_items(wishlist=wishlist)
    ]
    return render(
        request,
        "wishlist/manage.html",
        {
            "wishlist": wishlist,
            "items": items,
            "show_counts": selectors.shows_purchases(
                wishlist=wishlist, viewer=request.user
            ),
            "share_url": request.build_absolute_uri(wishlist.get_share_url()),
        },
    )


@login_required
@require_POST
def reveal(request: HttpRequest, pk: int) -> HttpResponse:
    wishlist = _owned_list(request, pk)
    services.reveal_wishlist(wishlist=wishlist, actor=request.user)
    messages.success(request, _("Surprise revealed: you can now see what was bought."))
    return redirect(wishlist)


@login_required
@require_POST
def item_add(request: HttpRequest, product_id: int) -> HttpResponse:
    product = get_object_or_404(Product, pk=product_id, is_active=True)
    form = AddToListForm(request.POST, owner=request.user)
    if not form.is_valid():
        flash_form_errors(request, form)
        return redirect(product)
    wishlist = form.cleaned_data["wishlist"]
    services.add_item(
        wishlist=wishlist,
        product=product,
        actor=request.user,
        quantity=form.cleaned_data["desired_quantity"],
        priority=form.cleaned_data["priority"],
        note=form.cleaned_data["note"],
        submission_key=submissions.key_from(request.POST),
    )
    messages.success(
        request,
        fill(
            _("Added %(product)s to %(list)s."),
            {"product": product.display_name, "list": wishlist.title},
        ),
    )
    return redirect(product)


@login_required
@require_POST
def item_update(request: HttpRequest, pk: int) -> HttpResponse:
    item = _owned_item(request, pk)
    form = ItemForm(request.POST, instance=item, prefix=f"item-{item.pk}")
    if form.is_valid():
        services.update_item(
            item=item,
            actor=request.user,
            desired_quantity=form.cleaned_data["desired_quantity"],
            priority=form.cleaned_data["priority"],
            note=form.cleaned_data["note"],
        )
        messages.success(request, _("Item saved."))
    else:
        flash_form_errors(request, form)
    return redirect(item.wishlist)


@login_required
@require_POST
def item_move(request: HttpRequest, pk: int) -> HttpResponse:
    item = _owned_item(request, pk)
    seen_at = request.POST.get("from", "")
    services.move_item(
        item=item,
        actor=request.user,
        up=request.POST.get("to") == "up",
        seen_at=int(seen_at) if seen_at.isdigit() else None,
    )
    return redirect(item.wishlist)


@login_required
@require_POST
def item_remove(request: HttpRequest, pk: int) -> HttpResponse:
    item, list_id = _owned_or_deleted(request, WishListItem, selectors.owned_item, pk)
    if item is not None:
        services.remove_item(item=item, actor=request.user)
        list_id = item.wishlist_id
    messages.success(request, _("Item removed."))
    return redirect("wishlist:manage", pk=list_id)


@pagecache.for_visitors("catalog", "wishlist:{token}")
def shared(request: HttpRequest, token: str) -> HttpResponse:
    """The list as givers see it. The owner's address is never on it."""
    wishlist = selected_or_404(
        WishList, selectors.shared_list, token=token, viewer=request.user
    )
    is_owner = request.user.is_authenticated and request.user.pk == wishlist.owner_id
    # The owner previewing their own link must not see the counts while the
    # surprise holds.
    show_counts = selectors.shows_purchases(wishlist=wishlist, viewer=request.user)
    # Evaluated only when the grid is not in the cache.
    items = selectors.list_items(wishlist=wishlist, for_owner=is_owner)
    shown = selectors.list_items_shown(wishlist=wishlist, for_owner=is_owner)
    action_templates = tuple(settings.WISHLIST_ITEM_ACTION_TEMPLATES)
    # The items are most of the page's rendering: cached, keyed on what they
    # show (their order included), with each request's own CSRF token.
    grid = shown and render_fragment(
        request,
        "wishlist/includes/items.html",
        lambda: {
            "items": items,
            "is_owner": is_owner,
            "show_counts": show_counts,
            "item_action_templates": action_templates,
        },
        # The token is in the grid's "Buy as a gift" links.
        shown=(wishlist.share_token, is_owner, show_counts, tuple(shown)),
    )
    return render(
        request,
        "wishlist/shared.html",
        {
            "wishlist": wishlist,
            "grid": grid,
            "is_owner": is_owner,
            "show_counts": show_counts,
        },
    )


def search(request: HttpRequest) -> HttpResponse:
    name = _searched_name(request)
    return render(
        request,
        "wishlist/search.html",
        {"name": name, "found": selectors.search_public_lists(name=name)},
    )
