"""Storefront forms: they read what the buyer typed; the buying services judge it."""

from django import forms
from django.contrib.auth.forms import AuthenticationForm, UsernameField
from django.db.models import QuerySet
from django.utils.translation import gettext_lazy as _

from comptoir.accounts.models import Address
from comptoir.accounts.throttling import client_address, current_lock
from comptoir.catalog.models import Product
from comptoir.ordering.services import CUSTOMER_NOTES_MAX_LENGTH
from comptoir.storefront.formats import read_quantity


class LoginForm(AuthenticationForm):
    username = UsernameField(
        label=_("Email"),
        widget=forms.EmailInput(attrs={"autofocus": True, "autocomplete": "email"}),
    )

    error_messages = {
        **AuthenticationForm.error_messages,
        # The e-mail is matched ignoring case; only the password is case-sensitive.
        "invalid_login": _(
            "This e-mail and password do not match an account. "
            "Check the password (it is case-sensitive) and try again."
        ),
    }

    def clean(self):
        try:
            return super().clean()
        except forms.ValidationError:
            # The authentication backend refuses a locked login; say so, and until when.
            login = self.cleaned_data.get("username") or ""
            lock = current_lock(login, client_address(self.request)) if login else None
            if lock is None:
                raise
            raise forms.ValidationError(lock.message(), code="locked") from None


class QuantityField(forms.CharField):
    """A quantity as typed, with the decimal comma of the buyer's language read as a point."""

    def to_python(self, value):
        return read_quantity(super().to_python(value))


class AddToCartForm(forms.Form):
    """Quantity and unit of one product; the service checks the unit and the precision."""

    sku = forms.CharField(max_length=64, widget=forms.HiddenInput)
    # Text of any length, not a number field: the quantity service explains a decimal comma, a
    # bad precision or a quantity too large better than a form error would.
    quantity = QuantityField(
        initial="1",
        widget=forms.TextInput(attrs={"inputmode": "decimal", "autocomplete": "off", "size": 6}),
    )
    unit = forms.CharField(max_length=20, widget=forms.Select)

    def __init__(self, *args, product: Product | None = None, **kwargs):
        super().__init__(*args, **kwargs)
        if product is not None:
            units = product.sellable_units()
            self.fields["unit"].widget.choices = [
                (pu.unit.code, pu.unit.label or pu.unit.code) for pu in units
            ]
            self.initial.setdefault("sku", product.sku)
            if units:
                self.initial.setdefault("unit", units[0].unit.code)


class LineQuantityForm(forms.Form):
    quantity = QuantityField()


class AddressChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, address: Address) -> str:
        heading = " · ".join(part for part in (address.label, address.name) if part)
        return f"{heading}: {address.one_line()}" if heading else address.one_line()


class CheckoutForm(forms.Form):
    shipping_address = AddressChoiceField(
        queryset=Address.objects.none(), widget=forms.RadioSelect, empty_label=None
    )
    billing_address = AddressChoiceField(
        queryset=Address.objects.none(), widget=forms.RadioSelect, empty_label=None
    )
    po_number = forms.CharField(label=_("PO number"), max_length=64, required=False)
    customer_notes = forms.CharField(
        label=_("Notes"),
        max_length=CUSTOMER_NOTES_MAX_LENGTH,
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
    )

    def __init__(self, *args, addresses: QuerySet[Address], **kwargs):
        super().__init__(*args, **kwargs)
        shipping = addresses.filter(is_shipping=True)
        billing = addresses.filter(is_billing=True)
        self.fields["shipping_address"].queryset = shipping
        self.fields["billing_address"].queryset = billing
        if "shipping_address" not in self.initial:
            default = shipping.filter(is_default_shipping=True).first() or shipping.first()
            self.initial["shipping_address"] = default.pk if default else None
        if "billing_address" not in self.initial:
            default = billing.filter(is_default_billing=True).first() or billing.first()
            self.initial["billing_address"] = default.pk if default else None
