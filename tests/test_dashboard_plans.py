"""At 50,000 clients, every query the dashboard makes reads indexes: no sequential
scan of clients, users, responses or findings, whatever the sort, filter, search
or page (PostgreSQL only: its plans are what a practice runs on)."""

from __future__ import annotations

import json

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from practice.models import CaseOrder
from tests.factories import ClientFactory
from tests.questionnaire_factories import ResponseFactory

pytestmark = pytest.mark.skipif(
    connection.vendor != "postgresql", reason="PostgreSQL's query plans"
)

CLIENTS = 50_000
WATCHED = {
    "practice_client",
    "practice_user",
    "questionnaires_response",
    "questionnaires_finding",
}
STATES = [
    "invited",
    "no_questionnaire",
    "in_progress",
    "reopened",
    "submitted",
    "in_review",
    "ready_for_advice",
    "summary_issued",
]

# Light rows in bulk, spread like seed_load's: four practitioners, the first with
# half the clients; a questionnaire for most, two findings each once submitted, and
# a few of those on the new evidence list.
LOAD = """
INSERT INTO practice_user
    (password, code, email, full_name, role, is_active, date_joined)
SELECT '!', gen_random_uuid(), 'load-' || n || '@plans.example',
       (ARRAY['Margaret','George','Linda','Raj','Mei'])[1 + n %% 5] || ' '
         || (ARRAY['Smith','Patel','Okafor','Nowak','Chen','Jones'])[1 + n %% 6] || n,
       'client', true, now()
FROM generate_series(1, %(clients)s) AS n;

INSERT INTO practice_client
    (code, user_id, practitioner_id, created_at, case_state, case_activity_at,
     case_submitted_at, case_waiting_since, case_open_refer, case_open_major,
     case_open_moderate, case_open_minor, case_open_info)
SELECT gen_random_uuid(), u.id,
       (%(practitioners)s::bigint[])[
         CASE WHEN u.id %% 2 = 0 THEN 1 ELSE 1 + u.id %% 4 END],
       now() - u.id * interval '1 minute',
       (%(states)s::text[])[1 + u.id %% 8],
       now() - u.id * interval '1 minute',
       CASE WHEN u.id %% 8 >= 4 THEN now() - u.id * interval '1 minute' END,
       CASE WHEN u.id %% 8 BETWEEN 4 AND 6 THEN now() - u.id * interval '1 minute' END,
       (u.id %% 97 = 0)::int, (u.id %% 13 = 0)::int, 1, 0, 0
FROM practice_user u WHERE u.email LIKE '%%@plans.example';

INSERT INTO questionnaires_response
    (code, client_id, version_id, status, created_at, step_reached,
     reopen_message, consent_notice_version, knowledge_version)
SELECT gen_random_uuid(), c.id, %(version)s,
       CASE WHEN c.case_state IN ('invited', 'no_questionnaire') THEN 'in_progress'
            ELSE c.case_state END,
       c.created_at, 3, '', '', ''
FROM practice_client c JOIN practice_user u ON u.id = c.user_id
WHERE u.email LIKE '%%@plans.example' AND c.id %% 8 <> 1;

UPDATE practice_client c SET case_response_id = r.id
FROM questionnaires_response r WHERE r.client_id = c.id;

INSERT INTO questionnaires_finding
    (code, response_id, key, rule, kind, severity, subjects, classes, title,
     message, action, sources, triggers, evidence, knowledge_version, created_at,
     is_new, decision, decision_note, earlier_decision, earlier_note)
SELECT gen_random_uuid(), r.id, k.key, 'rule', 'interaction',
       (ARRAY['major','moderate'])[k.n], '[]', '[]', 'A finding', 'Why', '',
       '[]', '[]', '', 'plans', r.created_at, false, '', '', '', ''
FROM questionnaires_response r
CROSS JOIN (VALUES (1, 'a'), (2, 'b')) AS k(n, key)
WHERE r.status <> 'in_progress';

-- A knowledge re-check listed one in a hundred major findings as new evidence.
INSERT INTO questionnaires_knowledgerecheck
    (version, scheduled_at, checked, changed, failed)
VALUES ('plans-2', now(), 0, 0, 0);

INSERT INTO questionnaires_newevidence
    (finding_id, recheck_id, change, fields, created_at)
SELECT f.id, (SELECT max(id) FROM questionnaires_knowledgerecheck), 'new', '[]', now()
FROM questionnaires_finding f WHERE f.severity = 'major' AND f.id %% 100 = 0;

ANALYZE;
"""


@pytest.fixture
def practice_of_50000(priya, omar):
    """Priya, Omar and two others share 50,000 clients; Priya has half of them."""
    others = [ClientFactory().practitioner for _ in range(2)]
    practitioners = [priya.pk, omar.pk, *(p.pk for p in others)]
    version = ResponseFactory().version_id
    with connection.cursor() as cursor:
        cursor.execute(
            LOAD,
            {
                "clients": CLIENTS,
                "practitioners": practitioners,
                "states": STATES,
                "version": version,
            },
        )
    return priya


def seq_scans(plan: dict) -> set[str]:
    found = set()
    if plan.get("Node Type") == "Seq Scan":
        found.add(plan["Relation Name"])
    for child in plan.get("Plans", []):
        found |= seq_scans(child)
    return found


def _is_select(sql: str) -> bool:
    return sql.lstrip().upper().startswith("SELECT")


PARAMS = [
    {},
    {"page": "400"},
    *({"sort": sort.value} for sort in CaseOrder),
    {"state": "in_progress"},
    {"state": "submitted", "sort": CaseOrder.SUBMITTED_OLDEST.value},
    {"state": "summary_issued", "sort": CaseOrder.URGENCY.value},
    {"q": "okafor"},
    {"q": "load-1234@plans", "sort": CaseOrder.NAME.value},
]


def test_no_dashboard_query_reads_a_whole_table_at_50000_clients(
    client, practice_of_50000
):
    priya = practice_of_50000
    problems = []
    for params in PARAMS:
        client.force_login(priya.user)
        with CaptureQueriesContext(connection) as captured:
            assert client.get("/dashboard/", params).status_code == 200
        selects = [q["sql"] for q in captured.captured_queries if _is_select(q["sql"])]
        assert selects, params
        for sql in selects:
            with connection.cursor() as cursor:
                cursor.execute(f"EXPLAIN (FORMAT JSON) {sql}")
                plan = cursor.fetchone()[0]
            if isinstance(plan, str):
                plan = json.loads(plan)
            scanned = seq_scans(plan[0]["Plan"]) & WATCHED
            if scanned:
                problems.append(f"{params}: {sorted(scanned)} in\n{sql}")
    assert not problems, "\n\n".join(problems)
