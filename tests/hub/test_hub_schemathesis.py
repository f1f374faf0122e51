"""schemathesis on the hub's API (``/api/v1/hub/...``) as a logged-in user, in-process (ASGI).

The hub is seeded with items of every marking, some the user may read and some not, a network
and alerts. Every generated request carries the user's session cookie and CSRF token, so the
writes get past the CSRF check and exercise the service. Checks per response: no 5xx, the
documented schema and content type, and **no leak**: every item id in the body (items, alerts,
STIX reports, publish / import results) is one :func:`fukugan.hub.policy.can_read` lets the
user read (through :meth:`Hub.decide`). Valid and invalid requests are generated. Logout is
generated too; the session is then reopened. The organisation-admin operations
(``/hub/org/users``) are called as an admin of another organisation (so that generated adds and
disables reach the service, and never touch the user's own account); their answers must never
carry a password.
"""

from __future__ import annotations

import itertools
import json

import pytest
import schemathesis
from hypothesis import HealthCheck, given, settings
from hypothesis.errors import Unsatisfiable
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import content_type_conformance, response_schema_conformance

from fukugan.api.hub_auth import COOKIE, CSRF_HEADER
from fukugan.hub.passwords import hash_password
from fukugan.server import create_app
from fukugan.services.hub import Hub

EXAMPLES = 25  # per operation and generation mode
MODES = (schemathesis.GenerationMode.POSITIVE, schemathesis.GenerationMode.NEGATIVE)
PW = "a long enough password"
CHECKS = [not_a_server_error, response_schema_conformance, content_type_conformance]


@pytest.fixture(scope="module")
def seeded(tmp_path_factory):
    home = tmp_path_factory.mktemp("hub-schemathesis")
    mp = pytest.MonkeyPatch()
    mp.setenv("FUKUGAN_HOME", str(home))
    mp.delenv("FUKUGAN_DATABASE_URL", raising=False)
    app = create_app(home, web=False)
    hub = Hub(home)
    app.state.hub = hub
    pw = hash_password(PW)
    a, b, c = (
        hub.create_org("A", "company"),
        hub.create_org("B", "sme"),
        hub.create_org("C", "agency"),
    )
    g = hub.create_group("G", [a, c])
    hub.create_group("empty", [])
    me = hub.create_user("fuzz", a, "analyst", 1, password_hash=pw)
    bob = hub.user(hub.create_user("bob", b, "analyst", 3, password_hash=pw))
    carol = hub.user(hub.create_user("carol", c, "admin", 3, password_hash=pw))
    colleague = hub.user(hub.create_user("ann", a, "contributor", 1, password_hash=pw))
    hub.upload_network(
        hub.user(me),
        _csv(home, "1,Gallium Refinery,CHN,8112,Me,10\n2,Mine Co,COD,2615,Gallium Refinery,\n"),
    )
    links = {"country": ["CHN", "COD"], "hs": ["8112"], "firm": ["Mine Co"]}
    for author, tlp, cl, groups, rec in [
        (colleague, "CLEAR", 0, [], []),
        (bob, "GREEN", 0, [], []),
        (bob, "AMBER", 0, [], []),  # denied: another org, no group
        (bob, "AMBER", 0, [g], []),  # readable: A is in G (the author need not be)
        (carol, "AMBER", 0, [g], []),  # readable: A is in G
        (carol, "AMBER+STRICT", 0, [], []),  # denied
        (carol, "RED", 0, [], [me]),  # readable: named recipient
        (carol, "RED", 0, [], []),  # denied
        (bob, "GREEN", 3, [], []),  # denied: clearance
        (colleague, "AMBER+STRICT", 1, [], []),  # readable: own org, clearance 1
    ]:
        hub.publish(
            author,
            type="supplier_incident",
            title=f"{tlp} gallium",
            body="refinery outage",
            tlp=tlp,
            required_clearance=cl,
            group_ids=groups,
            recipient_ids=rec,
            links=links,
        )
    principal = hub.user(me)
    readable = {v.id for v in hub.list_items(principal)}
    assert 0 < len(readable) < 10 and hub.alerts(principal)
    session = {"user": principal, "name": "fuzz"}
    _relogin(hub, session)
    admin = {"user": carol, "name": "carol"}
    _relogin(hub, admin)
    schema = schemathesis.openapi.from_asgi("/api/v1/openapi.json", app).include(
        path_regex="^/api/v1/hub/"
    )
    yield schema, hub, session, admin
    mp.undo()
    app.state.runs.shutdown()
    hub.dispose()


def _csv(home, body: str):
    p = home / "net.csv"
    p.write_text("tier,supplier,supplier_country,product_hs,customer,value\n" + body)
    return p


