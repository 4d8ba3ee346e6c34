from django.contrib.auth import views as auth_views
from django.urls import include, path

from comptoir.storefront import (
    access_urls,
    account_urls,
    buying,
    company_urls,
    invoices,
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
    path("checkout/", buying.checkout, name="checkout"),
    path("checkout/review/", buying.checkout_review, name="checkout_review"),
    path("orders/", buying.orders, name="orders"),
    path("orders/<str:number>/", buying.order, name="order"),
    path(
        "orders/<str:number>/confirmation/", buying.order_confirmation, name="order_confirmation"
    ),
    path("orders/<str:number>/reorder/", buying.reorder, name="reorder"),
    path("orders/<str:number>/invoice/", invoices.invoice, name="invoice"),
    path("shop-as/<int:customer_user_id>/", sales_rep_views.shop_as, name="shop_as"),
    path("shop-as/stop/", sales_rep_views.stop_shopping_as, name="shop_as_stop"),
    # The company administration pages, the account pages and the access pages keep their
    # routes in modules of their own; they share the "storefront" namespace.
    path("", include(company_urls)),
    path("", include(account_urls)),
    path("", include(access_urls)),
]
