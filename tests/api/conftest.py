"""API tests: a test client logged in as any user of the world."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from django.test import Client


@pytest.fixture
def api(world) -> Callable[[object], Client]:
    """`api(user)` is a test client logged in as that user (`api(None)` is anonymous)."""

    def client_for(user) -> Client:
        client = Client()
        if user is not None:
            client.force_login(user)
        return client

    return client_for
