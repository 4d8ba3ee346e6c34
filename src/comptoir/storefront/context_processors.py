import re

from django.conf import settings

from comptoir.accounts.models import Action, Resource
from comptoir.accounts.permissions import can
from comptoir.accounts.scoping import visible_to
from comptoir.ordering.models import ShoppingListLine
from comptoir.storefront.buyers import acting_customer_user, shows_prices

# A colour the stylesheet can take as it is: #rgb to #rrggbbaa, a name, or rgb()/hsl().
_CSS_COLOR = re.compile(r"#[0-9a-fA-F]{3,8}|[a-zA-Z]{3,30}|(rgb|hsl)a?\([0-9.,%/ ]+\)")
_FALLBACK_COLOR = "#1f5f8b"


def storefront(request):
    """The seller's brand and the acting buyer, for every template."""
    color = settings.COMPTOIR_PRIMARY_COLOR.strip()
    customer_user = acting_customer_user(request)

    def cart_line_count() -> int:
        # Called by the template only when the header is rendered, so the admin never pays it.
        lines = ShoppingListLine.objects.filter(
            shopping_list__is_current=True, shopping_list__customer_user=customer_user
        )
        return visible_to(customer_user, lines).count()

    def may_manage_users() -> bool:
        # Whether the header links to the company administration pages.
        return can(customer_user, Resource.USERS, Action.MANAGE_USERS)

    return {
        "shop_name": settings.COMPTOIR_SHOP_NAME,
        "shop_logo_url": settings.COMPTOIR_LOGO_URL,
        "shop_primary_color": color if _CSS_COLOR.fullmatch(color) else _FALLBACK_COLOR,
        "customer_user": customer_user,
        "shows_prices": shows_prices(request),
        "cart_line_count": cart_line_count,
        "may_manage_users": may_manage_users,
    }
