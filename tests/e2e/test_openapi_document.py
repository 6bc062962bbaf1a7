"""What the OpenAPI document promises, read from the document the service serves."""
from __future__ import annotations

from typing import Any

from ledger.catalog import CLIENT_TYPES
from tests.e2e.conftest import HttpLedger

DOCUMENT = "/api/v1/openapi.json"


def _document(http: HttpLedger) -> dict[str, Any]:
    answer = http.client.get(DOCUMENT)
    assert answer.status_code == 200
    return answer.get_json()


def _operations(document: dict[str, Any]) -> list[tuple[str, str, dict[str, Any]]]:
    return [(method, path, operation) for path, item in document["paths"].items()
            for method, operation in item.items() if method in ("get", "post")]


def _parameter_names(document: dict[str, Any], operation: dict[str, Any]) -> set[str]:
    names = set()
    for parameter in operation.get("parameters", []):
        ref = parameter.get("schema", {}).get("$ref")
        if parameter.get("explode") and ref:  # one query object: its properties are the names
            names |= set(document["components"]["schemas"][ref.rsplit("/", 1)[-1]]["properties"])
        else:
            names.add(parameter["name"])
    return names


def test_the_document_is_browsable_without_a_token(http: HttpLedger) -> None:
    page = http.client.get("/api/v1/docs")
    assert page.status_code == 200 and page.mimetype == "text/html"
    assert DOCUMENT in page.get_data(as_text=True)


def test_one_body_per_client_type_told_apart_by_type(http: HttpLedger) -> None:
    document = _document(http)
    body = document["paths"]["/api/v1/events"]["post"]["requestBody"]["content"]
    event = document["components"]["schemas"]["EventRequest"]
    assert body["application/json"]["schema"]["$ref"].endswith("/EventRequest")
    assert event["discriminator"]["propertyName"] == "type"
    assert set(event["discriminator"]["mapping"]) == set(CLIENT_TYPES)
    assert len(event["oneOf"]) == len(CLIENT_TYPES)


def test_every_operation_lists_the_errors_it_can_answer(http: HttpLedger) -> None:
    document = _document(http)
    envelope = document["components"]["schemas"]["Error"]
    assert envelope["required"] == ["error"]
    for method, path, operation in _operations(document):
        responses = operation["responses"]
        assert responses["default"]["$ref"].endswith("/DEFAULT_ERROR"), (method, path)
        if operation.get("security") != []:
            assert "401" in responses, (method, path)
        if "min_position" in _parameter_names(document, operation):
            assert "503" in responses, (method, path)
        if method == "post" and "requestBody" in operation:
            assert {"400", "413", "422"} <= set(responses), (method, path)
    health = document["paths"]["/healthz"]["get"]
    assert health["security"] == [] and "401" not in health["responses"]
