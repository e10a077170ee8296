"""The built wheel carries templates, questions and bodies.yaml and works from any folder."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import sysconfig
import venv
import zipfile
from pathlib import Path

import pytest
from conftest import ROOT


@pytest.mark.slow
def test_wheel_installs_into_a_fresh_venv_and_drafts_from_another_folder(tmp_path: Path) -> None:
    dist = tmp_path / "dist"
    subprocess.run([sys.executable, "-m", "pip", "wheel", "--no-build-isolation", "--no-deps",
                    "-q", "-w", str(dist), str(ROOT)], check=True)
    [wheel] = dist.glob("konpfoi-*.whl")
    names = zipfile.ZipFile(wheel).namelist()
    for needed in ("konpfoi/_data/bodies.yaml", "konpfoi/_data/templates/foi-request.j2",
                   "konpfoi/_data/questions/palantir-fdp.yaml"):
        assert needed in names

    env_dir = tmp_path / "venv"
    venv.create(env_dir, with_pip=True)
    py = env_dir / "bin" / "python"
    subprocess.run([str(py), "-m", "pip", "install", "-q", "--no-deps", "--no-index",
                    str(wheel)], check=True)
    # The wheel's own dependencies come from this test run's environment (no network needed);
    # a path in a .pth file does not process that folder's .pth files, so no editable copy leaks in.
    site = subprocess.run([str(py), "-c", "import sysconfig; print(sysconfig.get_paths()"
                           "['purelib'])"], capture_output=True, text=True, check=True)
    Path(site.stdout.strip(), "deps.pth").write_text(sysconfig.get_paths()["purelib"] + "\n")

    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    env = {**os.environ, "KONPFOI_HOME": str(tmp_path / "home"),
           "KONPFOI_CACHE_DIR": str(tmp_path / "cache")}
    where = subprocess.run([str(py), "-c", "import konpfoi; print(konpfoi.__file__)"],
                           cwd=elsewhere, env=env, capture_output=True, text=True, check=True)
    assert where.stdout.startswith(str(env_dir)), where.stdout
    out = subprocess.run([str(env_dir / "bin" / "konpfoi"), "draft", "--to", "icb:QKK",
                          "--questions", "palantir-fdp", "--json"],
                         cwd=elsewhere, env=env, capture_output=True, text=True)
    assert out.returncode == 0, out.stderr
    [d] = json.loads(out.stdout)
    assert d["to"] == "FOI@selondonics.nhs.uk"
    assert Path(d["eml"]).is_file() and Path(d["eml"]).is_relative_to(tmp_path / "home")
