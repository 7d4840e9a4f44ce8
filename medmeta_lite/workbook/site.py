"""The offline site: every executed notebook as an HTML page, an index page, and the scripts they load
(the slide decks of :mod:`medmeta_lite.workbook.slides` load the same ones).

``make workbook`` writes ``build/html/``. ``index.html`` lists the notebooks; each page opens with a banner
that says it is a static copy and how to run it live; the widget manager, RequireJS and MathJax lie in
``build/html/_static/``, so the pages typeset their equations and show their widgets with no network.

The scripts come from an npm ``node_modules`` folder (the Makefile installs :data:`NPM_PACKAGES` there).
Without npm, MathJax comes from the ``jupyter-server-mathjax`` wheel, still local, and only the widget
manager is left to a CDN; :func:`install_scripts` says so on standard error.
"""

from __future__ import annotations

import html
import shutil
import sys
from dataclasses import dataclass
from pathlib import Path

import jupyter_server_mathjax
import nbformat
from nbconvert import HTMLExporter, SlidesExporter
from nbconvert.filters import markdown2html

from medmeta_lite.workbook.launchers import COLAB_BADGE_IMAGE, DISTRIBUTION, colab_url, repository_url
from medmeta_lite.workbook.notebook_files import read_notebook

STATIC = "_static"
NPM_PACKAGES = ("@jupyter-widgets/html-manager@1.0.15", "requirejs@2.3.8", "mathjax@2.7.9", "reveal.js@4.0.2",
                "jquery@3.7.1")
"""What ``make workbook`` and ``make slides`` install with npm (pinned, so every build is the same)."""
NPM_FILES = {
    # written under _static/ : where it lies in node_modules (a file or a folder)
    "embed-amd.js": "@jupyter-widgets/html-manager/dist/embed-amd.js",
    "require.js": "requirejs/require.js",
    "jquery.min.js": "jquery/dist/jquery.min.js",
    "reveal.js/dist": "reveal.js/dist",
    "reveal.js/plugin/notes": "reveal.js/plugin/notes",
    "reveal.js/LICENSE": "reveal.js/LICENSE",
}
# The parts of npm's MathJax 2.7 that TeX input with CommonHTML output loads (8 of its 73 MB).
MATHJAX_PARTS = ("MathJax.js", "LICENSE", "config/TeX-AMS_CHTML-full.js", "config/Safe.js", "extensions",
                 "jax/input/TeX", "jax/output/CommonHTML", "jax/element", "fonts/HTML-CSS/TeX/woff",
                 "localization/en")
TEMPLATES = Path(__file__).resolve().parent / "templates"
TEMPLATE_NAME = "medmeta_static"


@dataclass(frozen=True)
class SiteScripts:
    """Where pages and slide decks load their scripts from (relative URLs when local)."""

    require_js_url: str
    widget_renderer_url: str
    mathjax_url: str
    jquery_url: str
    reveal_url_prefix: str
    offline: bool


def _copy(source: Path, target: Path) -> None:
    """Copy a file or a folder to ``target``, creating its parent folders."""
    if source.is_dir():
        shutil.copytree(source, target, dirs_exist_ok=True)
    else:
        target.parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(source, target)


def install_scripts(html_dir: Path, node_modules: Path | None = None) -> SiteScripts:
    """Copy the scripts the pages need into ``html_dir/_static`` and return where the pages find them.

    Parameters
    ----------
    html_dir : Path
        The folder of the pages (or of the slide decks).
    node_modules : Path or None
        An npm folder holding :data:`NPM_PACKAGES`. None, or a folder that lacks them, falls back to
        MathJax from the ``jupyter-server-mathjax`` wheel and the widget manager from its CDN.

    Examples
    --------
    >>> import tempfile
    >>> scripts = install_scripts(Path(tempfile.mkdtemp()), node_modules=None)  # says so on standard error
    >>> scripts.mathjax_url.startswith("_static/mathjax/MathJax.js"), scripts.offline
    (True, False)
    """
    static = Path(html_dir) / STATIC
    static.mkdir(parents=True, exist_ok=True)
    root = Path(node_modules) if node_modules else None
    sources = {target: root / source for target, source in NPM_FILES.items()} if root else {}
    npm_mathjax = root / "mathjax" if root else None
    if sources and all(path.exists() for path in sources.values()) and (npm_mathjax / "MathJax.js").is_file():
        for target, path in sources.items():
            _copy(path, static / target)
        for part in MATHJAX_PARTS:
            _copy(npm_mathjax / part, static / "mathjax" / part)
        return SiteScripts(f"{STATIC}/require.js", f"{STATIC}/embed-amd.js",
                           f"{STATIC}/mathjax/MathJax.js?config=TeX-AMS_CHTML-full,Safe",
                           f"{STATIC}/jquery.min.js", f"{STATIC}/reveal.js", offline=True)
    reason = ("npm's packages were not given" if not node_modules
              else f"{node_modules} does not hold {', '.join(NPM_PACKAGES)}")
    print(f"{reason}: MathJax comes from the jupyter-server-mathjax wheel, but the widget manager (and, for "
          "slides, reveal.js) will be loaded from a CDN when a page opens (install Node.js's npm and run the "
          "make target again for pages that work offline)", file=sys.stderr)
    wheel_mathjax = Path(jupyter_server_mathjax.__file__).parent / "static"
    shutil.copytree(wheel_mathjax, static / "mathjax", dirs_exist_ok=True)
    defaults = SlidesExporter()
    return SiteScripts(defaults.require_js_url, defaults.widget_renderer_url,
                       f"{STATIC}/mathjax/MathJax.js?config=TeX-AMS-MML_HTMLorMML-full,Safe",
                       defaults.jquery_url, defaults.reveal_url_prefix, offline=False)


