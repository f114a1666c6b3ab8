import pytest
from django.test import Client

from tests.api.helpers import assert_problem

pytestmark = pytest.mark.django_db


def test_unknown_endpoint_is_problem(api):
    body = assert_problem(api.get("/api/nothing/here"), 404, "not_found")
    assert body["instance"] == "/api/nothing/here"


def test_api_root_names_docs(anonymous):
    response = anonymous.get("/api/")
    assert response.status_code == 200
    assert response.json() == {
        "title": "relaydesk",
        "version": "1",
        "docs": "/api/docs",
        "openapi": "/api/openapi.json",
    }


def test_api_root_post_is_problem():
    response = Client(enforce_csrf_checks=True).post("/api/")
    assert_problem(response, 405, "method_not_allowed")
    assert response["Allow"] == "GET, HEAD"


@pytest.mark.parametrize("method", ["post", "put", "delete"])
def test_unknown_endpoint_is_problem_for_any_method(method):
    # No CSRF token: an unknown path is a 404 before any form is checked.
    response = getattr(Client(enforce_csrf_checks=True), method)("/api/nothing/here")
    body = assert_problem(response, 404, "not_found")
    assert body["detail"] == "No API endpoint at /api/nothing/here: see /api/docs."


def test_unknown_endpoint_with_slash_is_problem(anonymous):
    assert_problem(anonymous.get("/api/docs/"), 404, "not_found")


def test_unsupported_method_is_problem(api):
    response = api.client.delete("/api/tickets")
    assert_problem(response, 405, "method_not_allowed")
    assert set(response["Allow"].split(", ")) == {"GET", "POST"}


def test_problem_instance_keeps_query(api):
    body = assert_problem(api.get("/api/tickets", {"limit": 0}), 422, "invalid_request")
    assert body["instance"] == "/api/tickets?limit=0"


def test_oversized_body_is_rejected(api, settings):
    settings.DATA_UPLOAD_MAX_MEMORY_SIZE = 100
    response = api.post("/api/tickets", {"contact_id": 1, "subject": "s", "text": "x" * 200})
    assert_problem(response, 413, "request_too_large")


def test_query_error_names_rejected_value(api):
    body = assert_problem(api.get("/api/tickets", {"limit": "many"}), 422, "invalid_request")
    assert body["errors"][0]["field"] == "limit"
    assert body["errors"][0]["value"] == "many"


def test_query_error_names_value_of_repeated_parameter(api):
    response = api.client.get("/api/tickets?status=open&status=sleeping")
    body = assert_problem(response, 422, "invalid_request")
    assert body["errors"][0]["field"] == "status.1"
    assert body["errors"][0]["value"] == "sleeping"


def test_query_error_cuts_long_value(api):
    body = assert_problem(api.get("/api/tickets", {"status": "x" * 500}), 422, "invalid_request")
    assert body["errors"][0]["value"] == "x" * 200


def test_body_error_has_no_value(api):
    response = api.post(
        "/api/tickets", {"contact_id": 1, "subject": "s", "text": "t", "priority": "asap"}
    )
    body = assert_problem(response, 422, "invalid_request")
    assert "value" not in body["errors"][0]
