"""scripts/system-deps.sh, which `make site` and `make test` run first, as the user who runs them."""

from __future__ import annotations

import os
import pwd
import subprocess
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def test_an_ordinary_user_with_every_package_is_not_told_to_install_them() -> None:
    """An ordinary user's PATH has no /sbin, where ldconfig is: the script said the Pango and HarfBuzz libraries
    were missing (`sudo apt-get install libpango-1.0-0 …`) and `make site` stopped, on a machine that had them."""
    as_ordinary_user = None
    if os.getuid() == 0:  # root's PATH has /sbin: run it as `nobody` (who could not install anything either)
        nobody = pwd.getpwnam("nobody")
        as_ordinary_user = lambda: (os.setgid(nobody.pw_gid), os.setuid(nobody.pw_uid))  # noqa: E731
    done = subprocess.run(
        ["sh", str(ROOT / "scripts" / "system-deps.sh"), "build"],
        env={"PATH": "/usr/local/bin:/usr/bin:/bin", "HOME": "/tmp", "LANG": "C.UTF-8"},
        preexec_fn=as_ordinary_user,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert done.returncode == 0, done.stderr  # the packages are there: `make test` installed them
    assert done.stderr == ""
