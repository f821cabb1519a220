"""The app layering holds: the import-linter contracts in pyproject.toml (`make layers`) are
kept, so the suite guards them even when it is run on its own."""

import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[3]


def test_no_app_imports_against_the_layering_so_import_cycles_stay_gone():
    # A separate process: lint-imports configures logging globally, which would silence the
    # loggers of the tests that run after it in this worker.
    result = subprocess.run(  # noqa: S603 - our own tool from this virtualenv, fixed arguments
        [Path(sys.executable).with_name("lint-imports"), "--no-cache", "--no-logo"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert result.returncode == 0, result.stdout + result.stderr
