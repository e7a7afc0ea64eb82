"""The wheel carries the bundled YAML: a plain install loads the framework with no path."""

from __future__ import annotations

import subprocess
import sys
import sysconfig
import venv
from pathlib import Path

import pytest

from getting_to_outcomes import load_example, load_framework

REPO = Path(__file__).parents[2]

pytestmark = pytest.mark.slow


def test_wheel_installed_in_a_fresh_environment_loads_the_framework(tmp_path: Path) -> None:
    dist = tmp_path / "dist"
    command = [sys.executable, "-m", "build", "--wheel", "--no-isolation", "--outdir", str(dist)]
    built = subprocess.run([*command, str(REPO)], capture_output=True, text=True)
    assert built.returncode == 0, built.stdout[-2000:] + built.stderr[-2000:]
    (wheel,) = dist.glob("getting_to_outcomes-*.whl")

    env_dir = tmp_path / "env"
    venv.create(env_dir, with_pip=True)
    python = env_dir / "bin" / "python"
    subprocess.run(
        [str(python), "-m", "pip", "install", "--quiet", "--no-deps", "--no-index", str(wheel)],
        check=True,
        capture_output=True,
    )
    # Dependencies come from this test environment's site-packages via PYTHONPATH; .pth
    # files there (such as an editable install of this project) are not processed, so
    # the package itself can only come from the wheel.
    site_packages = sysconfig.get_paths()["purelib"]
    script = (
        "import getting_to_outcomes as g, pathlib;"
        "fw = g.load_framework();"
        "print(pathlib.Path(g.__file__).parent);"
        "print(fw.path);"
        "print(len(fw.indicators));"
        "print(len(g.load_example().tables))"
    )
    result = subprocess.run(
        [str(python), "-c", script],
        check=True,
        capture_output=True,
        text=True,
        cwd=tmp_path,
        env={"PYTHONPATH": site_packages, "PATH": "/usr/bin:/bin"},
    )
    package_dir, framework_path, count, tables = result.stdout.split("\n")[:4]
    assert Path(package_dir).is_relative_to(env_dir)
    assert Path(framework_path).is_relative_to(Path(package_dir) / "_indicators")
    assert int(count) == len(load_framework().indicators)
    # the example network's data files are package data too
    assert int(tables) == len(load_example().tables)
