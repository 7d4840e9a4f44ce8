"""Ways to open a notebook outside a clone: Colab and Binder links, all built from one repository URL.

The URL is written once, in ``pyproject.toml``'s ``[project.urls]``, and read from the installed package's
metadata; ``tests/test_launchers.py`` checks that every badge and install cell agrees with it.
"""

from __future__ import annotations

import importlib.metadata

DISTRIBUTION = "medmeta-lite"
COLAB_BADGE_IMAGE = "https://colab.research.google.com/assets/colab-badge.svg"
BINDER_BADGE_IMAGE = "https://mybinder.org/badge_logo.svg"
COLAB_CELL_ID = "colab-install"


def repository_url() -> str:
    """The repository named once, in ``pyproject.toml``'s ``[project.urls]`` (read from the package metadata).

    Examples
    --------
    >>> repository_url().startswith("https://github.com/")
    True
    """
    for entry in importlib.metadata.metadata(DISTRIBUTION).get_all("Project-URL") or []:
        label, _, url = entry.partition(",")
        if label.strip() == "Repository":
            return url.strip().rstrip("/")
    raise LookupError(f"{DISTRIBUTION}'s metadata names no Repository URL: reinstall the package "
                      f"(pip install -e .) after editing [project.urls] in pyproject.toml")


def _github_path() -> str:
    prefix = "https://github.com/"
    url = repository_url()
    if not url.startswith(prefix) or url.count("/") != 4:
        raise ValueError(f"the Colab and Binder links need a https://github.com/OWNER/REPOSITORY URL, "
                         f"got {url}")
    return url[len(prefix):]


def colab_url(notebook_name: str) -> str:
    """Where Colab opens ``notebook_name`` (for example ``"00_start_here.ipynb"``) from the repository."""
    return f"https://colab.research.google.com/github/{_github_path()}/blob/main/notebooks/{notebook_name}"


def colab_badge(notebook_name: str) -> str:
    """The Markdown "Open in Colab" badge of one notebook."""
    return f"[![Open in Colab]({COLAB_BADGE_IMAGE})]({colab_url(notebook_name)})"


def binder_badge() -> str:
    """The Markdown Binder badge: JupyterLab on mybinder.org, opened on notebook 00."""
    url = f"https://mybinder.org/v2/gh/{_github_path()}/main?labpath=notebooks%2F00_start_here.ipynb"
    return f"[![Launch on Binder]({BINDER_BADGE_IMAGE})]({url})"


def colab_install_source() -> str:
    """The source of every notebook's first code cell: on Colab it installs the package from the repository
    (keeping Colab's own TensorFlow, which satisfies the requirement); anywhere else it does nothing."""
    return (
        "# On Google Colab, install the workbook's package first (Colab's own TensorFlow is kept).\n"
        "# Anywhere else this cell does nothing.\n"
        "import subprocess\n"
        "import sys\n"
        "\n"
        "if \"google.colab\" in sys.modules:\n"
        "    subprocess.run([sys.executable, \"-m\", \"pip\", \"install\", \"--quiet\",\n"
        f"                    \"{DISTRIBUTION} @ git+{repository_url()}\"], check=True)\n"
        "    from google.colab import output\n"
        "\n"
        "    output.enable_custom_widget_manager()  # ipywidgets 8 in Colab's front end"
    )
