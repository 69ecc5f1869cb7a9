#!/usr/bin/env bash
# Builds the seed corpora in fuzz/seeds/ from the SDK captures and the fixture files.
#
#   fuzz/seed-corpus.sh [CAPTURES_DIR]
#
# CAPTURES_DIR defaults to ../shared/reference/captures beside the checkout's parent
# (/work/shared/reference/captures on a developer machine). Needs python3. The output is small
# (tens of files) and committed; rerun after adding captures or fixtures.
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
root="$(dirname "$here")"
captures="${1:-$root/../../shared/reference/captures}"
[ -d "$captures" ] || captures=/work/shared/reference/captures
seeds="$here/seeds"
rm -rf "$seeds"
mkdir -p "$seeds/requests" "$seeds/admin" "$seeds/fixtures" "$seeds/duration"

python3 - "$captures" "$root/fixtures" "$seeds" <<'PY'
import base64, glob, json, os, re, sys

captures, fixtures, seeds = sys.argv[1:4]

def request_seed(method, query, headers, body):
    head = f"{method} {query}\n" + "".join(f"{n}: {v}\n" for n, v in headers)
    return head.encode() + b"\n" + body

def write(folder, name, data):
    with open(os.path.join(seeds, folder, name), "wb") as f:
        f.write(data if isinstance(data, bytes) else data.encode())

# Every request the official SDKs sent, as received (raw query, headers, body bytes).
for path in sorted(glob.glob(os.path.join(captures, "*.json"))):
    stem = os.path.basename(path)[:-5]
    for i, r in enumerate(json.load(open(path))["requests"]):
        body = base64.b64decode(r.get("body_b64") or "")
        seed = request_seed(r["method"], r.get("raw_query") or "", r["headers"], body)
        write("requests", f"{stem}-{i}", seed)

# Hand-written requests for the branches the SDKs never take.
D = "Action=DescribeScanTaskProgress&Version=2018-12-03"
form = [("content-type", "application/x-www-form-urlencoded")]
for name, seed in {
    "unsigned-get": request_seed("GET", D + "&TaskId=282832", [], b""),
    "unsigned-form": request_seed("POST", "", form, (D + "&TaskId=282832").encode()),
    "acs-headers": request_seed("POST", "TaskId=1", [("x-acs-action", "DescribeScanTaskProgress"), ("x-acs-version", "2018-12-03")], b""),
    "bad-escapes": request_seed("GET", D + "&TaskId=%FF%G1%&Format=xml", [], b""),
    "raw-bytes-body": request_seed("POST", D, form, b"TaskId=\xff\xfe&TargetInfo=%5B%5D"),
    "v3-garbage": request_seed("POST", "", [("authorization", "ACS3-HMAC-SHA256 Credential=testid,SignedHeaders=host;;x-acs-date,Signature=00,Signature=11")], b""),
    "v2-missing-parts": request_seed("GET", D + "&AccessKeyId=testid&SignatureMethod=HMAC-SHA1&Signature=", [], b""),
    "put": request_seed("PUT", D, [], b""),
}.items():
    write("requests", name, seed)

# Admin API calls, for the router target (a first-line target starting with / is a path).
default_fixture = open(os.path.join(fixtures, "default.json"), "rb").read()
for name, seed in {
    "tasks-create": request_seed("POST", "/__admin/tasks", [], json.dumps({"accessKeyId": "testid", "schedule": {"init": {"polls": 1}}, "progress": "Failed"}).encode()),
    "tasks-get": request_seed("GET", "/__admin/tasks/282832?accountId=default", [], b""),
    "tasks-delete": request_seed("DELETE", "/__admin/tasks/100001?accessKeyId=testid", [], b""),
    "faults-add": request_seed("POST", "/__admin/faults", [], json.dumps({"match": {"action": "*", "taskId": 1}, "error": {"status": 429, "code": "Throttling.User", "message": "x"}, "times": 2, "probability": 0.5}).encode()),
    "faults-clear": request_seed("DELETE", "/__admin/faults?accountId=1234567890123456", [], b""),
    "fixtures-load": request_seed("POST", "/__admin/fixtures", [], default_fixture),
    "clock": request_seed("POST", "/__admin/clock", [], b'{"advance": "1.5m"}'),
    "reset": request_seed("POST", "/__admin/reset?accountId=default", [], b""),
    "requests": request_seed("GET", "/__admin/requests?limit=5&action=StartVirusScanTask", [], b""),
}.items():
    write("admin", name, seed)

# Fixture documents: the repository's files, plus small documents for the other shapes.
for path in sorted(glob.glob(os.path.join(fixtures, "*.json"))):
    write("fixtures", os.path.basename(path), open(path, "rb").read())
for name, doc in {
    "empty": {},
    "readme-example": {
        "accounts": [
            {"accessKeyId": "testid", "accessKeySecret": "testsecret", "accountId": "1234567890123456", "deny": ["DescribeScanTaskProgress"]},
            {"accessKeyId": "STS.k", "accessKeySecret": "s", "accountId": "1234567890123456", "securityToken": "token"},
            {"accessKeyId": "old", "accessKeySecret": "s", "accountId": "1", "active": False},
        ],
        "schedule": {"init": "1s", "processing": "5s", "outcome": "Success"},
        "tasks": [
            {"taskId": 282832, "accessKeyId": "testid", "targetInfo": [{"type": "uuid", "name": "host001", "target": "503201a7-14c6-4280-801b-1169ed420000"}],
             "schedule": {"init": {"polls": 1}, "processing": {"polls": 3}, "outcome": "Failed"}},
            {"taskId": 282833, "progress": "Success"},
            {"taskId": 282834, "accountId": "1", "schedule": {"outcome": {"failureRate": 0.3}}},
        ],
        "faults": [
            {"match": {"action": "DescribeScanTaskProgress", "taskId": 403403}, "error": "NoPermission"},
            {"match": {"action": "*"}, "error": "ServerError", "times": 1},
            {"match": {"accessKeyId": "testid"}, "error": {"status": 429, "code": "Throttling.User", "message": "slow"}, "probability": 0.5, "delay": "300ms"},
        ],
    },
    "target-info-string": {"tasks": [{"taskId": -1, "targetInfo": "[{\"type\":\"groupId\",\"target\":42}]", "schedule": {"init": "1.5m", "processing": "250ms"}}]},
}.items():
    write("fixtures", name + ".json", json.dumps(doc))

# Durations: every unit, fractions, and what fixtures contain.
durations = {"250ms", "2s", "1.5s", "1.5m", "1h", "0s", " 3s ", "2400h", "0.001ms", "1e3s", "-1s", "1.s"}
for path in sorted(glob.glob(os.path.join(fixtures, "*.json"))):
    durations |= set(re.findall(r'"([0-9.]+(?:ms|s|m|h))"', open(path).read()))
for i, d in enumerate(sorted(durations)):
    write("duration", f"d{i:02}", d)
PY
echo "seeds: $(find "$seeds" -type f | wc -l) files in $seeds"
