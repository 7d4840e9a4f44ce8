"""The offline site, the static pictures of widgets and the Voilà app's command line, without a browser
(the browser checks are in ``test_browser_site.py`` and ``test_browser_app.py``)."""

import json
import subprocess
import sys

import nbformat
import pytest

from medmeta_lite.data import list_notebooks
from medmeta_lite.workbook import app, site, static_widgets
from medmeta_lite.workbook.launchers import COLAB_BADGE_IMAGE, repository_url

FOLDERS = {"reveal.js/dist", "reveal.js/plugin/notes"}  # the npm sources that are folders


def _fake_node_modules(folder):
    assert FOLDERS <= set(site.NPM_FILES.values())
    for source in site.NPM_FILES.values():
        path = folder / source / "part.js" if source in FOLDERS else folder / source
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text("// script")
    for part in site.MATHJAX_PARTS:
        target = folder / "mathjax" / part
        if "." in target.name:
            target.parent.mkdir(parents=True, exist_ok=True)
            target.write_text("// mathjax")
        else:
            target.mkdir(parents=True, exist_ok=True)
            (target / "part.js").write_text("// mathjax part")
    return folder


def test_scripts_come_from_npm_when_given(tmp_path):
    scripts = site.install_scripts(tmp_path / "html", _fake_node_modules(tmp_path / "node_modules"))
    assert scripts.offline
    static = tmp_path / "html" / site.STATIC
    assert (static / "embed-amd.js").is_file() and (static / "require.js").is_file()
    assert (static / "mathjax" / "MathJax.js").is_file()
    assert (static / "mathjax" / "jax" / "output" / "CommonHTML" / "part.js").is_file()
    assert (static / "jquery.min.js").is_file() and (static / "reveal.js" / "dist" / "part.js").is_file()
    assert scripts.reveal_url_prefix == "_static/reveal.js" and scripts.jquery_url == "_static/jquery.min.js"
    assert scripts.mathjax_url.startswith("_static/mathjax/MathJax.js?config=TeX-AMS_CHTML")


def test_without_npm_mathjax_still_comes_from_local_files_and_the_fallback_is_announced(tmp_path, capsys):
    scripts = site.install_scripts(tmp_path / "html", tmp_path / "empty")
    assert not scripts.offline
    assert scripts.mathjax_url.startswith("_static/mathjax/MathJax.js")
    assert (tmp_path / "html" / site.STATIC / "mathjax" / "MathJax.js").is_file()
    assert not scripts.widget_renderer_url.startswith(site.STATIC)  # nbconvert's CDN default
    message = capsys.readouterr().err
    assert "does not hold" in message and "CDN" in message and "npm" in message


def _executed_notebook(path):
    notebook = nbformat.v4.new_notebook(cells=[
        nbformat.v4.new_markdown_cell(f"# 99 · A title\n\nWhat it shows, with $x^2$.\n\n"
                                      f"[![Open in Colab]({COLAB_BADGE_IMAGE})](https://example.org)"),
        nbformat.v4.new_code_cell("1 + 1", execution_count=1,
                                  outputs=[nbformat.v4.new_output("execute_result", {"text/plain": "2"},
                                                                  execution_count=1)]),
    ])
    nbformat.write(notebook, path)
    return path


def test_a_page_says_it_is_static_and_fetches_nothing_remote(tmp_path):
    scripts = site.install_scripts(tmp_path / "html", _fake_node_modules(tmp_path / "node_modules"))
    page = site.export_page(_executed_notebook(tmp_path / "99_probe.ipynb"), tmp_path / "html", scripts)
    text = page.read_text(encoding="utf-8")
    assert page.name == "99_probe.html"
    assert "medmeta-static-banner" in text and "Static copy." in text and 'href="index.html"' in text
    # The package is not on PyPI: the live route installs it from the repository.
    assert f"medmeta-lite @ git+{repository_url()}" in text and "pip install medmeta-lite<" not in text
    assert COLAB_BADGE_IMAGE not in text, "the badge image would be fetched from the network"
    assert "Open in Colab" in text
    assert "mermaid" not in text.lower()
    assert "cdnjs" not in text and "unpkg" not in text and "jsdelivr" not in text
    assert '<script src="_static/mathjax/MathJax.js' in text and '<script src="_static/require.js"' in text


def test_the_index_lists_every_page_with_its_title_and_summary(tmp_path):
    notebooks = list_notebooks()
    index = site.write_index(tmp_path, notebooks)
    text = index.read_text(encoding="utf-8")
    for notebook in notebooks:
        title, summary = site.notebook_summary(notebook)
        assert f'href="{notebook.stem}.html"' in text and title in text
        assert summary.split()[0] in text
    assert text.count("<tr>") == len(notebooks) + 1
    assert "Static copies." in text and "make lab" in text


