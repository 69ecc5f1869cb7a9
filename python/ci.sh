#!/usr/bin/env bash
# CI for the Python package: build the wheel with maturin, install it into a fresh virtualenv (the
# wheel alone, offline; then the pinned SDKs, pytest and pytest-xdist from PyPI), and run the
# package's tests (python/tests) and the example suite (examples/pytest, then again with -n 2).
#
#   python/ci.sh                            a dev-profile wheel (the default, for CI time)
#   SAS_MOCK_WHEEL=release python/ci.sh     the wheel as it is published (see below)
#
# dev: `maturin build --strip` on the dev profile, the same one `cargo build` uses, so the
#   dependencies `cargo build` compiled into target/debug are reused and only the sas-mock crate is
#   built again (about a minute after `cargo build`, instead of 3-4 minutes for a release build on 2
#   cores). It links glibc dynamically, so its tag is this machine's (manylinux_2_34 here).
# release: the published wheel: --release, with glibc linked statically (as the Dockerfile does) so
#   that it runs on any x86_64 Linux; its tag is manylinux_2_5 / manylinux1.
#
# Everything it makes is under target/python-ci/ (gitignored), made afresh on each run. Exits non-zero
# if the build, the install or any test run fails.
set -euo pipefail
cd "$(dirname "$0")/.."

MATURIN_VERSION=1.9.6
TEST_PINS=(pytest-xdist==3.8.0 execnet==2.1.2)
PYTHON=${PYTHON:-python3}
WORK=target/python-ci
started=$SECONDS

die() { echo "python/ci.sh: $*" >&2; exit 1; }
step() { echo "== $* ($((SECONDS - started))s)"; }

rm -rf "$WORK"
mkdir -p "$WORK"

step "maturin $MATURIN_VERSION"
"$PYTHON" -m venv "$WORK/build-venv" || die "could not create a virtualenv with $PYTHON"
"$WORK/build-venv/bin/python" -m pip install -q --disable-pip-version-check "maturin==$MATURIN_VERSION" \
  || die "pip could not install maturin==$MATURIN_VERSION"

case "${SAS_MOCK_WHEEL:-dev}" in
  dev) build=(env "$WORK/build-venv/bin/maturin" build --locked --strip) ;;
  release) build=(env RUSTFLAGS="-C target-feature=+crt-static"
                  "$WORK/build-venv/bin/maturin" build --locked --release --target x86_64-unknown-linux-gnu) ;;
  *) die "SAS_MOCK_WHEEL must be dev or release, not '$SAS_MOCK_WHEEL'" ;;
esac
step "building the ${SAS_MOCK_WHEEL:-dev} wheel: ${build[*]:1}"
"${build[@]}" --out "$WORK/wheels" || die "maturin build failed"
wheels=("$WORK"/wheels/*.whl)
(( ${#wheels[@]} == 1 )) || die "expected one wheel in $WORK/wheels, found: ${wheels[*]}"
wheel=${wheels[0]}
echo "$(basename "$wheel"): $(stat -c %s "$wheel") bytes"

step "checking what the wheel holds"
"$WORK/build-venv/bin/python" - "$wheel" <<'EOF' || die "the wheel is missing something"
import sys, zipfile
with zipfile.ZipFile(sys.argv[1]) as wheel:
    names = wheel.namelist()
    entry_points = next((wheel.read(n).decode() for n in names if n.endswith(".dist-info/entry_points.txt")), "")
    binary = [i for i in wheel.infolist() if i.filename.endswith(".data/scripts/sas-mock")]
problems = [f"no {n}" for n in ("sas_mock/__init__.py", "sas_mock/pytest_plugin.py", "sas_mock/py.typed")
            if n not in names]
problems += [] if binary else ["no sas-mock executable under .data/scripts/"]
problems += [] if "sas_mock=sas_mock.pytest_plugin" in entry_points.replace(" ", "") else ["no pytest11 entry point"]
problems += [f"unexpected file {n}" for n in names if "/tests/" in n or n.startswith("tests/")]
for problem in problems:
    print(f"wheel: {problem}", file=sys.stderr)
sys.exit(1 if problems else 0)
EOF

step "a fresh virtualenv: the wheel (offline), then the pinned SDKs and test tools"
"$PYTHON" -m venv "$WORK/venv" || die "could not create a virtualenv with $PYTHON"
PY="$WORK/venv/bin/python"
"$PY" -m pip install -q --disable-pip-version-check --no-index "$wheel" \
  || die "the wheel does not install offline into a plain venv"
"$PY" -m pip install -q --disable-pip-version-check -r tests/sdk/requirements.txt "${TEST_PINS[@]}" \
  || die "pip could not install tests/sdk/requirements.txt and ${TEST_PINS[*]}"
[[ -x "$WORK/venv/bin/sas-mock" ]] || die "installing the wheel put no sas-mock on the venv's PATH"
"$WORK/venv/bin/sas-mock" --version >/dev/null || die "the installed sas-mock does not run"

# Test what the wheel installed, not a binary or checkout from the environment.
unset SAS_MOCK_BIN PYTHONPATH
export NO_PROXY="127.0.0.1,localhost${NO_PROXY:+,$NO_PROXY}" no_proxy="127.0.0.1,localhost${no_proxy:+,$no_proxy}"

rc=0
run_pytest() {
  step "pytest $*"
  timeout 900 "$PY" -m pytest -p no:cacheprovider "$@" || { echo "python/ci.sh: pytest $* failed" >&2; rc=1; }
}
run_pytest -q python/tests
run_pytest -q examples/pytest
run_pytest -q -n 2 examples/pytest

step "time from import to a ready server"
"$PY" python/startup_time.py 10 || rc=1

step "done: exit $rc"
exit $rc
