"""The WSGI application loads the views at start-up, so the first user does not wait for them."""

from __future__ import annotations

import os
import subprocess
import sys


def test_the_views_are_loaded_when_the_application_starts(tmp_path):
    code = (
        "import sys\n"
        "import opora.wsgi\n"
        "print(all(m in sys.modules for m in ('opora.identification.views',\n"
        "    'opora.programs.views', 'opora.api.views', 'opora.analytics.matching')))\n"
    )
    done = subprocess.run(
        [sys.executable, "-c", code],
        capture_output=True,
        text=True,
        timeout=120,
        env={**os.environ, "OPORA_VAR_DIR": str(tmp_path)},
    )
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == "True"
