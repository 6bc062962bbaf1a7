#!/usr/bin/env bash
# A full supervision cycle over HTTP with curl, against a running `ledger serve`.
# Usage: docs/walkthrough.sh [BASE_URL]   (tokens are created with the `ledger` command,
# which must see the same LEDGER_DATABASE_URL as the server).
set -euo pipefail
BASE=${1:-http://127.0.0.1:8000}
ADMIN=$(ledger token create --actor county-admin --role admin | tail -1)
INSPECTOR=$(ledger token create --actor inspector-li --role inspector | tail -1)
CADRE=$(ledger token create --actor cadre-wang --role cadre --unit village-sanjiayu | tail -1)

post() {  # post TOKEN JSON -> prints the answer, fails on an HTTP error
  curl -sS --fail-with-body -X POST "$BASE/api/v1/events" \
    -H "Authorization: Bearer $1" -H 'Content-Type: application/json' -d "$2"
  echo
}

# Register a township, a village, a cadre and a household.
post "$ADMIN" '{"type":"UnitRegistered","occurred_at":"2020-01-02T09:00:00+08:00","data":{"unit_id":"township-zhonghu","name":"Zhonghu","kind":"township"}}'
post "$ADMIN" '{"type":"UnitRegistered","occurred_at":"2020-01-02T09:00:00+08:00","data":{"unit_id":"village-sanjiayu","name":"Sanjiayu","kind":"village","parent_id":"township-zhonghu"}}'
post "$ADMIN" '{"type":"PersonRegistered","occurred_at":"2020-01-02T09:00:00+08:00","data":{"person_id":"cadre-wang","name":"Wang","unit_id":"village-sanjiayu"}}'
post "$ADMIN" '{"type":"PersonRegistered","occurred_at":"2020-01-02T09:00:00+08:00","data":{"person_id":"inspector-li","name":"Li","unit_id":"township-zhonghu"}}'
post "$ADMIN" '{"type":"ResponsibilityAssigned","occurred_at":"2020-01-02T09:00:00+08:00","data":{"person_id":"cadre-wang","role":"village_secretary","subject_type":"unit","subject_id":"village-sanjiayu","effective_from":"2020-01-01"}}'
post "$ADMIN" '{"type":"HouseholdRegistered","occurred_at":"2020-01-02T09:00:00+08:00","data":{"household_id":"hh-001","village_id":"village-sanjiayu","head_name":"Zhang","size":4,"category":"registered_poor"}}'
post "$ADMIN" '{"type":"ResponsibilityAssigned","occurred_at":"2020-01-02T09:00:00+08:00","data":{"person_id":"cadre-wang","role":"helper_cadre","subject_type":"household","subject_id":"hh-001","effective_from":"2020-01-01"}}'

# An unannounced inspection finds the house unsafe; a finding is raised with a deadline.
post "$INSPECTOR" '{"type":"InspectionRecorded","occurred_at":"2020-03-12T09:30:00+08:00","data":{"inspection_id":"insp-001","subject_type":"household","subject_id":"hh-001","method":"unannounced","inspector_ids":["inspector-li"],"checks":{"food":"met","clothing":"met","education":"met","medical":"met","housing":"unmet","water":"met"},"income":{"wage":9000,"business":0,"transfer":4000,"property":200}}}'
post "$INSPECTOR" '{"type":"FindingRaised","occurred_at":"2020-03-12T10:00:00+08:00","data":{"finding_id":"f-001","subject_type":"household","subject_id":"hh-001","category":"housing","description":"Roof leaks; house not safe","responsible_unit_id":"village-sanjiayu","due_date":"2020-04-30","inspection_id":"insp-001","responsible_person_id":"cadre-wang"}}'

# The village reports a fix; verification rejects it; a second report is accepted.
post "$CADRE" '{"type":"RectificationReported","occurred_at":"2020-03-25T10:00:00+08:00","data":{"finding_id":"f-001","description":"Roof patched"}}'
post "$INSPECTOR" '{"type":"RectificationVerified","occurred_at":"2020-04-01T15:00:00+08:00","data":{"finding_id":"f-001","accepted":false,"note":"Still leaks at the east wall"}}'
post "$CADRE" '{"type":"RectificationReported","occurred_at":"2020-04-20T10:00:00+08:00","data":{"finding_id":"f-001","description":"Roof replaced","evidence":[{"name":"roof.jpg","sha256":"9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08"}]}}'
post "$INSPECTOR" '{"type":"RectificationVerified","occurred_at":"2020-04-28T15:00:00+08:00","data":{"finding_id":"f-001","accepted":true,"note":"Verified on site"}}'

# Two yellow cards in consecutive quarters: the ledger records InterviewRequired itself.
post "$INSPECTOR" '{"type":"WarningIssued","occurred_at":"2020-03-31T17:00:00+08:00","data":{"warning_id":"w-2020q1","unit_id":"village-sanjiayu","color":"yellow","period":"2020-Q1","reason":"Visits not done"}}'
post "$INSPECTOR" '{"type":"WarningIssued","occurred_at":"2020-06-30T17:00:00+08:00","data":{"warning_id":"w-2020q2","unit_id":"village-sanjiayu","color":"yellow","period":"2020-Q2","reason":"Rectification falsified"}}'

# The log (admins and the discipline committee read it), and the chain over it.
curl -sS "$BASE/api/v1/events?after=0&limit=100" -H "Authorization: Bearer $ADMIN" | python3 -c '
import json, sys
for e in json.load(sys.stdin)["events"]:
    print(e["position"], e["type"], e["actor"], e["hash"][:16])'
ledger verify
