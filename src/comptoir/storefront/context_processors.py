from django.conf import settings


def storefront(request):
    """The seller's brand, for every template."""
    return {
        "shop_name": settings.COMPTOIR_SHOP_NAME,
        "shop_logo_url": settings.COMPTOIR_LOGO_URL,
        "shop_primary_color": settings.COMPTOIR_PRIMARY_COLOR,
    }
