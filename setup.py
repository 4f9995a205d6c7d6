"""Build step that puts the bundled data into the package; everything else is in pyproject.toml.

An installed Pitboard needs the example config and the bundled schedules (`pitboard init` copies
them, and `pitboard next` outside a checkout reads them), but in the checkout they live at the
top level, where the README, the design card and every test expect them. Rather than keep a
second copy in git, `build_py` copies them into `bot/_bundled/` of the build, so the wheel
carries them and the checkout's files stay the one source of truth. An editable install needs
no copy: `bot/bundled.py` finds the checkout's own files.
"""

from __future__ import annotations

import shutil
from pathlib import Path

from setuptools import setup
from setuptools.command.build_py import build_py

HERE = Path(__file__).resolve().parent
# (source in the checkout, destination under bot/_bundled/ in the package)
BUNDLED = (("config.example.toml", "config.example.toml"), ("schedules", "schedules"))


class BuildPyWithBundledData(build_py):
    """`build_py`, then the checkout's config example and schedules copied into the build."""

    def run(self) -> None:
        super().run()
        if self.editable_mode:
            return
        target = Path(self.build_lib) / "bot" / "_bundled"
        # A build folder left from an earlier build may hold files since deleted in the checkout.
        shutil.rmtree(target, ignore_errors=True)
        for source, destination in BUNDLED:
            self._copy(HERE / source, target / destination)

    def _copy(self, source: Path, destination: Path) -> None:
        if source.is_dir():
            for path in sorted(source.rglob("*")):
                relative = path.relative_to(source)
                if path.is_file() and _is_data(relative):
                    self._copy(path, destination / relative)
            return
        destination.parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(source, destination)

    def get_outputs(self, include_bytecode: bool = True) -> list[str]:
        outputs: list[str] = list(super().get_outputs(include_bytecode))
        if self.editable_mode:
            return outputs
        target = Path(self.build_lib) / "bot" / "_bundled"
        return outputs + [str(path) for path in target.rglob("*") if path.is_file()]


def _is_data(relative: Path) -> bool:
    """Not an editor backup, a cache or a hidden file that happens to sit in the folder."""
    return not any(part.startswith((".", "_")) or part.endswith("~") for part in relative.parts)


setup(cmdclass={"build_py": BuildPyWithBundledData})
