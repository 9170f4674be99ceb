#!/usr/bin/env bash
# One node whose only hit/no-hit partner is a black hole (a port that accepts
# connections and never answers): prints the wall time of five screenings and
# whom each answer lists as unanswered. Needs curl and python3.
#   crates/server/bench/fed_unreachable.sh <tansiq binary> <check_timeout_ms> <check_cooldown_ms>
set -euo pipefail
BIN=$(realpath "$1"); CT=$2; CD=$3
D=$(mktemp -d /tmp/tansiq-fed-unreachable.XXXX); cd "$D"
P=$(python3 -c "import socket;s=socket.socket();s.bind(('127.0.0.1',0));print(s.getsockname()[1])")
H=$(python3 -c "import socket;s=socket.socket();s.bind(('127.0.0.1',0));print(s.getsockname()[1])")
python3 -c "import socket,time;s=socket.socket();s.bind(('127.0.0.1',$H));s.listen(512);time.sleep(300)" &
HOLE=$!
cat > tansiq.toml <<T
[server]
listen = "127.0.0.1:$P"
[store]
location = "m.db"
[security]
pepper_file = "m.pepper"
[node]
id = "tn"
identity_file = "m.identity"
[audit]
checkpoint_file = "m.checkpoint"
[rate_limit]
per_key_per_second = 0
[federation]
public_url = "http://127.0.0.1:$P"
check_timeout_ms = $CT
check_cooldown_ms = $CD
T
ADMIN=$($BIN admin create-admin --agency tn-admin --agency-name Office --user admin-tn --name "Fictive Admin" --config tansiq.toml | tail -1)
$BIN serve --config tansiq.toml 2> serve.log &
SRV=$!
for i in $(seq 100); do curl -sf http://127.0.0.1:$P/healthz >/dev/null && break; sleep 0.1; done
U=http://127.0.0.1:$P
curl -sf -H "Authorization: Bearer $ADMIN" -H 'content-type: application/json' -d '{"id":"tn-police","name":"Police"}' $U/v1/agencies >/dev/null
curl -sf -H "Authorization: Bearer $ADMIN" -H 'content-type: application/json' -d '{"id":"off","agency":"tn-police","name":"Fictive Officer","roles":["officer"]}' $U/v1/users >/dev/null
TOK=$(curl -sf -H "Authorization: Bearer $ADMIN" -H 'content-type: application/json' -d '{"label":"m"}' $U/v1/users/off/keys | python3 -c "import json,sys;print(json.load(sys.stdin)['token'])")
KEYS=$(curl -sf -H "Authorization: Bearer $ADMIN" $U/v1/federation/invite | python3 -c "import json,sys;print(json.dumps(json.load(sys.stdin)['keys']))")
curl -sf -X PUT -H "Authorization: Bearer $ADMIN" -H 'content-type: application/json' \
  -d "{\"base_url\":\"http://127.0.0.1:$H\",\"keys\":$KEYS,\"incoming\":{\"rules\":[{\"level\":\"hit-no-hit\"}]}}" $U/v1/federation/partners/xx >/dev/null
sleep 1.2  # partner cache
for i in 1 2 3 4 5; do
  curl -s -o r.json -w "%{time_total} " -H "Authorization: Bearer $TOK" -H 'content-type: application/json' \
    -d '{"names":["Fictive Traveller Number'$i'"],"birth_date":"1980-01-01"}' $U/v1/screen
  python3 -c "import json;r=json.load(open('r.json'));print(r.get('remote_unanswered'))"
done
kill $SRV $HOLE; wait $SRV 2>/dev/null || true
rm -rf $D
