from pathlib import Path

import pytest
from django.conf import settings as django_settings
from django.utils import translation

from tests.mail import Inbox, running_smtp_server

ORO_DEMO_DIR = Path(__file__).resolve().parents[2] / "shared" / "data" / "orocommerce-demo"


@pytest.fixture
def oro_dir() -> Path:
    """The OroCommerce demo files beside the project (``../shared``), or a skip."""
    if not ORO_DEMO_DIR.is_dir():
        pytest.skip(f"the OroCommerce demo files are not at {ORO_DEMO_DIR}")
    return ORO_DEMO_DIR


@pytest.fixture(autouse=True)
def fast_password_hashing(request, settings):
    """Argon2 is slow by design; tests that are about hashing mark themselves ``argon2``."""
    if "argon2" not in request.keywords:
        settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture(autouse=True)
def tasks_run_at_commit(request, settings):
    """Background work runs when its transaction commits, so a test sees its result; tests of
    the worker itself mark themselves ``worker`` and keep the database backend."""
    if "worker" not in request.keywords:
        settings.TASKS = {
            "default": {"BACKEND": "django.tasks.backends.immediate.ImmediateBackend"}
        }


@pytest.fixture(autouse=True)
def default_language():
    """A request in French leaves French active in the thread: the next test starts in English."""
    yield
    translation.activate(django_settings.LANGUAGE_CODE)


@pytest.fixture
def smtp_server(settings) -> Inbox:
    """An SMTP server on 127.0.0.1 that Django sends its e-mail to; read its ``messages``."""
    with running_smtp_server() as inbox:
        settings.MAILERS = {
            "default": {
                "BACKEND": "django.core.mail.backends.smtp.EmailBackend",
                "OPTIONS": {"host": "127.0.0.1", "port": inbox.port, "timeout": 10},
            }
        }
        yield inbox
