"""Captured output of real ctr 1.6, 1.7 and 2.x runs (tests/unit/fixtures/ctr/<version>/)."""
from pathlib import Path

import pytest

FIXTURES = Path(__file__).resolve().parents[3] / "unit" / "fixtures" / "ctr"
VERSIONS = ["1.6", "1.7", "2.x"]


@pytest.fixture(params=VERSIONS)
def captured(request):
    """captured(name) -> text of fixtures/ctr/<version>/<name>."""
    def read(name):
        return (FIXTURES / request.param / name).read_text()
    read.version = request.param
    return read