def test_notebook_summary_reads_the_title_and_first_paragraph(tmp_path):
    title, summary = site.notebook_summary(_executed_notebook(tmp_path / "99_probe.ipynb"))
    assert (title, summary) == ("99 · A title", "What it shows, with $x^2$.")


def test_an_image_widget_gives_its_saved_value_as_the_picture():
    state = {
        "box": {"model_name": "VBoxModel", "state": {"children": ["IPY_MODEL_slider", "IPY_MODEL_image"],
                                                     "layout": "IPY_MODEL_layout"}},
        "slider": {"model_name": "IntSliderModel", "state": {"value": 3}},
        "layout": {"model_name": "LayoutModel", "state": {}},
        "image": {"model_name": "ImageModel", "state": {"format": "png"},
                  "buffers": [{"path": ["value"], "encoding": "base64", "data": "iVBORimage"}]},
    }
    assert static_widgets.first_picture(state, "box") == "iVBORimage"
    assert static_widgets.first_picture(state, "slider") is None
    assert static_widgets.first_picture(state, "missing") is None


def test_rewriting_adds_pictures_and_keeps_everything_else(tmp_path):
    view = {"model_id": "out", "version_major": 2, "version_minor": 0}
    notebook = {
        "cells": [{"cell_type": "code", "source": "explorer()", "metadata": {}, "execution_count": 1,
                   "outputs": [{"output_type": "display_data", "metadata": {},
                                "data": {static_widgets.WIDGET_VIEW: view,
                                         "text/plain": "interactive(children=(FloatSlider(…"}},
                               {"output_type": "stream", "name": "stdout", "text": "kept\n"}]}],
        "metadata": {"widgets": {static_widgets.WIDGET_STATE: {"state": {"out": {
            "model_name": "OutputModel", "state": {"outputs": [{"data": {"image/png": "iVBORx"}}]}}}}}},
        "nbformat": 4, "nbformat_minor": 5,
    }
    path = tmp_path / "probe.ipynb"
    path.write_text(json.dumps(notebook), encoding="utf-8")
    assert static_widgets.rewrite(path) == 1
    rewritten = json.loads(path.read_text(encoding="utf-8"))
    data = rewritten["cells"][0]["outputs"][0]["data"]
    assert data["image/png"] == "iVBORx" and data[static_widgets.WIDGET_VIEW] == view
    assert data["text/plain"] == static_widgets.PLACEHOLDER
    assert rewritten["cells"][0]["outputs"][1] == notebook["cells"][0]["outputs"][1]
    assert static_widgets.rewrite(path) == 1 and json.loads(path.read_text(encoding="utf-8")) == rewritten


def test_the_static_widgets_command_refuses_a_missing_notebook(tmp_path):
    completed = subprocess.run([sys.executable, "-m", "medmeta_lite.workbook.static_widgets",
                                str(tmp_path / "nothing.ipynb")], capture_output=True, text=True)
    assert completed.returncode == 2 and "no notebook at" in completed.stderr
    assert "Traceback" not in completed.stderr


def test_the_app_command_serves_the_packaged_notebook_on_loopback_with_the_sliced_client():
    command = app.voila_command(8900, open_browser=False)
    assert command[:4] == [sys.executable, "-m", "voila", str(app.APP_NOTEBOOK)]
    assert app.APP_NOTEBOOK.is_file()
    assert "--Voila.ip=127.0.0.1" in command and "--strip_sources=True" in command
    assert "--ServerKernelManager.client_class=medmeta_lite.workbook.kernel.SlicedPollKernelClient" in command
    assert f"--VoilaExecutor.timeout={app.CELL_TIMEOUT_SECONDS}" in command


@pytest.mark.parametrize("port", [0, -1, 65536, 8.5, "8866", True])
def test_a_bad_port_is_refused_clearly(port):
    with pytest.raises(ValueError, match="port must be an integer from 1 to 65535"):
        app.voila_command(port)


def test_medmeta_app_refuses_a_bad_port_without_a_traceback():
    completed = subprocess.run([sys.executable, "-m", "medmeta_lite.interview.cli", "app", "--port", "0",
                                "--no-browser"], capture_output=True, text=True, timeout=60)
    assert completed.returncode == 2
    assert "port must be an integer from 1 to 65535, got 0" in completed.stderr
    assert "Traceback" not in completed.stderr
