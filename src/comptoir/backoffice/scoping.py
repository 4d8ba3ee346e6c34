"""What a staff user may see of customer data in the back office.

Superusers see every company. Any other staff user (a sales rep) sees only the companies it is
assigned to (``SalesRepAssignment``), and of the other models only the rows of those companies:
each admin page of customer data filters its queryset here.
"""

from django.db.models import Model, QuerySet

from comptoir.accounts.models import SalesRepAssignment, User


def assigned_company_ids(staff_user: User) -> list[int] | None:
    """Ids of the companies ``staff_user`` looks after; None for a superuser, who sees all."""
    if staff_user.is_active and staff_user.is_superuser:
        return None
    if not (staff_user.is_active and staff_user.is_staff):
        return []
    return list(
        SalesRepAssignment.objects.filter(sales_rep=staff_user).values_list(
            "company_id", flat=True
        )
    )


def limit_to_assigned_companies[M: Model](
    queryset: QuerySet[M], staff_user: User, company_field: str
) -> QuerySet[M]:
    """The rows of ``queryset`` whose ``company_field`` is a company ``staff_user`` looks after."""
    company_ids = assigned_company_ids(staff_user)
    if company_ids is None:
        return queryset
    return queryset.filter(**{f"{company_field}__in": company_ids})


class AssignedCompaniesOnly:
    """A ModelAdmin mix-in: a staff user who is not a superuser sees the rows of its companies.

    ``assigned_company_field`` names the path from the model to its company's id.
    """

    assigned_company_field = "company"

    def get_queryset(self, request):
        queryset = super().get_queryset(request)
        return limit_to_assigned_companies(queryset, request.user, self.assigned_company_field)
