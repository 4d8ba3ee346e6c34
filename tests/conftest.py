from pathlib import Path

import pytest

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
