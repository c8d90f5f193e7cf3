"""Routing on, short times; attendants made available through the service."""

import pytest

from routing import services
from tests.factories import AttendantFactory


@pytest.fixture
def routing_on(settings):
    settings.ROUTING_ENABLED = True
    settings.ROUTING_OFFER_SECONDS = 60
    settings.OPEN_TICKETS_MAX = 50
    return settings


@pytest.fixture
def available(django_capture_on_commit_callbacks):
    """Make attendants available with a capacity: available(user, capacity=2); the dispatch after it runs."""

    def _make(user, capacity: int = 3):
        with django_capture_on_commit_callbacks(execute=True):
            services.attendant_capacity_set(user=user, capacity=capacity)
            return services.attendant_availability_set(user=user, available=True)

    return _make


@pytest.fixture
def attendant3(db):
    return AttendantFactory(username="carla", first_name="Carla", last_name="Souza")
