"""Rendering of bank questions as HTML for the notebooks: ``show()`` and the helpers the widgets share.
"""

from __future__ import annotations

import html
import re

from IPython.display import HTML

from medmeta_lite.interview.bank import LANGUAGES, Question, join_lines, questions, topics
from medmeta_lite.interview.messages import MESSAGES, level_label

# JupyterLab's theme variables, with light-theme fallbacks for static HTML.
_CODE_STYLE = "background:var(--jp-layout-color2, #f6f8fa);padding:6px;overflow-x:auto"


MUTED_STYLE = "color:var(--jp-ui-font-color2, #555)"
# ipywidgets gives HTML widgets the line height of a one-line control (28 px), so wrapped text looks
# double-spaced; text blocks set an ordinary one.
TEXT_STYLE = "line-height:1.45"


def paragraphs_html(text: str) -> str:
    """Turn plain text into HTML: blank lines separate paragraphs; 4-space indented blocks are code.

    Consecutive code blocks (a function with blank lines inside) stay in one ``<pre>``.
    """
    parts, code = [], []

    def flush_code():
        if code:
            listing = "\n\n".join(code)
            parts.append(f"<pre style=\"{_CODE_STYLE}\"><code>{html.escape(listing)}</code></pre>")
            code.clear()

    for block in re.split(r"\n\s*\n", text.strip("\n")):
        lines = block.split("\n")
        if all(line.startswith("    ") or not line.strip() for line in lines):
            code.append("\n".join(line[4:] for line in lines))
        else:
            flush_code()
            parts.append(f"<p>{html.escape(join_lines(lines))}</p>")
    flush_code()
    return "".join(parts)


def list_html(items) -> str:
    return "<ul>" + "".join(f"<li>{html.escape(item)}</li>" for item in items) + "</ul>"


def question_html(question: Question, lang: str = "both", *, model_answers: bool = True) -> str:
    """Return the HTML of one question: prompt visible, answer, key points and follow-ups folded.

    The hidden parts sit inside ``<details>`` elements, which JupyterLab and a static HTML export both
    render as click-to-open sections without any JavaScript. With ``model_answers=False`` (the student
    version of a course) they are left out, and a line says so.

    Examples
    --------
    >>> from medmeta_lite.interview import get_question
    >>> snippet = question_html(get_question("mlf-001"), lang="en")
    >>> "<details" in snippet and "What is meta-learning?" in snippet
    True
    """
    if lang not in (*LANGUAGES, "both"):
        raise ValueError(f"lang must be 'en', 'zh' or 'both', got {lang!r}")
    langs = LANGUAGES if lang == "both" else (lang,)
    label_topic = topics()[question.topic]
    meta = " · ".join([question.id, " / ".join(label_topic.get(code) for code in langs),
                       " / ".join(dict.fromkeys(level_label(question.kind, code) for code in langs)),
                       " / ".join(dict.fromkeys(level_label(question.difficulty, code) for code in langs))])
    prompts = "".join(f"<div lang=\"{code}\" class=\"medmeta-prompt\">"
                      f"{paragraphs_html(question.prompt.get(code))}</div>" for code in langs)
    hidden = []
    for code in langs if not model_answers else ():
        hidden.append(f"<p lang=\"{code}\" class=\"medmeta-answer-withheld\" style=\"{MUTED_STYLE}\">"
                      f"{html.escape(MESSAGES['answer_withheld'][code])}</p>")
    for code in langs if model_answers else ():
        summary = MESSAGES["answer"][code]
        body = (paragraphs_html(question.answer.get(code))
                + f"<p><b>{MESSAGES['key_points'][code]}</b></p>{list_html(question.key_points.get(code))}"
                + f"<p><b>{MESSAGES['follow_ups'][code]}</b></p>{list_html(question.follow_ups.get(code))}")
        hidden.append(f"<details lang=\"{code}\" class=\"medmeta-answer\"><summary>{summary}</summary>"
                      f"{body}</details>")
    sources = (f"<details class=\"medmeta-sources\"><summary>"
               f"{' / '.join(MESSAGES['sources'][code] for code in langs)}</summary>"
               f"{list_html(question.sources)}</details>")
    return (f"<div class=\"medmeta-question\" id=\"{html.escape(question.id)}\" "
            f"style=\"border-left:4px solid #4c72b0;padding:4px 12px;margin:12px 0\">"
            f"<div style=\"{MUTED_STYLE};font-size:90%\">{html.escape(meta)}</div>"
            f"{prompts}{''.join(hidden)}{sources}</div>")


def show(*, notebook: str | None = None, topic: str | None = None, ids=None, lang: str = "both",
         model_answers: bool = True):
    """Render a selection of questions for a notebook, answers folded until the reader opens them.

    Parameters
    ----------
    notebook, topic : str or None, default=None
        Filters, as in :func:`questions`.
    ids : iterable of str or None, default=None
        Keep only these question ids (in this order).
    lang : {"both", "en", "zh"}, default="both"
    model_answers : bool, default=True
        False leaves out the model answers, key points and follow-ups (a course's student version).

    Returns
    -------
    IPython.display.HTML

    Notes
    -----
    Every notebook ends with ``interview.show(notebook="NN_name")``; see
    `notebooks/15_interview_trainer.ipynb` for the trainer built on the same bank.

    Examples
    --------
    >>> rendered = show(notebook="02_meta_learning_vs_transfer", lang="zh")
    >>> "元学习和迁移学习有什么区别" in rendered.data
    True
    >>> questions_only = show(notebook="02_meta_learning_vs_transfer", model_answers=False).data
    >>> 'class="medmeta-answer"' in questions_only, "No model answer in this version" in questions_only
    (False, True)
    """

    selection = questions(topic=topic, notebook=notebook)
    if ids is not None:
        wanted = [ids] if isinstance(ids, str) else list(ids)
        by_id = {question.id: question for question in selection}
        unknown = [question_id for question_id in wanted if question_id not in by_id]
        if unknown:
            raise ValueError(f"no question with id(s) {', '.join(unknown)} in this selection")
        selection = [by_id[question_id] for question_id in wanted]
    if not selection:
        raise ValueError(f"no interview questions match notebook={notebook!r}, topic={topic!r}")
    if not isinstance(model_answers, bool):
        raise ValueError(f"model_answers must be True or False, got {model_answers!r}")
    return HTML("".join(question_html(question, lang, model_answers=model_answers) for question in selection))
