"""A real SMTP server on 127.0.0.1 for tests that follow an e-mail from sending to reading."""

import email
import email.policy
import re
import socket
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from email.message import EmailMessage

from aiosmtpd.controller import Controller


@dataclass
class Inbox:
    """What the server received, as parsed messages; ``port`` is where it listens."""

    port: int = 0
    messages: list[EmailMessage] = field(default_factory=list)

    async def handle_DATA(self, server, session, envelope) -> str:  # noqa: N802 (aiosmtpd's name)
        self.messages.append(
            email.message_from_bytes(envelope.content, policy=email.policy.default)
        )
        return "250 Message accepted for delivery"

    def to(self, address: str) -> list[EmailMessage]:
        return [message for message in self.messages if message["To"] == address]


def text_of(message: EmailMessage) -> str:
    return message.get_body(preferencelist=("plain",)).get_content()


def html_of(message: EmailMessage) -> str:
    return message.get_body(preferencelist=("html",)).get_content()


def link_in(message: EmailMessage, path_part: str) -> str:
    """The first link of the plain-text body whose path contains ``path_part``."""
    for link in re.findall(r"https?://\S+", text_of(message)):
        if path_part in link:
            return link
    raise AssertionError(f"no link with {path_part!r} in:\n{text_of(message)}")


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@contextmanager
def running_smtp_server() -> Iterator[Inbox]:
    """Start an SMTP server on 127.0.0.1, yield its inbox, stop it."""
    inbox = Inbox(port=_free_port())
    controller = Controller(inbox, hostname="127.0.0.1", port=inbox.port)
    controller.start()
    try:
        yield inbox
    finally:
        controller.stop()
