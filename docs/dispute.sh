#!/usr/bin/env bash
# A disputed yellow card settled end to end, after docs/walkthrough.sh, against a server started
# by ./scripts/serve (which signs with ledger-signing.key unless LEDGER_SIGNING_KEY_FILE names
# another key). Usage: docs/dispute.sh [BASE_URL]
set -euo pipefail
LEDGER_SIGNING_KEY_FILE=${LEDGER_SIGNING_KEY_FILE:-ledger-signing.key}
BASE=${1:-http://127.0.0.1:8000}
CADRE=$(ledger token create --actor cadre-wang --role cadre --unit village-sanjiayu | tail -1)
JIWEI=$(ledger token create --actor jiwei-zhao --role discipline | tail -1)
auth() { echo "Authorization: Bearer $1"; }

# The second yellow card (the one that made the interview due) is the contested event.
CONTESTED=$(curl -sS "$BASE/api/v1/units/village-sanjiayu" -H "$(auth "$JIWEI")" |
  python3 -c 'import json,sys; print(json.load(sys.stdin)["warnings_by_period"]["2020-Q2"][0]["event_id"])')
echo "contested event: $CONTESTED"

# The village disputes it; the discipline committee looks at the evidence and overturns it.
curl -sS --fail-with-body -X POST "$BASE/api/v1/events" -H "$(auth "$CADRE")" -H 'Content-Type: application/json' \
  -d "{\"type\":\"DisputeOpened\",\"data\":{\"dispute_id\":\"d-001\",\"contested_event_id\":\"$CONTESTED\",\"grounds\":\"The falsified report was another village's\"}}"
echo
curl -sS --fail-with-body -X POST "$BASE/api/v1/events" -H "$(auth "$JIWEI")" -H 'Content-Type: application/json' \
  -d '{"type":"DisputeResolved","data":{"dispute_id":"d-001","outcome":"overturned","note":"Report was filed by Zhonghu village; card issued in error"}}' |
  python3 -c 'import json,sys; a=json.load(sys.stdin); print(a["type"], [(c["type"], c["actor"]) for c in a["consequences"]])'

# The dispute view: contested event, the unit as it stood when the card was recorded, outcome.
curl -sS "$BASE/api/v1/disputes/d-001" -H "$(auth "$JIWEI")" > dispute.json
python3 -c 'import json; d = json.load(open("dispute.json")); print(sorted(d))'
echo "(full view in dispute.json)"

# The evidence pack for the unit, checked offline with only the public key.
curl -sS "$BASE/api/v1/evidence/unit/village-sanjiayu" -H "$(auth "$JIWEI")" -o pack.json
ledger verify-pack pack.json --public-key "${LEDGER_SIGNING_KEY_FILE}.pub"
# Any changed byte fails.
python3 - <<'PY'
data = bytearray(open("pack.json", "rb").read()); data[len(data) // 2] ^= 1
open("pack-tampered.json", "wb").write(data)
PY
if ledger verify-pack pack-tampered.json --public-key "${LEDGER_SIGNING_KEY_FILE}.pub"; then
  echo "UNEXPECTED: a tampered pack verified"; exit 1
else
  echo "tampered pack rejected, as it should be"
fi
