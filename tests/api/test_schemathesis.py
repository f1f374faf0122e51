"""schemathesis against the generated OpenAPI document, in-process (ASGI), over the bundled data.

Every operation gets a bounded number of generated requests (valid and invalid); checks: no
5xx, and every documented response conforms to its schema (status, content type, body). The
store is a private copy, so generated uploads can never touch a user's data.
"""

from __future__ import annotations

import pytest
import schemathesis
from hypothesis import HealthCheck, given, settings
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import content_type_conformance, response_schema_conformance

from fukugan.server import create_app

EXAMPLES = 12  # per operation: the whole module stays well under a minute


@pytest.fixture(scope="module")
def api_schema(tmp_path_factory, loaded_copy):
    home = loaded_copy(tmp_path_factory.mktemp("schemathesis-home"))
    app = create_app(home)
    return schemathesis.openapi.from_asgi("/api/v1/openapi.json", app)


CHECKS = [not_a_server_error, response_schema_conformance, content_type_conformance]


def test_api_conforms_and_never_fails(api_schema):
    """One Hypothesis run per operation (collected here rather than with ``parametrize`` so
    the schema and the store are built once, in a fixture)."""
    failures: list[str] = []
    labels = []
    for result in api_schema.get_all_operations():
        op = result.ok()
        labels.append(op.label)

        @given(case=op.as_strategy())
        @settings(
            max_examples=EXAMPLES,
            deadline=None,
            suppress_health_check=list(HealthCheck),
            derandomize=True,
            database=None,
        )
        def run(case) -> None:
            case.call_and_validate(checks=CHECKS)

        try:
            run()
        except (Exception, BaseExceptionGroup) as exc:  # noqa: BLE001 - collect them all
            failures.append(f"{op.label}: {exc}")
    assert len(labels) >= 10, labels
    assert not failures, "\n\n".join(failures)
