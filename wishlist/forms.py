from django import forms
from django.utils.translation import gettext_lazy as _

from shop.models import User
from wishlist.models import WishList, WishListItem


class WishListForm(forms.ModelForm):
    class Meta:
        model = WishList
        fields = WishList.EDITABLE_FIELDS
        widgets = {
            "occasion_date": forms.DateInput(attrs={"type": "date"}),
            "visibility": forms.RadioSelect,
            "description": forms.Textarea(attrs={"rows": 3}),
        }

    def __init__(self, *args, owner: User, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.fields["address"].queryset = owner.addresses.all()
        self.fields["address"].empty_label = _("Choose later")


class ItemForm(forms.ModelForm):
    class Meta:
        model = WishListItem
        fields = ["desired_quantity", "priority", "note"]
        widgets = {"desired_quantity": forms.NumberInput(attrs={"min": 1, "max": 99})}

    def clean_desired_quantity(self) -> int:
        quantity = self.cleaned_data["desired_quantity"]
        if not 1 <= quantity <= 99:
            raise forms.ValidationError(_("Choose between 1 and 99."))
        return quantity


class AddToListForm(ItemForm):
    wishlist = forms.ModelChoiceField(
        label=_("List"),
        queryset=WishList.objects.none(),
        empty_label=None,
        error_messages={"invalid_choice": _("Choose one of your lists.")},
    )

    class Meta(ItemForm.Meta):
        fields = ["wishlist", "desired_quantity", "priority", "note"]

    def __init__(self, *args, owner: User, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.fields["wishlist"].queryset = owner.wishlists.all()
