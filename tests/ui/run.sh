#!/usr/bin/env bash
# Runs the dashboard's browser tests: Debian's headless Chromium, driven by Selenium, against a
# sas-mock binary.
#
#   SAS_MOCK_BIN=/path/to/sas-mock tests/ui/run.sh      (default: <repo>/target/debug/sas-mock)
#
# Installs what it needs on first use: chromium and chromium-driver with apt-get (as root; otherwise
# it says what to install), and tests/ui/.venv with the pinned Selenium and pytest
# (tests/ui/requirements.txt) and the pinned Python SDKs (tests/sdk/requirements.txt). Saves a
# screenshot of the dashboard with data at target/ui/dashboard.png (the CI artefact). Extra
# arguments go to pytest. Exits non-zero if a test fails or anything cannot be installed.
set -euo pipefail

die() { echo "tests/ui/run.sh: $*" >&2; exit 1; }

UI_DIR="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
REPO_ROOT="$(cd "$UI_DIR/../.." && pwd)"
BIN="${SAS_MOCK_BIN:-$REPO_ROOT/target/debug/sas-mock}"
case "$BIN" in /*) ;; *) BIN="$PWD/$BIN" ;; esac
cd "$REPO_ROOT"

[[ -f "$BIN" && -x "$BIN" ]] || die "no executable sas-mock at $BIN: build it (cargo build) or set SAS_MOCK_BIN"
export SAS_MOCK_BIN="$BIN"
command -v python3 >/dev/null 2>&1 || die "python3 is required but not on PATH"

# The browser and the SDKs talk to 127.0.0.1 only; never let a proxy from the environment in between.
export NO_PROXY="127.0.0.1,localhost${NO_PROXY:+,$NO_PROXY}"
export no_proxy="$NO_PROXY"
# Selenium must not look for drivers or browsers on the network: it is given Debian's.
export SE_OFFLINE=true SE_AVOID_STATS=true

started=$SECONDS

# --- the browser ------------------------------------------------------------------------------------
export CHROMIUM="${CHROMIUM:-/usr/bin/chromium}"
export CHROMEDRIVER="${CHROMEDRIVER:-/usr/bin/chromedriver}"
if [[ ! -x "$CHROMIUM" || ! -x "$CHROMEDRIVER" ]]; then
  [[ "$(id -u)" == 0 ]] || die "needs $CHROMIUM and $CHROMEDRIVER: apt-get install chromium chromium-driver (as root)"
  echo "== installing chromium and chromium-driver (apt-get)"
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq || die "apt-get update failed"
  apt-get install -y -qq chromium chromium-driver >/dev/null || die "apt-get could not install chromium chromium-driver"
fi
echo "== $("$CHROMIUM" --version 2>/dev/null || echo chromium), $("$CHROMEDRIVER" --version 2>/dev/null | cut -d' ' -f1-2)"

# --- Python: Selenium, pytest, the SDKs ---------------------------------------------------------------
VENV="$UI_DIR/.venv"
STAMP="$VENV/.requirements.sha256"
fingerprint() { cat "$UI_DIR/requirements.txt" "$REPO_ROOT/tests/sdk/requirements.txt" | sha256sum | cut -d' ' -f1; }
if [[ ! -x "$VENV/bin/python" ]]; then
  echo "== creating $VENV"
  python3 -m venv "$VENV" || die "could not create the virtualenv $VENV"
fi
if [[ ! -f "$STAMP" || "$(cat "$STAMP")" != "$(fingerprint)" ]]; then
  echo "== installing the pinned Selenium, pytest and Python SDKs"
  "$VENV/bin/python" -m pip install -q --disable-pip-version-check -r "$UI_DIR/requirements.txt" \
    || die "pip could not install tests/ui/requirements.txt"
  fingerprint > "$STAMP"
fi
echo "== ready in $((SECONDS - started))s"

# --- run ----------------------------------------------------------------------------------------------
rm -f "$REPO_ROOT/target/ui/dashboard.png"
echo "== dashboard browser tests (pytest + selenium) against $SAS_MOCK_BIN"
tests_started=$SECONDS
rc=0
# The mock is started through the project's own Python package (python/sas_mock), from the checkout.
PYTHONPATH="$REPO_ROOT/python${PYTHONPATH:+:$PYTHONPATH}" \
  timeout 300 "$VENV/bin/python" -m pytest -q -p no:cacheprovider "$UI_DIR" "$@" || rc=$?
echo "== done in $((SECONDS - tests_started))s (whole script $((SECONDS - started))s): pytest exit $rc"
if [[ -f "$REPO_ROOT/target/ui/dashboard.png" ]]; then
  echo "== screenshot: target/ui/dashboard.png"
fi
exit "$rc"
