"""Who buys: companies in a tree, their customer groups, addresses and customer users.

Staff users and customer users share one login model (``User``) so that one session and one
password policy cover both; a customer user is a ``User`` with a ``CustomerUser`` row that ties
it to its company. Staff have no ``CustomerUser`` row and never see the storefront as a buyer.
"""

from django.conf import settings
from django.contrib.auth.base_user import AbstractBaseUser, BaseUserManager
from django.contrib.auth.models import PermissionsMixin
from django.db import models
from django.db.models.functions import Lower, Upper
from django.utils import timezone
from django.utils.text import slugify

from comptoir.taxes.vat import validate_vat_number


class UserManager(BaseUserManager):
    use_in_migrations = True

    def get_by_natural_key(self, email):
        return self.get(email__iexact=email.strip())

    def create_user(self, email, password=None, **fields):
        user = self.model(email=self.normalize_email(email).strip(), **fields)
        user.set_password(password)
        user.save(using=self._db)
        return user

    def create_superuser(self, email, password=None, **fields):
        fields.update(is_staff=True, is_superuser=True)
        return self.create_user(email, password, **fields)


class User(AbstractBaseUser, PermissionsMixin):
    email = models.EmailField(max_length=254)
    first_name = models.CharField(max_length=150, blank=True)
    last_name = models.CharField(max_length=150, blank=True)
    is_staff = models.BooleanField(
        default=False, help_text="Staff users work in the back office; customers never are staff."
    )
    is_active = models.BooleanField(default=True)
    date_joined = models.DateTimeField(default=timezone.now)
    language = models.CharField(
        max_length=10,
        choices=settings.LANGUAGES,
        blank=True,
        help_text="The language of the storefront and e-mails; blank follows the browser.",
    )

    objects = UserManager()

    USERNAME_FIELD = "email"
    EMAIL_FIELD = "email"
    REQUIRED_FIELDS: list[str] = []

    class Meta:
        constraints = [
            models.UniqueConstraint(Lower("email"), name="user_email_unique_ignoring_case"),
        ]

    def __str__(self):
        return self.email

    def get_full_name(self):
        return f"{self.first_name} {self.last_name}".strip() or self.email

    def get_short_name(self):
        return self.first_name or self.email


class CustomerGroup(models.Model):
    name = models.CharField(max_length=100, unique=True)

    class Meta:
        ordering = ["name"]

    def __str__(self):
        return self.name


class PaymentTerm(models.Model):
    label = models.CharField(max_length=50, unique=True, help_text='As shown to buyers: "net 30".')
    days = models.PositiveIntegerField(help_text="Days after the invoice date the payment is due.")

    class Meta:
        ordering = ["days", "label"]

    def __str__(self):
        return self.label


# A code made from a name is cut to this length, leaving room for a "-2" suffix.
COMPANY_CODE_BASE_LENGTH = 44


class Company(models.Model):
    """A business customer; a company with a parent is one of its subsidiaries."""

    name = models.CharField(max_length=200, unique=True)
    code = models.CharField(
        max_length=50,
        blank=True,
        help_text="The company's business key, as the ERP knows it (a customer number); "
        "unique ignoring case. Left blank, it is made from the name.",
    )
    parent = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.PROTECT, related_name="subsidiaries"
    )
    customer_group = models.ForeignKey(
        CustomerGroup, null=True, blank=True, on_delete=models.PROTECT, related_name="companies"
    )
    payment_term = models.ForeignKey(
        PaymentTerm, null=True, blank=True, on_delete=models.PROTECT, related_name="companies"
    )
    tax_id = models.CharField("tax ID", max_length=50, blank=True)
    tax_code = models.ForeignKey(
        "taxes.CustomerTaxCode",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="companies",
        help_text="How the company is taxed, e.g. exempt; blank for an ordinary taxpayer.",
    )
    vat_number = models.CharField(
        "VAT number",
        max_length=20,
        blank=True,
        validators=[validate_vat_number],
        help_text="EU VAT number with its country prefix (DE123456789); with one, a company "
        "in another EU member state than the seller is invoiced under reverse charge.",
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["name"]
        verbose_name_plural = "companies"
        constraints = [
            models.UniqueConstraint(Upper("code"), name="company_code_unique_ignoring_case"),
        ]

    def __str__(self):
        return self.name

    def save(self, *args, **kwargs):
        self.code = self.code.strip()
        if not self.code:
            self.code = free_company_code(self.name)
        super().save(*args, **kwargs)

    def subtree_ids(self) -> list[int]:
        """Ids of this company and every subsidiary under it, at any depth."""
        ids, frontier = [self.pk], [self.pk]
        while frontier:
            frontier = list(
                Company.objects.filter(parent_id__in=frontier).values_list("pk", flat=True)
            )
            ids.extend(frontier)
        return ids


def free_company_code(name: str) -> str:
    """A code made from ``name`` ("Acme Corp" gives ACME-CORP) that no company has yet."""
    base = slugify(name, allow_unicode=True).upper()[:COMPANY_CODE_BASE_LENGTH] or "COMPANY"
    taken = {
        code.upper()
        for code in Company.objects.filter(code__istartswith=base).values_list("code", flat=True)
    }
    code, number = base, 1
    while code in taken:
        number += 1
        code = f"{base}-{number}"
    return code


class Department(models.Model):
    """A business unit inside a company; departments form a tree of their own."""

    company = models.ForeignKey(Company, on_delete=models.CASCADE, related_name="departments")
    name = models.CharField(max_length=200)
    parent = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.PROTECT, related_name="children"
    )

    class Meta:
        ordering = ["company", "name"]
        constraints = [
            models.UniqueConstraint(
                fields=["company", "parent", "name"], name="department_name_unique_in_parent"
            )
        ]

    def __str__(self):
        return f"{self.name} ({self.company})"

    def subtree_ids(self) -> list[int]:
        """Ids of this department and every department under it."""
        ids, frontier = [self.pk], [self.pk]
        while frontier:
            frontier = list(
                Department.objects.filter(parent_id__in=frontier).values_list("pk", flat=True)
            )
            ids.extend(frontier)
        return ids


