from django.contrib import admin
from django.urls import include, path

from comptoir.api.urls import api

urlpatterns = [
    path("admin/", admin.site.urls),
    path("api/v1/", api.urls),
    # Django's set_language view: the storefront's language switcher posts to it.
    path("i18n/", include("django.conf.urls.i18n")),
    path("", include("comptoir.storefront.urls")),
]