def live_hint() -> str:
    """How to run the workbook live, as HTML: a clone and ``make lab``, or pip from the repository."""
    source = html.escape(f'"{DISTRIBUTION} @ git+{repository_url()}"')
    return ("Run it live: <code>make lab</code> in a clone of the repository, or "
            f"<code>pip install {source}</code> then <code>medmeta notebooks my-notebooks</code>")


def banner_html(notebook_name: str) -> str:
    """The notice at the top of every page: a static copy, what does not work in it, how to run it live."""
    return (
        '<aside class="medmeta-static-banner" role="note">'
        f"<p><strong>Static copy.</strong> This page shows <code>{html.escape(notebook_name)}</code> as it "
        "ran when the site was built. Sliders and buttons still move, but nothing runs behind them: a figure "
        "keeps its last picture and a Submit button does nothing.</p>"
        f"<p>{live_hint()}, or <a href=\"{html.escape(colab_url(notebook_name))}\">open it in Colab</a>. "
        '<a href="index.html">All notebooks</a>.</p>'
        "</aside>"
    )


def without_remote_images(notebook) -> None:
    """Replace each "Open in Colab" badge image of an nbformat notebook by its text, in place: the image
    would be fetched from the network, and offline it shows as a broken picture; the link stays."""
    for cell in notebook.cells:
        if cell.cell_type == "markdown":
            cell.source = cell.source.replace(f"![Open in Colab]({COLAB_BADGE_IMAGE})", "Open in Colab")


def export_page(executed: Path, html_dir: Path, scripts: SiteScripts) -> Path:
    """Write the HTML page of one executed notebook into ``html_dir`` and return its path."""
    notebook = nbformat.read(executed, as_version=4)
    without_remote_images(notebook)
    # The base dir finds the template; the plain path finds what both templates include (widget_fonts).
    exporter = HTMLExporter(extra_template_basedirs=[str(TEMPLATES)], extra_template_paths=[str(TEMPLATES)],
                            template_name=TEMPLATE_NAME,
                            require_js_url=scripts.require_js_url,
                            widget_renderer_url=scripts.widget_renderer_url, mathjax_url=scripts.mathjax_url)
    name = Path(executed).name
    body, _ = exporter.from_notebook_node(notebook, resources={"medmeta_banner": banner_html(name)})
    page = Path(html_dir) / Path(name).with_suffix(".html").name
    page.parent.mkdir(parents=True, exist_ok=True)
    page.write_text(body, encoding="utf-8")
    return page


def notebook_summary(notebook: Path) -> tuple[str, str]:
    """The title (the first heading) and first paragraph of a notebook's opening cell, as plain text."""
    cells = read_notebook(notebook)["cells"]
    lines = "".join(cells[0]["source"]).strip().splitlines()
    title = lines[0].lstrip("#").strip() if lines else Path(notebook).stem
    paragraph = []
    for line in lines[1:]:
        if line.strip():
            paragraph.append(line.strip())
        elif paragraph:
            break
    return title, " ".join(paragraph)


INDEX_STYLE = """
body { font-family: system-ui, -apple-system, "Segoe UI", Roboto, sans-serif; max-width: 60rem;
       margin: 2rem auto; padding: 0 1rem; line-height: 1.5; color: #1f2328; }
table { border-collapse: collapse; width: 100%; }
th, td { text-align: left; vertical-align: top; padding: 0.45rem 0.6rem; border-bottom: 1px solid #d0d7de; }
th { background: #f6f8fa; }
td p { margin: 0; }
code { background: #f3f4f6; padding: 0 0.2em; }
.medmeta-static-banner { padding: 0.75em 1em; border-left: 4px solid #c77c02; background: #fff6e5; }
.medmeta-static-banner p { margin: 0.25em 0; }
"""


def write_index(html_dir: Path, notebooks: list[Path]) -> Path:
    """Write ``index.html``: the title, how to run the workbook live, and a table linking every page.

    Examples
    --------
    >>> import tempfile
    >>> from medmeta_lite.data import list_notebooks
    >>> index = write_index(Path(tempfile.mkdtemp()), list_notebooks()[:2])
    >>> "00_start_here.html" in index.read_text(encoding="utf-8")
    True
    """
    rows = []
    for notebook in notebooks:
        title, summary = notebook_summary(notebook)
        page = Path(notebook).with_suffix(".html").name
        rows.append(f'<tr><td><a href="{html.escape(page)}">{html.escape(title)}</a></td>'
                    f"<td>{markdown2html(summary)}</td>"
                    f'<td><a href="{html.escape(colab_url(Path(notebook).name))}">Colab</a></td></tr>')
    body = (
        "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n"
        "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n"
        "<title>medmeta-lite: meta-learning for medical image analysis</title>\n"
        f"<style>{INDEX_STYLE}</style>\n</head>\n<body>\n"
        "<h1>medmeta-lite: meta-learning for medical image analysis</h1>\n"
        "<p>A workbook of interview questions, model answers and runnable demos. Each notebook below pairs "
        "a question with an answer, a demo and a self-check.</p>\n"
        '<aside class="medmeta-static-banner" role="note"><p><strong>Static copies.</strong> These pages '
        "were run once when the site was built; their sliders and buttons do nothing. "
        f"{live_hint()}, or open a notebook in Colab from the last column.</p></aside>\n"
        "<table>\n<thead><tr><th>Notebook</th><th>What it is about</th><th>Run live</th></tr></thead>\n"
        "<tbody>\n" + "\n".join(rows) + "\n</tbody>\n</table>\n</body>\n</html>\n"
    )
    index = Path(html_dir) / "index.html"
    index.parent.mkdir(parents=True, exist_ok=True)
    index.write_text(body, encoding="utf-8")
    return index
