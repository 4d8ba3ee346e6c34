"""The headless API under ``/api/v1``: each app's ``api.py`` router, assembled in one place.

The OpenAPI 3.1 document is at ``/api/v1/openapi.json`` and the docs page at ``/api/v1/docs``.
"""

from django.urls import re_path
from ninja import NinjaAPI
from ninja.operation import Operation

from comptoir.accounts.api import router as accounts_router
from comptoir.accounts.company_api import router as company_router
from comptoir.accounts.security_api import router as security_router
from comptoir.api.auth import token_auth
from comptoir.api.errors import install_error_handlers, json_method_not_allowed, unknown_endpoint
from comptoir.api.formats import DecimalJsonParser
from comptoir.catalog.api import router as catalog_router
from comptoir.integration.erp_api import router as erp_router
from comptoir.integration.erp_entities_api import router as erp_entities_router
from comptoir.integration.erp_orders_api import router as erp_orders_router
from comptoir.invoicing.api import router as invoicing_router
from comptoir.ordering.api import router as ordering_router
from comptoir.ordering.lists_api import router as lists_router
from comptoir.ordering.quick_order_api import router as quick_order_router
from comptoir.pricing.api import router as pricing_router
from comptoir.promotions.api import router as promotions_router

DESCRIPTION = """\
Everything a buyer does in the storefront, for integrations: browse the catalog with the
company's negotiated prices, fill the cart, place orders on account, read the order history
and reorder.

Authenticate with a customer user's token, made with `comptoir token create EMAIL`, in the
header `Authorization: Bearer TOKEN`. The catalog can be read without a token (prices are then
hidden unless the shop shows them to guests).

Money and quantities are JSON strings holding decimals (`"94.99"`, `"12"`), never floats.
Quantities may be sent as a string or a number, with a decimal point.

Every error is JSON: `{"detail": "...", "code": "..."}`, where `detail` says what to change and
`code` is stable for programs to test.
"""


class ComptoirAPI(NinjaAPI):
    """A NinjaAPI whose unknown paths and wrong methods also answer with a JSON error."""

    @property
    def urls(self) -> tuple[list, str, str]:
        patterns, app_name, namespace = super().urls
        for pattern in patterns:
            pattern.callback = json_method_not_allowed(pattern.callback)
        catch_all = re_path(r"", unknown_endpoint, name="unknown-endpoint")
        return [*patterns, catch_all], app_name, namespace

    def get_openapi_operation_id(self, operation: Operation) -> str:
        # Generated clients name their methods after these: list_products, not a module path.
        return operation.view_func.__name__


api = ComptoirAPI(
    title="Comptoir API",
    version="1",
    description=DESCRIPTION,
    auth=token_auth,
    parser=DecimalJsonParser(),
)
install_error_handlers(api)
api.add_router("", catalog_router, tags=["catalog"])
api.add_router("", accounts_router, tags=["account"])
# Before the buying routes: "/cart/lines/bulk" is not the line "bulk" of "/cart/lines/{line_id}".
api.add_router("", quick_order_router, tags=["buying"])
api.add_router("", ordering_router, tags=["buying"])
api.add_router("", lists_router, tags=["shopping lists"])
api.add_router("", invoicing_router, tags=["buying"])
api.add_router("", pricing_router, tags=["pricing"])
api.add_router("", erp_router, tags=["ERP"])
api.add_router("", erp_orders_router, tags=["ERP"])
# After the other ERP routes: "/erp/{entity}" would take "/erp/prices" for an entity.
api.add_router("", erp_entities_router, tags=["ERP"])
api.add_router("", promotions_router, tags=["buying"])
api.add_router("", company_router, tags=["company administration"])
api.add_router("", security_router, tags=["account security"])