class SalesRepAssignment(models.Model):
    """A staff user who looks after a company: sees its users and orders, may shop for them."""

    sales_rep = models.ForeignKey(
        User,
        on_delete=models.CASCADE,
        related_name="sales_rep_assignments",
        limit_choices_to={"is_staff": True},
    )
    company = models.ForeignKey(Company, on_delete=models.CASCADE, related_name="sales_reps")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["company", "sales_rep"]
        constraints = [
            models.UniqueConstraint(
                fields=["sales_rep", "company"], name="sales_rep_once_per_company"
            )
        ]

    def __str__(self):
        return f"{self.sales_rep} for {self.company}"


class Address(models.Model):
    """An entry of a company's address book, usable for billing, shipping or both."""

    company = models.ForeignKey(Company, on_delete=models.CASCADE, related_name="addresses")
    label = models.CharField(max_length=100, blank=True)
    name = models.CharField("addressee", max_length=200, blank=True)
    street = models.CharField(max_length=200)
    street2 = models.CharField(max_length=200, blank=True)
    city = models.CharField(max_length=100)
    region = models.CharField(max_length=100, blank=True)
    postal_code = models.CharField(max_length=20, blank=True)
    country = models.CharField(max_length=2, help_text="ISO 3166-1 alpha-2 code, e.g. US.")
    is_billing = models.BooleanField(default=True)
    is_shipping = models.BooleanField(default=True)
    is_default_billing = models.BooleanField(default=False)
    is_default_shipping = models.BooleanField(default=False)

    class Meta:
        ordering = ["company", "-is_default_shipping", "label", "id"]
        verbose_name_plural = "addresses"

    def __str__(self):
        return self.one_line()

    def one_line(self) -> str:
        parts = [self.street, self.street2, self.city, self.region, self.postal_code, self.country]
        return ", ".join(part for part in parts if part)


class CustomerUser(models.Model):
    """A person who buys for a company: the login is the ``User``, the membership is this row."""

    user = models.OneToOneField(User, on_delete=models.CASCADE, related_name="customer_user")
    company = models.ForeignKey(Company, on_delete=models.PROTECT, related_name="customer_users")
    department = models.ForeignKey(
        Department, null=True, blank=True, on_delete=models.SET_NULL, related_name="customer_users"
    )
    roles = models.ManyToManyField(
        "accounts.CustomerRole", blank=True, related_name="customer_users"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["company", "user__email"]

    def __str__(self):
        return f"{self.user.email} ({self.company})"

    @property
    def email(self) -> str:
        return self.user.email

    @property
    def is_active(self) -> bool:
        return self.user.is_active

    def has_role(self, code: str) -> bool:
        return any(role.code == code for role in self.roles.all())


class ApiToken(models.Model):
    """A bearer token for the API, acting as one customer user. Only its hash is stored."""

    customer_user = models.ForeignKey(
        CustomerUser, on_delete=models.CASCADE, related_name="api_tokens"
    )
    name = models.CharField(max_length=100, blank=True)
    prefix = models.CharField(max_length=12, help_text="The first characters, to recognise it.")
    key_hash = models.CharField(max_length=64, unique=True)
    created_at = models.DateTimeField(auto_now_add=True)
    last_used_at = models.DateTimeField(null=True, blank=True)
    revoked_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]

    def __str__(self):
        return f"{self.prefix}… ({self.customer_user})"
