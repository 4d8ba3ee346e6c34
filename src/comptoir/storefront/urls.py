from django.contrib.auth import views as auth_views
from django.urls import include, path

from comptoir.storefront import (
    access_urls,
    account_urls,
    buying,
    company_urls,
    invoices,
    lists,
    quick_order,
    sales_rep_views,
    views,
)
from comptoir.storefront.forms import LoginForm

app_name = "storefront"
urlpatterns = [
    path("", views.home, name="home"),
    path("c/<slug:slug>/", views.category, name="category"),
    path("p/<path:sku>/", views.product, name="product"),
    path("search/", views.search, name="search"),
    path(
        "login/",
        auth_views.LoginView.as_view(
            template_name="storefront/login.html", authentication_form=LoginForm
        ),
        name="login",
    ),
    path("logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("cart/", buying.cart, name="cart"),
    path("cart/add/", buying.add_to_cart, name="cart_add"),
    path("cart/lines/<int:line_id>/quantity/", buying.change_line, name="cart_line_quantity"),
    path("cart/lines/<int:line_id>/remove/", buying.remove_line, name="cart_line_remove"),
    path("cart/coupons/", buying.add_coupon, name="cart_coupon_add"),
    path("cart/coupons/<str:code>/remove/", buying.remove_coupon, name="cart_coupon_remove"),
    path("shopping-lists/<int:shopping_list_id>/", buying.shopping_list, name="shopping_list"),
    path("lists/", lists.list_index, name="lists"),
    path("lists/new/", lists.list_create, name="list_create"),
    path("lists/<int:shopping_list_id>/", lists.list_detail, name="list"),
    path("lists/<int:shopping_list_id>/rename/", lists.list_rename, name="list_rename"),
    path("lists/<int:shopping_list_id>/delete/", lists.list_delete, name="list_delete"),
    path("lists/<int:shopping_list_id>/lines/add/", lists.list_line_add, name="list_line_add"),
    path(
        "lists/<int:shopping_list_id>/lines/transfer/",
        lists.list_lines_transfer,
        name="list_lines_transfer",
    ),
    path(
        "lists/<int:shopping_list_id>/add-to-cart/",
        lists.list_add_to_cart,
        name="list_add_to_cart",
    ),
    path("lists/<int:shopping_list_id>/order/", lists.list_order, name="list_order"),
    path("lists/lines/<int:line_id>/notes/", lists.list_line_notes, name="list_line_notes"),
    path(
        "lists/lines/<int:line_id>/move-to-cart/",
        lists.move_to_cart,
        name="list_move_to_cart",
    ),
    path(
        "cart/lines/<int:line_id>/save-for-later/",
        lists.save_for_later,
        name="cart_line_save_for_later",
    ),
    path("quick-order/", quick_order.quick_order, name="quick_order"),
    path("quick-order/add/", quick_order.add_quick_order, name="quick_order_add"),
    path(
        "quick-order/template.csv",
        quick_order.quick_order_template_csv,
        name="quick_order_template_csv",
    ),
    path(
        "quick-order/template.xlsx",
        quick_order.quick_order_template_xlsx,
        name="quick_order_template_xlsx",
    ),
    path("checkout/", buying.checkout, name="checkout"),
    path("checkout/review/", buying.checkout_review, name="checkout_review"),
    path("orders/", buying.orders, name="orders"),
    path("orders/<str:number>/", buying.order, name="order"),
    path(
        "orders/<str:number>/confirmation/", buying.order_confirmation, name="order_confirmation"
    ),
    path("orders/<str:number>/reorder/", buying.reorder, name="reorder"),
    path("orders/<str:number>/reorder/report/", lists.reorder_report, name="reorder_report"),
    path("orders/<str:number>/invoice/", invoices.invoice, name="invoice"),
    path("shop-as/<int:customer_user_id>/", sales_rep_views.shop_as, name="shop_as"),
    path("shop-as/stop/", sales_rep_views.stop_shopping_as, name="shop_as_stop"),
    # The company administration pages, the account pages and the access pages keep their
    # routes in modules of their own; they share the "storefront" namespace.
    path("", include(company_urls)),
    path("", include(account_urls)),
    path("", include(access_urls)),
]
