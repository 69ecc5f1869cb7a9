"""The committed action catalog is what `catalog/generate.py` makes from the pinned SDK, byte for byte:
a change to the generator or to the SDK pin that would change the catalog fails here until the file is
regenerated and committed."""

from __future__ import annotations

import subprocess
import sys

from mockserver import REPO_ROOT

COMMITTED = REPO_ROOT / "catalog" / "sas-2018-12-03.json"


def test_regenerating_the_catalog_from_the_pinned_sdk_reproduces_the_committed_file(tmp_path):
    fresh = tmp_path / "catalog.json"
    done = subprocess.run(
        [sys.executable, str(REPO_ROOT / "catalog" / "generate.py"), "-o", str(fresh)],
        capture_output=True, text=True, timeout=300,
    )
    assert done.returncode == 0, done.stdout + done.stderr
    assert fresh.read_bytes() == COMMITTED.read_bytes(), (
        "catalog/generate.py no longer reproduces catalog/sas-2018-12-03.json: regenerate it "
        "(catalog/README.md) and commit the result"
    )
