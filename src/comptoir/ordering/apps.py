from django.apps import AppConfig


class OrderingConfig(AppConfig):
    name = "comptoir.ordering"
    label = "ordering"
