from django.apps import AppConfig


class StorefrontConfig(AppConfig):
    name = "comptoir.storefront"
    label = "storefront"
