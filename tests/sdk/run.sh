#!/usr/bin/env bash
# Runs the official-SDK compatibility suite against a sas-mock binary.
#
#   SAS_MOCK_BIN=/path/to/sas-mock tests/sdk/run.sh      (default: <repo>/target/debug/sas-mock)
#
# Installs the pinned clients on first use (tests/sdk/.venv, tests/sdk/node_modules), then runs the
# Python suite (pytest), the polling example (examples/polling, pytest with the sas_mock plugin) and the
# Node suite (node --test). Exits non-zero if any of them fails, if a client cannot be installed, or if
# the server binary is missing. Nothing is ever skipped silently.
set -euo pipefail

die() { echo "tests/sdk/run.sh: $*" >&2; exit 1; }

# Resolve SAS_MOCK_BIN against the caller's directory before moving to the repo root.
SDK_DIR="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
REPO_ROOT="$(cd "$SDK_DIR/../.." && pwd)"
BIN="${SAS_MOCK_BIN:-$REPO_ROOT/target/debug/sas-mock}"
case "$BIN" in /*) ;; *) BIN="$PWD/$BIN" ;; esac
cd "$REPO_ROOT"

[[ -f "$BIN" && -x "$BIN" ]] || die "no executable sas-mock at $BIN: build it (cargo build) or set SAS_MOCK_BIN"
export SAS_MOCK_BIN="$BIN"

for tool in python3 node npm; do
  command -v "$tool" >/dev/null 2>&1 || die "$tool is required but not on PATH"
done

# The SDKs talk to 127.0.0.1 only; never let a proxy from the environment get in between.
export NO_PROXY="127.0.0.1,localhost${NO_PROXY:+,$NO_PROXY}"
export no_proxy="$NO_PROXY"

fingerprint() { sha256sum "$1" | cut -d' ' -f1; }

# --- Python clients ---------------------------------------------------------------------------------
VENV="$SDK_DIR/.venv"
PY_STAMP="$VENV/.requirements.sha256"
if [[ ! -x "$VENV/bin/python" ]]; then
  echo "== creating $VENV"
  python3 -m venv "$VENV" || die "could not create the virtualenv $VENV"
fi
if [[ ! -f "$PY_STAMP" || "$(cat "$PY_STAMP")" != "$(fingerprint "$SDK_DIR/requirements.txt")" ]]; then
  echo "== installing the pinned Python SDKs"
  "$VENV/bin/python" -m pip install -q --disable-pip-version-check -r "$SDK_DIR/requirements.txt" \
    || die "pip could not install tests/sdk/requirements.txt"
  fingerprint "$SDK_DIR/requirements.txt" > "$PY_STAMP"
fi

# --- Node clients -----------------------------------------------------------------------------------
NODE_STAMP="$SDK_DIR/node_modules/.package-lock.sha256"
if [[ ! -f "$NODE_STAMP" || "$(cat "$NODE_STAMP")" != "$(fingerprint "$SDK_DIR/package-lock.json")" ]]; then
  echo "== installing the pinned Node SDKs (npm ci)"
  (cd "$SDK_DIR" && npm ci --no-audit --no-fund --loglevel=error) || die "npm ci failed in tests/sdk"
  fingerprint "$SDK_DIR/package-lock.json" > "$NODE_STAMP"
fi

# --- run both suites --------------------------------------------------------------------------------
started=$SECONDS
echo "== Python SDKs (pytest) against $SAS_MOCK_BIN"
py_rc=0
"$VENV/bin/python" -m pytest -q tests/sdk/python || py_rc=$?

# The polling example (examples/polling): the Tea Python SDK with the sas_mock package's pytest plugin,
# straight from the checkout (python/ on PYTHONPATH; the plugin honours SAS_MOCK_BIN).
echo "== examples/polling (pytest, sas_mock plugin) against $SAS_MOCK_BIN"
example_rc=0
PYTHONPATH=python "$VENV/bin/python" -m pytest -q -p no:cacheprovider -p sas_mock.pytest_plugin examples/polling \
  || example_rc=$?

echo "== Node SDKs (node --test) against $SAS_MOCK_BIN"
node_rc=0
node --test --test-reporter=spec tests/sdk/node/ || node_rc=$?

echo "== done in $((SECONDS - started))s: pytest exit $py_rc, examples/polling exit $example_rc, node --test exit $node_rc"
if (( py_rc != 0 || example_rc != 0 || node_rc != 0 )); then
  exit 1
fi
