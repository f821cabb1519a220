"""Walk every API operation with schemathesis-generated input: no input may produce a 5xx."""

import pytest
import schemathesis
from django.core.signals import request_finished, request_started
from django.db import close_old_connections
from hypothesis import HealthCheck, settings
from schemathesis.checks import not_a_server_error

from warmwinter.wsgi import application

schema = schemathesis.openapi.from_wsgi("/api/v1/openapi.json", application)


@pytest.fixture
def city_token(token_for, city_admin):
    return token_for(city_admin)


@pytest.fixture(autouse=True)
def _keep_test_connection_open():
    """Django's test client detaches close_old_connections for the same reason: the request
    runs inside the test's transaction, and closing the connection would end it."""
    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    yield
    request_started.connect(close_old_connections)
    request_finished.connect(close_old_connections)


@schema.parametrize()
@settings(max_examples=30, deadline=None, database=None, suppress_health_check=list(HealthCheck))
@pytest.mark.django_db
def test_no_api_input_causes_a_server_error(case, city_token):
    case.call_and_validate(
        headers={"Authorization": f"Bearer {city_token}"}, checks=[not_a_server_error]
    )
