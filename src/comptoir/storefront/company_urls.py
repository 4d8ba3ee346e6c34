"""Storefront routes: see the views they name."""

urlpatterns: list = []
