"""Start-up and drafting speed: `konpfoi --help` (≤ 200 ms) and one `konpfoi draft` (≤ 300 ms)."""

from __future__ import annotations

from pathlib import Path

from common import arguments, baseline, konpfoi, report, tempdir, time_command, workspace_env


def main() -> None:
    runs = arguments(__doc__, 21).parse_args().runs
    exe = konpfoi()
    with tempdir() as tmp:
        env = workspace_env(Path(tmp))
        base = baseline(runs)
        rows = [
            ("konpfoi --help", time_command([exe, "--help"], env, runs), 0.200),
            ("konpfoi draft --to icb:QKK --questions palantir-fdp",
             time_command([exe, "draft", "--to", "icb:QKK", "--questions", "palantir-fdp",
                           "--force"], env, runs), 0.300),
            ("konpfoi draft --to 'south east london' (name)",
             time_command([exe, "draft", "--to", "south east london", "--questions",
                           "palantir-fdp", "--force"], env, runs), 0.300),
        ]
    report(rows, base)


if __name__ == "__main__":
    main()
