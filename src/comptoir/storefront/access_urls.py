"""Storefront routes open to every visitor: "coming soon" and the registration form."""

from django.urls import path

from comptoir.storefront import access_views

urlpatterns = [
    path("coming-soon/", access_views.coming_soon, name="coming_soon"),
    path("register/", access_views.register, name="register"),
    path(
        "register/received/",
        access_views.registration_received,
        name="registration_received",
    ),
]
