"""The package installs and works outside the checkout: build the wheel, install it, run it.

The wheel is built from a copy of the checkout's files (tracked and new, not ignored) with the
project venv's pinned setuptools and no network (`--no-build-isolation --no-index`), and installed
with `--no-deps` into a fresh venv in a temporary folder. That venv gets the project venv's
*dependencies* through one `.pth` line naming its site-packages, because installing
python-telegram-bot, discord.py and the rest again would need the network or a wheel cache and
take minutes. A plain `.pth` line only appends that folder to `sys.path`: the `.pth` files inside
it, among them the editable install's finder that maps `bot` to the checkout, are not run, so the
`bot` package, its data and the `pitboard` script come from the wheel alone (a test checks where
`bot` was imported from). What the shared folder could hide, an import the wheel does not
declare, is checked on its own: every third-party import in the installed `bot` must be met by
the wheel's requirements, directly or through theirs.

Then, from a folder outside the checkout: `pitboard --version`, `pitboard check` and a piped
`/next` on the bundled data, `pitboard init` for a new operator, and the systemd unit's
`ExecStart` (docs/pitboard.service) against the installed script.
"""

from __future__ import annotations

import ast
import shlex
import shutil
import subprocess
import sys
import sysconfig
from collections.abc import Iterator
from dataclasses import dataclass
from importlib.metadata import distribution, packages_distributions
from pathlib import Path

import pytest
from packaging.requirements import Requirement
from packaging.utils import canonicalize_name

import bot

ROOT = Path(__file__).resolve().parents[1]
UNIT = ROOT / "docs" / "pitboard.service"

pytestmark = pytest.mark.packaging


@dataclass(frozen=True)
class Installed:
    venv: Path
    outside: Path  # an empty folder outside the checkout to run commands in

    def pitboard(self, *args: str, stdin: str = "", cwd: Path | None = None) -> Done:
        return _run([str(self.venv / "bin" / "pitboard"), *args], cwd or self.outside, stdin)

    def python(self, code: str) -> Done:
        return _run([str(self.venv / "bin" / "python"), "-c", code], self.outside, "")


@dataclass(frozen=True)
class Done:
    returncode: int
    stdout: str
    stderr: str


def _run(argv: list[str], cwd: Path, stdin: str, env: dict[str, str] | None = None) -> Done:
    done = subprocess.run(
        argv,
        cwd=cwd,
        input=stdin,
        capture_output=True,
        text=True,
        timeout=120,
        # Nothing from the caller's environment: no PYTHONPATH pointing into the checkout.
        env=env or {"PATH": "/usr/bin:/bin", "HOME": str(cwd), "NO_COLOR": "1"},
    )
    return Done(done.returncode, done.stdout, done.stderr)


def _checkout_files() -> list[str]:
    listing = subprocess.run(
        ["git", "ls-files", "-z", "--cached", "--others", "--exclude-standard"],
        cwd=ROOT,
        capture_output=True,
        check=True,
        text=True,
    )
    return [name for name in listing.stdout.split("\0") if name and (ROOT / name).is_file()]


@pytest.fixture(scope="module")
def installed(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Installed]:
    base = tmp_path_factory.mktemp("packaging")
    source, dist, venv, outside = (base / name for name in ("src", "dist", "venv", "outside"))
    for name in _checkout_files():
        (source / name).parent.mkdir(parents=True, exist_ok=True)
        shutil.copy2(ROOT / name, source / name)
    outside.mkdir()
    pip = [sys.executable, "-m", "pip", "--disable-pip-version-check", "--no-input"]
    steps = [
        [*pip, "wheel", "--no-deps", "--no-build-isolation", "--no-index", "-w", str(dist), "."],
        [sys.executable, "-m", "venv", "--without-pip", str(venv)],
    ]
    for argv in steps:
        subprocess.run(argv, cwd=source, check=True, capture_output=True, timeout=300)
    (wheel,) = dist.glob("pitboard-*.whl")
    target = ["--python", str(venv / "bin" / "python")]
    install = [*pip, *target, "install", "--no-deps", "--no-index", str(wheel)]
    subprocess.run(install, check=True, capture_output=True, timeout=300)
    result = Installed(venv, outside)
    site = result.python("import sysconfig; print(sysconfig.get_path('purelib'))").stdout.strip()
    # The dependencies, shared read-only (see the module's docstring for why a .pth).
    (Path(site) / "pitboard_test_dependencies.pth").write_text(
        sysconfig.get_path("purelib") + "\n", encoding="utf-8"
    )
    yield result


def test_bot_and_its_data_come_from_the_wheel(installed: Installed) -> None:
    done = installed.python(
        "import bot, bot.bundled as b; print(bot.__file__); "
        "print(b.example_config()); print(b.bundled_schedules())"
    )
    assert done.returncode == 0, done.stderr
    for line in done.stdout.splitlines():
        path = Path(line)
        assert path.is_relative_to(installed.venv), line
        assert not path.is_relative_to(ROOT), line
        assert path.exists(), line


