"""Pages open to every visitor whatever the access mode: "coming soon" during a pilot, and the
registration form through which a new company asks for an account."""

from django import forms
from django.conf import settings
from django.shortcuts import redirect, render
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_http_methods, require_safe

from comptoir.accounts.access import storefront_access
from comptoir.accounts.models import AccessMode, RegistrationRequest
from comptoir.accounts.registrations import REQUEST_FIELDS, submit_registration_request
from comptoir.core.errors import DomainError
from comptoir.storefront.access_middleware import public

# The field a refusal of the registration service is about, to show it beside that field.
FIELD_OF_ERROR = {
    "email_taken": "email",
    "company_exists": "company_name",
    "country_invalid": "country",
}


class RegistrationForm(forms.ModelForm):
    """What a new company tells about itself; the registration service judges it."""

    language = forms.ChoiceField(label=_("Language of our e-mails"), choices=settings.LANGUAGES)

    class Meta:
        model = RegistrationRequest
        fields = REQUEST_FIELDS
        labels = {
            "company_name": _("Company name"),
            "tax_id": _("Tax ID"),
            "first_name": _("First name"),
            "last_name": _("Last name"),
            "email": _("E-mail"),
            "phone": _("Phone"),
            "street": _("Street"),
            "city": _("City"),
            "region": _("Region or state"),
            "postal_code": _("Postal code"),
            "country": _("Country"),
            "message": _("Message"),
        }
        help_texts = {
            "email": _("You will log in with this address once the account is open."),
            "country": _("Two letters, as in US or FR."),
            "message": _("What your company buys, or anything we should know."),
        }
        widgets = {
            "email": forms.EmailInput(attrs={"autocomplete": "email"}),
            "phone": forms.TextInput(attrs={"autocomplete": "tel"}),
            "street": forms.TextInput(attrs={"autocomplete": "street-address"}),
            "postal_code": forms.TextInput(attrs={"autocomplete": "postal-code"}),
            "country": forms.TextInput(attrs={"autocomplete": "country", "size": 2}),
            "message": forms.Textarea(attrs={"rows": 4}),
        }


@public
@require_safe
def coming_soon(request):
    """The page shown during a pilot to guests and to users outside the pilot."""
    if storefront_access().mode != AccessMode.PILOT:
        return redirect("storefront:home")
    return render(request, "storefront/access/coming_soon.html")


@public
@require_http_methods(["GET", "HEAD", "POST"])
def register(request):
    """The form through which a new company asks for an account."""
    if request.method != "POST":
        form = RegistrationForm(initial={"language": get_language()})
        return render(request, "storefront/access/register.html", {"form": form})

    form = RegistrationForm(request.POST)
    if form.is_valid():
        try:
            submit_registration_request(**form.cleaned_data)
        except DomainError as error:
            form.add_error(FIELD_OF_ERROR.get(error.code), error.message)
        else:
            return redirect("storefront:registration_received")
    return render(request, "storefront/access/register.html", {"form": form})


@public
@require_safe
def registration_received(request):
    """Thanks for a registration request, and what happens next."""
    return render(request, "storefront/access/registration_received.html")
