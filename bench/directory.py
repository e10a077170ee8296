"""Directory speed: loading ~900 bodies warm (≤ 20 ms) and `konpfoi bodies search` (≤ 300 ms).

Warm means the parsed cache (keyed by the files' content) is in place; cold parses the YAML.
"""

from __future__ import annotations

import os
import shutil
import tempfile
from pathlib import Path

from common import (
    arguments,
    baseline,
    konpfoi,
    report,
    tempdir,
    time_call,
    time_command,
    workspace_env,
)

from konpfoi.directory import catalogue


def main() -> None:
    runs = arguments(__doc__, 21).parse_args().runs
    exe = konpfoi()
    with tempdir() as tmp:
        cache = Path(tmp) / "cache"
        os.environ["KONPFOI_CACHE_DIR"] = str(cache)
        n = len(catalogue.load())

        def cold() -> None:
            shutil.rmtree(cache, ignore_errors=True)
            catalogue.load()

        env = workspace_env(Path(tempfile.mkdtemp(dir=tmp)))
        base = baseline(runs)
        rows = [
            (f"load {n} bodies, cold (YAML, C loader)", time_call(cold, max(5, runs // 3)),
             None),
            (f"load {n} bodies, warm (cache)", time_call(catalogue.load, runs), 0.020),
            ("konpfoi bodies search guys", time_command([exe, "bodies", "search", "guys"], env,
                                                        runs), 0.300),
            ("konpfoi bodies show trust:RJ1", time_command([exe, "bodies", "show", "trust:RJ1"],
                                                           env, runs), None),
        ]
    report(rows, base)


if __name__ == "__main__":
    main()
