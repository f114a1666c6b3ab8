import pytest
from ninja import Query

from relaydesk.api.query_names import declared_query_names
from tests.api.helpers import assert_problem, row_counts

pytestmark = pytest.mark.django_db


def test_misspelt_filter_is_rejected(api, make_ticket):
    make_ticket()
    body = assert_problem(
        api.get("/api/tickets", {"stauts": "open"}), 400, "unknown_query_parameter"
    )
    assert body["errors"] == [
        {
            "field": "stauts",
            "location": "query",
            "message": "This endpoint accepts no query parameter of this name.",
            "type": "unknown_parameter",
            "value": "open",
        }
    ]
    assert "stauts" in body["detail"]
    assert "status" in body["detail"]
    assert "/api/docs" in body["detail"]


def test_declared_parameters_are_accepted(api, make_ticket):
    make_ticket()
    response = api.get(
        "/api/tickets",
        {"status": "new", "priority": "normal", "assignee": "none", "limit": 5, "offset": 0},
    )
    assert response.status_code == 200, response.content
    assert response.json()["count"] == 1


def test_every_unknown_name_is_listed_once(api):
    response = api.client.get("/api/organizations?zeta=1&alpha=2&alpha=3&q=x")
    body = assert_problem(response, 400, "unknown_query_parameter")
    assert [error["field"] for error in body["errors"]] == ["alpha", "zeta"]


def test_endpoint_without_parameters_says_so(api, make_ticket):
    ticket = make_ticket()
    response = api.get(f"/api/tickets/{ticket.number}", {"expand": "messages"})
    body = assert_problem(response, 400, "unknown_query_parameter")
    assert body["detail"] == (
        "This endpoint accepts no query parameters: remove expand from the URL."
    )


def test_rejected_write_changes_nothing(api, make_ticket):
    ticket = make_ticket()
    before = row_counts()
    response = api.client.post(
        f"/api/tickets/{ticket.number}/messages?notify=no",
        '{"text": "We are on it.", "kind": "reply"}',
        content_type="application/json",
    )
    assert_problem(response, 400, "unknown_query_parameter")
    assert row_counts() == before


def test_authentication_comes_before_query_names(anonymous):
    assert_problem(anonymous.get("/api/tickets", {"stauts": "open"}), 401, "unauthenticated")


def test_detail_is_translated(api):
    response = api.client.get("/api/tickets?stauts=open", headers={"Accept-Language": "pt-PT"})
    body = assert_problem(response, 400, "unknown_query_parameter")
    assert body["detail"].startswith("Parâmetro desconhecido no URL: stauts.")
    assert body["errors"][0]["message"] != "This endpoint accepts no query parameter of this name."


def test_documented_parameters_are_accepted(api):
    """Every query parameter the OpenAPI document lists passes the check."""
    schema = api.get("/api/openapi.json").json()
    checked = 0
    for path, item in schema["paths"].items():
        operation = item.get("get")
        if operation is None or "{" in path:
            continue
        for parameter in operation.get("parameters", []):
            if parameter["in"] != "query":
                continue
            response = api.client.get(path, {parameter["name"]: "1"})
            assert response.status_code != 400, (path, parameter["name"], response.content)
            checked += 1
    assert checked >= 10


def test_declared_names_use_aliases():
    from ninja import Field, Schema
    from ninja.signature import ViewSignature

    class Filters(Schema):
        kind: str | None = Field(None, alias="type")

    def view(request, filters: Query[Filters], q: str = ""):
        return None

    signature = ViewSignature("/things", view)
    assert declared_query_names(signature.models) == {"type", "q"}
