"""Running and publishing the workbook: execute every notebook, build the offline site, serve the Voilà app,
and the links that open a notebook in Colab or Binder.

- ``runner``: executes the notebooks with papermill (``python -m medmeta_lite.workbook``);
- ``site``: the offline HTML site, its scripts served from local files;
- ``app``: the Voilà app (interview trainer and demo gallery; ``medmeta app``);
- ``kernel``: the kernel client both use, which cannot sleep through a reply;
- ``launchers``: Colab and Binder links built from the one repository URL.

Only ``launchers`` is imported here: the ``medmeta`` command starts fast because it does not load papermill
and nbconvert. Import the others by module (``from medmeta_lite.workbook.runner import run_workbook``).
"""

from medmeta_lite.workbook.launchers import (
    COLAB_CELL_ID,
    binder_badge,
    colab_badge,
    colab_install_source,
    colab_url,
    repository_url,
)

__all__ = [
    "COLAB_CELL_ID",
    "binder_badge",
    "colab_badge",
    "colab_install_source",
    "colab_url",
    "repository_url",
]
