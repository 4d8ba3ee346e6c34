from django.apps import AppConfig


class IntegrationConfig(AppConfig):
    name = "comptoir.integration"
    label = "integration"
