"""Who sees which part of the catalog: visibility settings per product and per category.

A setting says "visible" or "hidden" for one of three audiences: everyone, the companies of a
customer group, or one company (and its subsidiaries, unless a subsidiary has a setting of its
own). No setting means "as the next rule says"; the rules, nearest first:

1. the product's own settings: for the company, then for its parent companies going up, then
   for the company's customer group, then for everyone;
2. otherwise its category's settings, in the same order, then its parent category's, up to
   the root: a product follows its category, a category its parent;
3. otherwise the product is visible.

So a product set "visible to everyone" stays visible to a company whose category is hidden
for it, as a product setting is nearer than a category setting; hide the product for that
company too to hide it there.
"""

from django.db import models
from django.db.models import Q


class Visibility(models.TextChoices):
    VISIBLE = "visible", "Visible"
    HIDDEN = "hidden", "Hidden"


class VisibilitySetting(models.Model):
    """One audience's visibility: ``company`` or ``customer_group`` set, or neither for all."""

    company = models.ForeignKey(
        "accounts.Company",
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="+",
        help_text="This company and its subsidiaries that have no setting of their own.",
    )
    customer_group = models.ForeignKey(
        "accounts.CustomerGroup",
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="+",
        help_text="The companies of this group that have no setting of their own.",
    )
    visibility = models.CharField(
        max_length=10,
        choices=Visibility,
        help_text="For this audience; leave company and group empty for everyone. The nearest "
        "setting wins: the product's own (company, parent companies, group, everyone), then its "
        "category's, then the parent category's.",
    )

    class Meta:
        abstract = True

    @property
    def audience(self) -> str:
        if self.company_id is not None:
            return f"company {self.company}"
        if self.customer_group_id is not None:
            return f"customer group {self.customer_group}"
        return "everyone"


def _audience_constraints(subject: str) -> list[models.BaseConstraint]:
    """One setting per subject and audience, and never a company and a group at once."""
    for_all = Q(company__isnull=True, customer_group__isnull=True)
    return [
        models.CheckConstraint(
            condition=Q(company__isnull=True) | Q(customer_group__isnull=True),
            name=f"{subject}_visibility_one_audience",
            violation_error_message="Choose a company or a customer group, not both; leave "
            "both empty for a setting for everyone.",
        ),
        models.UniqueConstraint(
            fields=[subject],
            condition=for_all,
            name=f"{subject}_visibility_unique_for_all",
            violation_error_message=f"The {subject} has a setting for everyone already: "
            "change that one.",
        ),
        models.UniqueConstraint(
            fields=[subject, "company"],
            condition=Q(company__isnull=False),
            name=f"{subject}_visibility_unique_per_company",
            violation_error_message=f"The {subject} has a setting for this company already: "
            "change that one.",
        ),
        models.UniqueConstraint(
            fields=[subject, "customer_group"],
            condition=Q(customer_group__isnull=False),
            name=f"{subject}_visibility_unique_per_group",
            violation_error_message=f"The {subject} has a setting for this customer group "
            "already: change that one.",
        ),
    ]


class ProductVisibility(VisibilitySetting):
    product = models.ForeignKey(
        "catalog.Product", on_delete=models.CASCADE, related_name="visibility_settings"
    )

    class Meta:
        ordering = ["product", "company", "customer_group"]
        verbose_name = "product visibility"
        verbose_name_plural = "product visibility"
        constraints = _audience_constraints("product")

    def __str__(self):
        return f"{self.product.sku}: {self.visibility} for {self.audience}"


class CategoryVisibility(VisibilitySetting):
    category = models.ForeignKey(
        "catalog.Category", on_delete=models.CASCADE, related_name="visibility_settings"
    )

    class Meta:
        ordering = ["category", "company", "customer_group"]
        verbose_name = "category visibility"
        verbose_name_plural = "category visibility"
        constraints = _audience_constraints("category")

    def __str__(self):
        return f"{self.category}: {self.visibility} for {self.audience}"
