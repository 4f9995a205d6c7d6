"""Schedule files: parse and validate a schedules directory into a Catalog.

    catalog = load_catalog(Path("schedules"))          # raises ScheduleError with every problem
    catalog, problems = check_directory(Path("schedules"))   # the same, without raising

Every problem names its file (relative to the directory), line and dotted key. The format is
documented in schedules/README.md.
"""

from bot.core.schedules.loader import check_directory, load_catalog
from bot.core.schedules.problems import Problem, ScheduleError

__all__ = ["Problem", "ScheduleError", "check_directory", "load_catalog"]
