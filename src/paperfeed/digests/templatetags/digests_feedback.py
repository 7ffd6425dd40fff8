"""``{% feedback_buttons paper %}``: the "more / less like this" buttons of a paper."""

from __future__ import annotations

from django import template

from paperfeed.digests.feedback import current_feedback

register = template.Library()
BUTTONS = "digests/_feedback_buttons.html"


@register.simple_tag(takes_context=True)
def feedback_buttons(context, paper):
    """The buttons in the user's current state: ``paper.feedback_signal`` when the caller
    loaded it (one query for a list), else one query for this paper."""
    if hasattr(paper, "feedback_signal"):
        signal = paper.feedback_signal
    else:
        signal = current_feedback(context.get("user"), paper.pk)
    template_ = context.template.engine.get_template(BUTTONS)
    with context.push(paper=paper, signal=signal):
        return template_.render(context)
