import pytest
from django.test import Client

pytestmark = pytest.mark.django_db

PATHS = {
    "/api/tickets": {"get", "post"},
    "/api/tickets/{number}": {"get"},
    "/api/tickets/{number}/messages": {"get", "post"},
    "/api/organizations": {"get"},
    "/api/organizations/{organization_id}": {"get"},
    "/api/contacts": {"get"},
    "/api/contacts/{contact_id}": {"get"},
}


def test_openapi_document_lists_paths():
    response = Client().get("/api/openapi.json")
    assert response.status_code == 200
    document = response.json()
    assert document["openapi"].startswith("3.")
    for path, methods in PATHS.items():
        assert set(document["paths"][path]) == methods, path


def test_openapi_document_declares_both_auth_schemes():
    schemes = Client().get("/api/openapi.json").json()["components"]["securitySchemes"]
    assert {scheme["type"] for scheme in schemes.values()} == {"http", "apiKey"}


def test_openapi_document_describes_problem():
    document = Client().get("/api/openapi.json").json()
    problem = document["components"]["schemas"]["Problem"]
    assert {"type", "title", "status", "detail", "code", "instance"} <= set(problem["required"])


def test_openapi_document_gives_errors_the_problem_media_type():
    document = Client().get("/api/openapi.json").json()
    responses = document["paths"]["/api/tickets"]["post"]["responses"]
    assert set(responses["201"]["content"]) == {"application/json"}
    error_statuses = [status for status in responses if int(status) >= 400]
    assert error_statuses
    for status in error_statuses:
        assert set(responses[status]["content"]) == {"application/problem+json"}, status


def test_docs_page_served():
    response = Client().get("/api/docs")
    assert response.status_code == 200
    assert b"openapi.json" in response.content
