"""Build hook: compiles the loops of Add1's search (voting/tally/_probe.c, _chord.c) with the machine's C compiler.

Add1's search (voting/tally/mes_probe.py and probe_floats.py) prices a project some 70,000 times on Budapest's
file, and its chord proof prices winners and rivals some 50,000 times; in numpy each is some twenty calls on
short arrays. The compiled loops return what the numpy code returns (bit for bit, or but for the order of sums
in bounds proven for any order). Where no C compiler is found, or it fails, the install goes on without them
(one line says so) and the numpy code runs: the same results, slower. An editable install (`pip install -e .`)
compiles into the source tree; a wheel carries the compiled files and is tagged for this platform.
"""

from __future__ import annotations

import os
import shlex
import subprocess
import sys
import sysconfig
import tempfile
from pathlib import Path
from typing import Any

from hatchling.builders.hooks.plugin.interface import BuildHookInterface

PACKAGE = "voting/tally"
MODULES = ("_probe", "_chord")  # each from PACKAGE/<name>.c, with PACKAGE/_kernel.h


def sources_digest(directory: Path, module: str) -> str:
    """What a module is compiled from, as voting.tally.probe_floats checks it at load: a digest of _kernel.h and
    the module's .c file."""
    import hashlib

    digest = hashlib.sha256()
    for name in ("_kernel.h", f"{module}.c"):
        digest.update((directory / name).read_bytes())
    return digest.hexdigest()[:16]


def compile_module(root: Path, module: str, out_dir: Path) -> Path | None:
    """Compile one module into out_dir; the compiled file, or None (with one line on stderr) when it fails."""
    name = module + (sysconfig.get_config_var("EXT_SUFFIX") or ".so")
    if os.environ.get("GREENBALLOT_NO_COMPILE") or sys.platform == "win32" or sys.implementation.name != "cpython":
        return None
    compiler = shlex.split(os.environ.get("CC") or sysconfig.get_config_var("CC") or "cc")
    link = ["-bundle", "-undefined", "dynamic_lookup"] if sys.platform == "darwin" else ["-shared"]
    target = out_dir / name
    digest = sources_digest(root / PACKAGE, module)
    command = [*compiler, "-O3", "-fPIC", "-ffp-contract=off", "-fno-fast-math", f'-DGREENBALLOT_SOURCES="{digest}"',
               *link, "-I", sysconfig.get_paths()["include"], str(root / PACKAGE / f"{module}.c"), "-o", str(target)]
    try:
        subprocess.run(command, check=True, capture_output=True, text=True, timeout=300)  # noqa: S603 (our own command)
    except (OSError, subprocess.SubprocessError) as error:
        detail = getattr(error, "stderr", None) or str(error)
        print(f"greenballot: {module}.c was not compiled ({detail.strip().splitlines()[-1:]}); "
              "Add1 uses numpy instead", file=sys.stderr)
        return None
    return target


class CustomBuildHook(BuildHookInterface):  # type: ignore[type-arg]
    def initialize(self, version: str, build_data: dict[str, Any]) -> None:
        if self.target_name != "wheel":
            return
        root = Path(self.root)
        if version == "editable":
            for module in MODULES:
                compile_module(root, module, root / PACKAGE)
            return
        self._tmp = tempfile.TemporaryDirectory()
        for module in MODULES:
            built = compile_module(root, module, Path(self._tmp.name))
            if built is not None:
                build_data["force_include"][str(built)] = f"{PACKAGE}/{built.name}"
                build_data["pure_python"] = False
                build_data["infer_tag"] = True

    def finalize(self, version: str, build_data: dict[str, Any], artifact_path: str) -> None:
        tmp = getattr(self, "_tmp", None)
        if tmp is not None:
            tmp.cleanup()