def _relogin(hub: Hub, session: dict) -> None:
    opened = hub.login(session["name"], PW)
    session["token"], session["csrf"] = opened.token, opened.csrf_token


def item_ids(path: str, method: str, body) -> set[int]:
    """Every item id a hub response carries (items, alerts' items, STIX reports, results)."""
    out: set[int] = set()

    def walk(x, parent: str | None = None) -> None:
        if isinstance(x, dict):
            for k, v in x.items():
                if k in ("item_id", "x_fukugan_item_id"):
                    out.add(int(v))
                elif k == "ids" and path.endswith("/hub/import"):
                    out.update(int(i) for i in v)
                walk(v, k)
        elif isinstance(x, list):
            for v in x:
                walk(v, parent)

    walk(body)
    if path.startswith("/api/v1/hub/items") and isinstance(body, dict):
        rows = body.get("items") if "items" in body else [body]
        out.update(int(r["id"]) for r in rows or [] if isinstance(r, dict) and "id" in r)
    return out


def test_hub_api_as_a_logged_in_user_conforms_and_never_leaks(seeded):
    schema, hub, session, admin = seeded
    # before any generated write: the STIX export holds exactly the readable items
    from fastapi.testclient import TestClient

    c = TestClient(schema.app)
    c.cookies.set(COOKIE, session["token"])
    bundle = c.get("/api/v1/hub/export.stix.json").json()
    readable = {v.id for v in hub.list_items(session["user"])}
    assert item_ids("/api/v1/hub/export.stix.json", "GET", bundle) == readable
    failures: list[str] = []
    labels: list[str] = []
    seen: dict[str, set[int]] = {}
    statuses: dict[str, set[int]] = {}
    for result, mode in itertools.product(schema.get_all_operations(), MODES):
        op = result.ok()
        labels.append(op.label)

        @given(case=op.as_strategy(generation_mode=mode))
        @settings(
            max_examples=EXAMPLES,
            deadline=None,
            suppress_health_check=list(HealthCheck),
            derandomize=True,
            database=None,
        )
        def run(case) -> None:
            who = admin if case.operation.path.startswith("/api/v1/hub/org/") else session
            if hub.session_user(who["token"]) is None:  # a generated logout ended it
                _relogin(hub, who)
            response = case.call(headers={CSRF_HEADER: who["csrf"]}, cookies={COOKIE: who["token"]})
            statuses.setdefault(case.operation.label, set()).add(response.status_code)
            case.validate_response(response, checks=CHECKS)
            if who is admin:  # no password (nor its hash) in any answer, errors included
                sent = case.body.get("password") if isinstance(case.body, dict) else None
                name = case.body.get("username") if isinstance(case.body, dict) else None
                if isinstance(sent, str) and len(sent) >= 8 and sent not in str(name):
                    assert sent not in response.text
                assert "argon2" not in response.text
                if response.status_code < 300 and response.content:
                    assert "password" not in json.loads(response.content)
                return
            if response.status_code >= 300 or not response.content:
                return
            body = json.loads(response.content)
            ids = item_ids(case.operation.path, case.method, body)
            seen.setdefault(case.operation.label, set()).update(ids)
            leaked = sorted(i for i in ids if not hub.decide(session["user"], i).allowed)
            assert not leaked, (
                f"{case.operation.label} returned items the user may not read: {leaked}"
            )

        try:
            run()
        except Unsatisfiable:  # nothing to make invalid: an operation without parameters
            assert mode is schemathesis.GenerationMode.NEGATIVE, op.label
        except (Exception, BaseExceptionGroup) as exc:  # noqa: BLE001 - collect them all
            failures.append(f"{op.label} ({mode.value}): {exc}")
    assert len(set(labels)) >= 14, labels
    assert not failures, "\n\n".join(failures)
    # the session really was used: authenticated reads and CSRF-checked writes succeeded
    assert 200 in statuses["GET /api/v1/hub/me"]
    assert 201 in statuses["POST /api/v1/hub/items"]
    assert 200 in statuses["GET /api/v1/hub/org/users"]
    assert 201 in statuses["POST /api/v1/hub/org/users"]
    assert statuses["PUT /api/v1/hub/org/users/{user_id}/active"] & {204, 404}
    assert 422 in set().union(*statuses.values())  # and invalid requests were generated
    # the leak check had something to look at: reads returned the readable items
    # (the STIX export is not required here: while Hub.export_stix fails the whole bundle on an
    # expired item without valid_from, generated publications can make it a 400; it is checked
    # on the seeded hub before fuzzing instead)
    assert seen.get("GET /api/v1/hub/items")
    assert seen.get("GET /api/v1/hub/alerts")
