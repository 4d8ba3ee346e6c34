"""Warehouses and the stock each holds of each product, as the ERP last said."""

from decimal import Decimal

from django.db import models


class Warehouse(models.Model):
    code = models.CharField(max_length=30, unique=True, help_text="The ERP's code: MAIN.")
    name = models.CharField(max_length=100)
    is_active = models.BooleanField("active", default=True)

    class Meta:
        ordering = ["code"]

    def __str__(self):
        return self.code


class StockLevel(models.Model):
    """How much of a product a warehouse holds, in the product's primary unit."""

    product = models.ForeignKey(
        "catalog.Product", on_delete=models.CASCADE, related_name="stock_levels"
    )
    warehouse = models.ForeignKey(Warehouse, on_delete=models.CASCADE, related_name="stock")
    quantity = models.DecimalField(max_digits=14, decimal_places=3, default=Decimal(0))
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["product", "warehouse"]
        constraints = [
            models.UniqueConstraint(fields=["product", "warehouse"], name="stock_level_unique")
        ]

    def __str__(self):
        return f"{self.product_id} at {self.warehouse_id}: {self.quantity}"