def test_every_package_the_installed_code_imports_is_a_declared_dependency(
    installed: Installed,
) -> None:
    """The shared dependencies would hide an import the wheel forgot to require: so every
    third-party import in the installed `bot` must be met by the wheel's requirements (directly
    or through theirs), as a `pip install` of the wheel anywhere else would meet it."""
    (metadata,) = installed.venv.glob("lib/python*/site-packages/pitboard-*.dist-info/METADATA")
    requires = [
        line.split(":", 1)[1].strip()
        for line in metadata.read_text(encoding="utf-8").splitlines()
        if line.startswith("Requires-Dist:")
    ]
    declared = _closure([Requirement(text) for text in requires if "extra ==" not in text])
    (package,) = installed.venv.glob("lib/python*/site-packages/bot")
    owners = packages_distributions()
    imported: dict[str, set[str]] = {}
    for path in package.rglob("*.py"):
        for top in _imported_top_level_names(path):
            for owner in owners.get(top, [f"<no distribution provides {top!r}>"]):
                imported.setdefault(canonicalize_name(owner), set()).add(top)
    undeclared = {name: tops for name, tops in imported.items() if name not in declared}
    assert undeclared == {}, f"imported by bot but not required by the wheel: {undeclared}"
    assert {"python-telegram-bot", "discord-py", "apscheduler"} <= imported.keys()


def _imported_top_level_names(path: Path) -> set[str]:
    names = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            names |= {alias.name.split(".")[0] for alias in node.names}
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            names.add(node.module.split(".")[0])
    return names - set(sys.stdlib_module_names) - {"bot", "__future__"}


def _closure(requirements: list[Requirement]) -> set[str]:
    """The distributions these requirements install, with their extras, in this environment."""
    seen: set[tuple[str, tuple[str, ...]]] = set()
    todo = [(req.name, tuple(sorted(req.extras))) for req in requirements]
    while todo:
        name, extras = todo.pop()
        if (canonicalize_name(name), extras) in seen:
            continue
        seen.add((canonicalize_name(name), extras))
        for text in distribution(name).requires or []:
            req = Requirement(text)
            wanted = [{"extra": extra} for extra in (*extras, "")]
            if req.marker is None or any(req.marker.evaluate(env) for env in wanted):
                todo.append((req.name, tuple(sorted(req.extras))))
    return {name for name, _ in seen}


def test_version(installed: Installed) -> None:
    done = installed.pitboard("--version")
    assert (done.returncode, done.stdout.strip()) == (0, f"pitboard {bot.__version__}")


def test_check_and_a_piped_next_use_the_bundled_data_outside_the_checkout(
    installed: Installed,
) -> None:
    check = installed.pitboard("check")
    assert check.returncode == 0, check.stderr
    assert check.stdout.startswith("ok: 3 series, 5 events, 10 sessions, 7 drivers in ")
    assert "_bundled" in check.stdout

    piped = installed.pitboard("run", stdin="/next\n")
    assert piped.returncode == 0, piped.stderr
    # The season is over by the real clock: the answer says so, and names the last event.
    assert "Nothing ahead" in piped.stdout and "Ljungbyhed (STCC 2022, round 1)" in piped.stdout

    then = installed.pitboard("--at", "2022-05-12T09:00+02:00", "next")
    assert then.returncode == 0, then.stderr
    assert "Free Practice — Hankook 12h Hockenheimring, 24H Series 2022" in then.stdout


def test_init_writes_a_starter_folder_that_checks_and_never_overwrites(
    installed: Installed,
) -> None:
    done = installed.pitboard("init", "mybot")
    assert done.returncode == 0, done.stderr
    folder = installed.outside / "mybot"
    assert (folder / "config.toml").read_text(encoding="utf-8") == (
        ROOT / "config.example.toml"
    ).read_text(encoding="utf-8")
    assert (folder / "schedules" / "2022" / "tcr-germany.toml").is_file()

    check = installed.pitboard("check", cwd=folder)
    assert check.returncode == 0, check.stderr
    assert check.stdout.rstrip().endswith(" in schedules")  # the folder's own, not the bundled

    (folder / "config.toml").write_text('[general]\ntimezone = "Europe/Berlin"\n')
    again = installed.pitboard("init", "mybot")
    assert again.returncode == 1
    assert "already exist" in again.stderr and "nothing was written" in again.stderr
    assert (folder / "config.toml").read_text() == '[general]\ntimezone = "Europe/Berlin"\n'


def test_the_systemd_units_execstart_is_the_installed_command(installed: Installed) -> None:
    lines = UNIT.read_text(encoding="utf-8").splitlines()
    (exec_start,) = [line.split("=", 1)[1] for line in lines if line.startswith("ExecStart=")]
    program, *arguments = shlex.split(exec_start)
    # The unit names the script in its own venv's bin/; here that venv is the test's.
    assert Path(program).parent.name == "bin"
    script = installed.venv / "bin" / Path(program).name
    assert script.is_file(), f"{Path(program).name} is not a script the package installs"
    help_text = _run([str(script), *arguments, "--help"], installed.outside, "")
    assert help_text.returncode == 0, help_text.stderr
    assert help_text.stdout.startswith(f"usage: pitboard {' '.join(arguments)}")


def test_the_public_pages_templates_come_with_the_wheel(installed: Installed) -> None:
    done = installed.python(
        "from bot.web.page import environment; "
        "print(environment().get_template('series.html').filename)"
    )
    assert done.returncode == 0, done.stderr
    path = Path(done.stdout.strip())
    assert path.is_relative_to(installed.venv) and path.exists(), path


def test_the_message_catalogs_come_with_the_wheel(installed: Installed) -> None:
    done = installed.python(
        "from bot.core.i18n import LOCALE_DIR, translate_for; "
        "print(translate_for('sv', 'Next up'), translate_for('de', 'Next up'), LOCALE_DIR, "
        "sep='|')"
    )
    assert done.returncode == 0, done.stderr
    swedish, german, where = done.stdout.strip().split("|")
    assert (swedish, german) == ("Härnäst", "Als Nächstes")
    assert Path(where).is_relative_to(installed.venv)
