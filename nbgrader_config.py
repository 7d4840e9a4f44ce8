"""nbgrader's configuration for JupyterLab started in this folder (`make lab`): the formgrader (JupyterLab's
"Nbgrader" menu) then works on the course folder that `make student` and `make grade` fill, with the same
settings, so a teacher grades the written answers by hand where the autograded scores already are."""

from pathlib import Path

from medmeta_lite.workbook.grading import COURSE, course_config

c = get_config()  # noqa: F821 - provided by nbgrader when it loads this file
c.merge(course_config(Path(__file__).resolve().parent / COURSE))
