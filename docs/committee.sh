#!/bin/sh
# The committee walkthrough (README "Late entries, contradicted and overturned decisions"):
# against `ledger serve` on port 8000, a late visit is flagged and contradicts an exit.
set -e
B=http://127.0.0.1:8000/api/v1
A=$(ledger token create --actor county-admin --role admin | tail -1)
C=$(ledger token create --actor cadre-zhou --role cadre --unit v-walk | tail -1)
I=$(ledger token create --actor inspector-li --role inspector | tail -1)
J=$(ledger token create --actor jiwei-zhao --role discipline | tail -1)
D() { date -u -d "$1 days ago" +%Y-%m-%dT10:00:00+08:00; }   # a business moment N days ago
post() { curl -s -X POST $B/events/batch -H "Authorization: Bearer $1" \
  -H 'Content-Type: application/json' -d "{\"events\": [$2]}"; echo; }
ALL_MET='"food":"met","clothing":"met","education":"met","medical":"met","housing":"met","water":"met"'
# A village, its cadre and an inspector, a poor household visited with everything met.
post $A '{"type":"UnitRegistered","data":{"unit_id":"v-walk","name":"Walk","kind":"village"}},
 {"type":"PersonRegistered","data":{"person_id":"cadre-zhou","name":"Zhou","unit_id":"v-walk"}},
 {"type":"PersonRegistered","data":{"person_id":"inspector-li","name":"Li","unit_id":"v-walk"}},
 {"type":"HouseholdRegistered","occurred_at":"'$(D 60)'","data":{"household_id":"hh-walk","village_id":"v-walk","head_name":"Chen","size":3,"category":"registered_poor"}},
 {"type":"InspectionRecorded","occurred_at":"'$(D 30)'","data":{"inspection_id":"i-walk-1","subject_type":"household","subject_id":"hh-walk","method":"visit","inspector_ids":["cadre-zhou"],"income":{"wage":30000},"checks":{'"$ALL_MET"'}}}'
# The village's cadre takes the household out of poverty, step by step, on time.
post $C '{"type":"ExitAppraised","occurred_at":"'$(D 18)'","data":{"household_id":"hh-walk","year":'$(date -u -d '18 days ago' +%Y)',"votes_for":30,"votes_total":35}},
 {"type":"ExitVerified","occurred_at":"'$(D 16)'","data":{"household_id":"hh-walk","year":'$(date -u -d '18 days ago' +%Y)',"passed":true,"note":"checked"}},
 {"type":"ExitAcknowledged","occurred_at":"'$(D 15)'","data":{"household_id":"hh-walk","year":'$(date -u -d '18 days ago' +%Y)'}},
 {"type":"ExitPublicized","occurred_at":"'$(D 14)'","data":{"household_id":"hh-walk","year":'$(date -u -d '18 days ago' +%Y)',"from":"'$(date -u -d '14 days ago' +%F)'","to":"'$(date -u -d '6 days ago' +%F)'"}},
 {"type":"HouseholdExited","occurred_at":"'$(D 5)'","data":{"household_id":"hh-walk","year":'$(date -u -d '18 days ago' +%Y)'}}'
# Today the inspector types in a visit made 20 days ago, before the verification: housing unmet.
post $I '{"type":"InspectionRecorded","occurred_at":"'$(D 20)'","data":{"inspection_id":"i-walk-2","subject_type":"household","subject_id":"hh-walk","method":"visit","inspector_ids":["inspector-li"],"checks":{"housing":"unmet"}}}'
sleep 2   # the follower flags it behind the views
# The committee's list: the late entry (what it changed, over which dates) and the exit
# verification and the exit it contradicts (the reasons a refusal would have given).
curl -s "$B/late-entries" -H "Authorization: Bearer $J"; echo
curl -s "$B/late-entries?kind=contradiction&unit_id=v-walk" -H "Authorization: Bearer $J"; echo
# The household shows its contradicted decisions; the cadre's trail the decisions, the
# inspector's the late entry.
curl -s "$B/households/hh-walk" -H "Authorization: Bearer $J" | python3 -c 'import json,sys; print(json.load(sys.stdin)["contradicted_decisions"])'
curl -s "$B/people/cadre-zhou/accountability" -H "Authorization: Bearer $J" | python3 -c 'import json,sys; print([d["type"] for d in json.load(sys.stdin)["contradicted_decisions"]])'
curl -s "$B/people/inspector-li/accountability" -H "Authorization: Bearer $J" | python3 -c 'import json,sys; print(json.load(sys.stdin)["late_entries"])'
