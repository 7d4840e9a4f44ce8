"""The self-check widget that ends every notebook: the bank's checks, answered and scored in place.
"""

from __future__ import annotations

import html

import ipywidgets as widgets

from medmeta_lite.interview import bank, quiz, rendering
from medmeta_lite.interview.messages import MESSAGES


def check_widget(question: bank.Question, lang: str = "en", on_result=None):
    """Return a ``VBox`` for the check of one question: prompt, input, a Check button and feedback.

    Parameters
    ----------
    question : Question
        Must have a check.
    lang : {"en", "zh"}, default="en"
    on_result : callable or None, default=None
        Called as ``on_result(question, result)`` after each scored attempt (the trainer records progress).

    Returns
    -------
    ipywidgets.VBox
        Its ``children`` are the prompt (HTML), the input, the button and the feedback (HTML); the
        feedback element has the CSS class ``medmeta-feedback``.
    """

    bank.check_lang(lang)
    check = question.check
    if check is None:
        raise ValueError(f"question {question.id} has no check")
    prompt = widgets.HTML(f"<div style=\"{rendering.TEXT_STYLE}\"><b>{html.escape(question.id)}</b> · "
                          f"{html.escape(check.prompt.get(lang))}</div>")
    if check.type == "multiple_choice":
        texts = check.options.get(lang)
        options = [(texts[index], index) for index in quiz.option_order(question)]
        entry = widgets.RadioButtons(options=options, value=None, layout=widgets.Layout(width="auto"))
    elif check.type == "numeric":
        entry = widgets.Text(placeholder="0.0", layout=widgets.Layout(width="12em"))
    else:
        entry = widgets.Textarea(placeholder=MESSAGES["answer_here"][lang],
                                 layout=widgets.Layout(width="95%", height="6em"))
    button = widgets.Button(description=MESSAGES["check"][lang], button_style="primary")
    feedback = widgets.HTML("")
    feedback.add_class("medmeta-feedback")

    def on_click(_button):
        if check.type == "multiple_choice" and entry.value is None:
            feedback.value = html.escape(MESSAGES["no_choice"][lang])
            return
        try:
            result = quiz.score_answer(question, entry.value, lang)
        except ValueError:
            feedback.value = html.escape(MESSAGES["not_number"][lang])
            return
        # Free text gets a neutral colour: keyword coverage is a hint to compare with the model answer.
        colour = "#1f4e79" if check.type == "short_answer" else ("#2e7d32" if result.correct else "#c62828")
        lines = quiz.feedback_text(question, result, lang).split("\n")
        body = "<br>".join(html.escape(line) for line in lines)
        # ipywidgets' HTML box breaks long lines anywhere, even inside words; wrap at spaces, ~100 characters
        style = (f"color:{colour};white-space:normal;word-break:normal;overflow-wrap:normal;max-width:100ch;"
                 f"{rendering.TEXT_STYLE}")
        feedback.value = f"<div style=\"{style}\">{body}</div>"
        if on_result is not None:
            on_result(question, result)

    button.on_click(on_click)
    box = widgets.VBox([prompt, entry, button, feedback], layout=widgets.Layout(margin="0 0 12px 0"))
    box.add_class("medmeta-check")
    return box


def self_check(notebook: str, lang: str = "en", on_result=None):
    """Return an ``ipywidgets.VBox`` with every check of the questions of ``notebook``.

    Parameters
    ----------
    notebook : str
        A notebook stem such as ``"01_what_is_meta_learning"``.
    lang : {"en", "zh"}, default="en"
    on_result : callable or None, default=None
        Passed to :func:`check_widget`.

    Returns
    -------
    ipywidgets.VBox

    Notes
    -----
    Every notebook ends with ``self_check(notebook="NN_name")``; the trainer is
    `notebooks/15_interview_trainer.ipynb`.

    Examples
    --------
    >>> box = self_check(notebook="01_what_is_meta_learning")
    >>> len(box.children) >= 1
    True
    """

    bank.check_lang(lang)
    checked = [question for question in bank.questions(notebook=notebook) if question.check is not None]
    if not checked:
        raise ValueError(f"notebook {notebook!r} has no questions with a check in the interview bank")
    # no heading of its own: the notebook's "Self-check" section already has one
    return widgets.VBox([check_widget(question, lang, on_result) for question in checked])
