from django.contrib.auth.backends import ModelBackend

from comptoir.accounts.models import User


class EmailBackend(ModelBackend):
    """Log in by e-mail address, ignoring case and surrounding spaces."""

    def authenticate(self, request, username=None, password=None, email=None, **kwargs):
        login = (email or username or kwargs.get(User.USERNAME_FIELD) or "").strip()
        if not login or password is None:
            return None
        user = User.objects.filter(email__iexact=login).first()
        if user is None:
            # Spend the same time hashing so unknown addresses cannot be told apart.
            User().set_password(password)
            return None
        if user.check_password(password) and self.user_can_authenticate(user):
            return user
        return None
