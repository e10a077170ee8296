"""Regenerate the packaged bodies.yaml from the open data files (see README for the sources)."""

from __future__ import annotations

import argparse
import datetime as dt
from pathlib import Path

from konpfoi import importers

ROOT = Path(__file__).resolve().parent.parent


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("data", type=Path, help="folder holding the downloaded source files")
    parser.add_argument("--checked", default="2026-08-22",
                        help="date the contact data was last checked upstream")
    parser.add_argument("-o", "--output", type=Path, default=ROOT / "bodies.yaml")
    args = parser.parse_args()
    d: Path = args.data
    entries = importers.icbs_from_table(d / "icbs_2026_DERIVED.csv", args.checked)
    sources = ["icbs_2026_DERIVED.csv (NHS ODS, ONS, Davewest84/nhs-trust-icb-data CC0)"]
    importers.write_bodies(entries, args.output, sources, dt.date.today().isoformat())
    print(f"wrote {len(entries)} bodies to {args.output}")


if __name__ == "__main__":
    main()
