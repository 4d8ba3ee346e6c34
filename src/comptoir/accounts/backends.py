from django.contrib.auth.backends import ModelBackend
from django.core.exceptions import PermissionDenied

from comptoir.accounts import throttling
from comptoir.accounts.models import User


class EmailBackend(ModelBackend):
    """Log in by e-mail address, ignoring case and surrounding spaces.

    Every login path (storefront, back office) comes here, so the throttle of failed logins
    applies to all of them: a locked account or address is refused even with the right password.
    """

    def authenticate(self, request, username=None, password=None, email=None, **kwargs):
        login = (email or username or kwargs.get(User.USERNAME_FIELD) or "").strip()
        if not login or password is None:
            return None
        address = throttling.client_address(request)
        if throttling.current_lock(login, address) is not None:
            # Stops Django from asking any other backend; the login form says until when.
            raise PermissionDenied("logins are locked")

        user = User.objects.filter(email__iexact=login).first()
        if user is None:
            # Spend the same time hashing so unknown addresses cannot be told apart.
            User().set_password(password)
        elif user.check_password(password) and self.user_can_authenticate(user):
            throttling.record_success(login)
            return user
        throttling.record_failure(login, address)
        return None
