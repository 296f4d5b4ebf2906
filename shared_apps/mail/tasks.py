from __future__ import annotations

import smtplib

from celery import shared_task

from shared_apps.mail.services import email_deliver


@shared_task(
    name="shared_apps.mail.tasks.email_deliver_task",  # services.email_send queues it by name
    autoretry_for=(smtplib.SMTPException, OSError),
    retry_backoff=10,
    retry_backoff_max=600,
    max_retries=8,
)
def email_deliver_task(*, to: str, template: str, context: dict[str, str], language: str) -> None:
    email_deliver(to=to, template=template, context=context, language=language)
