import pytest


@pytest.fixture(autouse=True)
def fast_passwords(request, settings):
    """Hash test passwords quickly, except for tests whose server processes check them."""
    if "daphne" not in request.fixturenames:
        settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture
def room(world) -> str:
    return f"room:{world.session.pk}"
