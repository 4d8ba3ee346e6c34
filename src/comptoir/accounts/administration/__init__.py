"""Company administration: a company's users, custom roles, departments and address book.

Each service acts as ``customer_user``, whose roles are checked, in one transaction: it checks
the action with ``permissions.require`` (refused: 403), reaches every record through
``scoping.get_visible`` (out of reach: 404; reach only goes down the company and department
trees), makes the change and writes an audit entry with the values before and after.
``acting_user`` is the login actually acting when it is not the customer user's own (a sales
rep shopping for the customer): the audit log then names the rep, on behalf of the user.

Two rules keep a company manageable: nobody gives or takes more than its own roles grant, and
a change that would leave a company without an active user able to manage users is refused.
"""
