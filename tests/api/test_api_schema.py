"""The OpenAPI description: generated without warnings, valid, served with Swagger UI and Redoc."""

from __future__ import annotations

import pytest

PATHS = {
    "/api/v1/municipalities/",
    "/api/v1/municipalities/{id}/",
    "/api/v1/schools/",
    "/api/v1/schools/{code}/",
    "/api/v1/schools/{code}/results/",
    "/api/v1/results/",
    "/api/v1/context/",
    "/api/v1/procedures/",
    "/api/v1/subjects/",
}


@pytest.fixture
def schema(db) -> dict:
    """The same check as `python -m django spectacular --validate --fail-on-warn`."""
    from drf_spectacular.drainage import GENERATOR_STATS
    from drf_spectacular.generators import SchemaGenerator
    from drf_spectacular.settings import patched_settings
    from drf_spectacular.validation import validate_schema

    from opora.api.schema import SCHEMA_SETTINGS

    GENERATOR_STATS.reset()
    with patched_settings(SCHEMA_SETTINGS):
        generated = SchemaGenerator().get_schema(request=None, public=True)
    assert not GENERATOR_STATS, "drf-spectacular reported warnings or errors (see stderr)"
    validate_schema(generated)
    return generated


def test_it_generates_a_valid_schema_with_every_path(schema):
    assert PATHS <= set(schema["paths"])
    for path in schema["paths"]:
        assert path.startswith("/api/v1/")
        assert set(schema["paths"][path]) == {"get"}, f"{path} must be read-only"


def test_it_describes_operations_and_fields_in_russian(schema):
    for path, operations in schema["paths"].items():
        operation = operations["get"]
        assert operation["summary"] and operation["description"], path
        for parameter in operation.get("parameters", []):
            assert parameter.get("description"), f"{path}: {parameter['name']}"
    result = schema["components"]["schemas"]["Result"]["properties"]
    assert "failures / participants" in result["failure_share"]["description"]
    assert result["school_id"]["description"] == "Код ОО."
    for name, component in schema["components"]["schemas"].items():
        for field, spec in component.get("properties", {}).items():
            if not name.startswith("Paginated") and "$ref" not in spec:
                assert spec.get("description"), f"{name}.{field}"


def test_it_says_student_results_are_not_exposed(schema):
    assert "обучающихся через API не выдаются" in schema["info"]["description"]
    assert (
        "обучающихся через API не выдаются"
        in (schema["paths"]["/api/v1/results/"]["get"]["description"])
    )
    assert not any("student" in path for path in schema["paths"])


def test_it_serves_the_schema_as_yaml_and_json(world, api):
    client = api(world.school_user)
    yaml = client.get("/api/schema/")
    assert yaml.status_code == 200
    assert b"/api/v1/schools/{code}/results/" in yaml.content
    document = client.get("/api/schema/?format=json").json()
    assert PATHS <= set(document["paths"])
    assert "не выдаются" in document["info"]["description"]


@pytest.mark.parametrize(
    ("url", "marker"), [("/api/docs/", "swagger-ui"), ("/api/redoc/", "redoc")]
)
def test_it_serves_the_documentation_pages_offline(world, api, url, marker):
    response = api(world.school_user).get(url)
    assert response.status_code == 200
    page = response.content.decode()
    assert marker in page
    assert "drf_spectacular_sidecar" in page, "assets must come from the vendored sidecar"
    assert "cdn.jsdelivr" not in page
