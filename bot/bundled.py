"""Where the bundled data is: the example config and the 2022 schedules Pitboard ships with.

In a checkout they are `config.example.toml` and `schedules/` at its top level. An installed
package carries copies in `bot/_bundled/`, put there when the wheel is built (see `setup.py`),
so `pitboard next` and `pitboard init` work from any folder after `pip install`. An editable
install has no copies and finds the checkout's own files.

Which files a command uses when none is named:
- the config: `./config.toml` if there is one (the operator's), else the bundled example, which
  is every key at its default;
- the schedules: the operator's config decides (`general.schedules`, relative to the working
  directory) whether or not that folder exists, so an operator's typo is reported, never
  papered over with the bundled season; without an operator's config, `./schedules` if there is
  one (a checkout), else the bundled schedules.
"""

from __future__ import annotations

from pathlib import Path

_PACKAGE = Path(__file__).resolve().parent
_INSTALLED = _PACKAGE / "_bundled"
_CHECKOUT = _PACKAGE.parent

EXAMPLE_CONFIG_NAME = "config.example.toml"
SCHEDULES_NAME = "schedules"


def bundled_path(name: str) -> Path:
    """The bundled file or folder `name`: the package's copy, or the checkout's own."""
    installed = _INSTALLED / name
    return installed if installed.exists() else _CHECKOUT / name


def example_config() -> Path:
    return bundled_path(EXAMPLE_CONFIG_NAME)


def bundled_schedules() -> Path:
    return bundled_path(SCHEDULES_NAME)


def default_schedules(configured: Path, *, from_operator_config: bool) -> Path:
    """The schedules folder when no --schedules is given (see the module's docstring)."""
    if from_operator_config or configured.is_dir():
        return configured
    return bundled_schedules()
