"""pytest setup: import softmdp from the build tree (SOFTMDP_BUILD, default <repo>/build) unless it is
already importable from PYTHONPATH, and find the CLI binary there."""
import os
import pathlib
import sys

import pytest

ROOT = pathlib.Path(__file__).resolve().parents[2]
BUILD = pathlib.Path(os.environ.get("SOFTMDP_BUILD", ROOT / "build"))
if not any(pathlib.Path(p, "softmdp").is_dir() for p in sys.path if p):
    sys.path.insert(0, str(BUILD / "python"))


@pytest.fixture(scope="session")
def cli():
    exe = BUILD / "softmdp"
    if not exe.exists():
        pytest.fail(f"the CLI {exe} is not built (set SOFTMDP_BUILD)")
    return str(exe)


@pytest.fixture(scope="session")
def mdps():
    return ROOT / "mdps"
