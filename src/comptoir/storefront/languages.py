"""The language of each request: a logged-in user's saved language wins over the browser's.

Django's ``LocaleMiddleware`` picks a language from the language cookie or the browser's
Accept-Language header; ``UserLanguageMiddleware`` runs after it and after authentication, and
puts the logged-in user's saved language (``User.language``) in its place. A choice made with the
language switcher (Django's ``set_language`` view, which sets the cookie) is saved to the user.
"""

import logging

from django.conf import settings
from django.utils import translation

logger = logging.getLogger(__name__)


def supported_language(code: str | None) -> str | None:
    """``code`` if it is one of the site's languages, else None."""
    return code if code and code in dict(settings.LANGUAGES) else None


class UserLanguageMiddleware:
    """Activate the logged-in user's saved language; save the language they switch to."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        user = request.user
        if user.is_authenticated and (saved := supported_language(user.language)):
            translation.activate(saved)
            request.LANGUAGE_CODE = saved

        response = self.get_response(request)

        chosen = response.cookies.get(settings.LANGUAGE_COOKIE_NAME)
        # Read again: a view that logs the user out replaces ``request.user``.
        if chosen is not None and request.user.is_authenticated:
            remember_language(request.user, chosen.value)
        return response


def remember_language(user, code: str) -> None:
    """Save ``code`` as ``user``'s language if it is one of the site's and not already theirs."""
    language = supported_language(code)
    if language is None or user.language == language:
        return
    user.language = language
    user.save(update_fields=["language"])
    logger.info("user %s switched to language %s", user.pk, language)
