"""Storefront routes of the company administration section: see the views they name."""

from django.urls import path

from comptoir.storefront import company_views as views

urlpatterns = [
    path("company/users/", views.user_list, name="company_users"),
    path("company/users/<int:customer_user_id>/", views.user_edit, name="company_user"),
    path(
        "company/users/<int:customer_user_id>/disable/",
        views.user_disable,
        name="company_user_disable",
    ),
    path(
        "company/users/<int:customer_user_id>/enable/",
        views.user_enable,
        name="company_user_enable",
    ),
    path("company/roles/", views.role_list, name="company_roles"),
    path("company/roles/new/", views.role_create, name="company_role_create"),
    path("company/roles/<int:role_id>/", views.role_edit, name="company_role"),
    path("company/roles/<int:role_id>/delete/", views.role_delete, name="company_role_delete"),
    path("company/departments/", views.department_list, name="company_departments"),
    path(
        "company/departments/<int:department_id>/",
        views.department_edit,
        name="company_department",
    ),
    path(
        "company/departments/<int:department_id>/delete/",
        views.department_delete,
        name="company_department_delete",
    ),
    path("company/addresses/", views.address_list, name="company_addresses"),
    path("company/addresses/new/", views.address_create, name="company_address_create"),
    path("company/addresses/<int:address_id>/", views.address_edit, name="company_address"),
    path(
        "company/addresses/<int:address_id>/delete/",
        views.address_delete,
        name="company_address_delete",
    ),
    path("company/audit-log/", views.audit_log, name="company_audit_log"),
]
