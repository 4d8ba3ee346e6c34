"""E-mails to customer users: rendered from a subject, a plain-text and an HTML template, in
the recipient's language, and sent by a task so that a slow mail server never holds a request.
"""

import logging

from django.conf import settings
from django.core.mail import EmailMultiAlternatives
from django.tasks import task
from django.template.loader import render_to_string
from django.utils import translation

from comptoir.accounts.models import User

logger = logging.getLogger(__name__)


def render_email(template_prefix: str, context: dict, *, to: str) -> EmailMultiAlternatives:
    """An e-mail from ``PREFIX_subject.txt``, ``PREFIX.txt`` and ``PREFIX.html``, rendered in
    the active language."""
    subject = "".join(render_to_string(f"{template_prefix}_subject.txt", context).splitlines())
    body = render_to_string(f"{template_prefix}.txt", context)
    message = EmailMultiAlternatives(subject.strip(), body, settings.DEFAULT_FROM_EMAIL, [to])
    message.attach_alternative(render_to_string(f"{template_prefix}.html", context), "text/html")
    return message


def language_of(user: User) -> str:
    """The language to write to ``user`` in: its own choice, else the site's."""
    return user.language or settings.LANGUAGE_CODE


@task
def send_email(subject: str, body: str, html: str, to: str) -> None:
    """Send an e-mail rendered beforehand (the task's arguments must be plain values)."""
    message = EmailMultiAlternatives(subject, body, settings.DEFAULT_FROM_EMAIL, [to])
    message.attach_alternative(html, "text/html")
    message.send()
    logger.info("e-mail %r sent to %s", subject, to)


def enqueue_email(template_prefix: str, context: dict, *, user: User) -> None:
    """Render an e-mail to ``user`` in its language now, and queue it for sending."""
    with translation.override(language_of(user)):
        message = render_email(template_prefix, context, to=user.email)
    html = next(content for content, mimetype in message.alternatives if mimetype == "text/html")
    send_email.enqueue(subject=message.subject, body=message.body, html=html, to=user.email)
