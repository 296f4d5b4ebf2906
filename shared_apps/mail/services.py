"""The one outbound email path (DESIGN.md): every feature that emails someone calls `email_send`.

A message is a template name plus a context of plain strings. It is rendered in the
recipient's language and sent by a Celery task after the caller's transaction commits, so a
rolled-back write never emails anyone and a slow SMTP server never holds a request.
Templates live at `mail/<name>_subject.txt`, `mail/<name>.txt` and optionally
`mail/<name>.html` in any app's `templates/` folder.
"""

from __future__ import annotations

from dataclasses import dataclass

from celery import current_app
from django.conf import settings
from django.core.mail import EmailMultiAlternatives
from django.db import transaction
from django.template import TemplateDoesNotExist
from django.template.loader import render_to_string
from django.utils import translation

from core.i18n import SUPPORTED_LANGUAGES


@dataclass(frozen=True)
class RenderedEmail:
    subject: str
    text: str
    html: str | None


def email_render(*, template: str, context: dict[str, str], language: str) -> RenderedEmail:
    language = language if language in SUPPORTED_LANGUAGES else settings.LANGUAGE_CODE[:2]
    with translation.override(language):
        subject = render_to_string(f"mail/{template}_subject.txt", context)
        text = render_to_string(f"mail/{template}.txt", context)
        try:
            html: str | None = render_to_string(f"mail/{template}.html", context)
        except TemplateDoesNotExist:
            html = None
    # Headers may not contain newlines; templates end with one.
    return RenderedEmail(subject=" ".join(subject.split()), text=text, html=html)


def email_deliver(*, to: str, template: str, context: dict[str, str], language: str) -> None:
    """Render and hand to Django's email backend now (the Celery task calls this)."""
    rendered = email_render(template=template, context=context, language=language)
    message = EmailMultiAlternatives(
        subject=rendered.subject,
        body=rendered.text,
        from_email=settings.DEFAULT_FROM_EMAIL,
        to=[to],
    )
    if rendered.html is not None:
        message.attach_alternative(rendered.html, "text/html")
    message.send()


def email_send(*, to: str, template: str, context: dict[str, str], language: str) -> None:
    """Queue one email, sent once the current transaction commits."""
    # Rendering now surfaces a missing template or variable in the caller, not in a worker.
    email_render(template=template, context=context, language=language)

    def queue() -> None:
        # By name: the tasks module imports this one, and imports go one way (ADR 0008).
        current_app.send_task(
            "shared_apps.mail.tasks.email_deliver_task",
            kwargs={"to": to, "template": template, "context": context, "language": language},
        )

    transaction.on_commit(queue)
