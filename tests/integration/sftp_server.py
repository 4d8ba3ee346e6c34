"""An SFTP server on 127.0.0.1 for the tests: asyncssh's, in a thread of its own, serving a
folder as its root to one user who logs in with a password or a key."""

import asyncio
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import asyncssh


@dataclass
class SftpServer:
    root: Path
    port: int
    user: str
    password: str
    host_key: asyncssh.SSHKey

    @property
    def public_host_key(self) -> str:
        """The host key as a known_hosts line holds it, without the host: 'ssh-ed25519 AAAA'."""
        return " ".join(self.host_key.export_public_key("openssh").decode().split()[:2])

    @property
    def known_hosts_line(self) -> str:
        return f"[127.0.0.1]:{self.port} {self.public_host_key}\n"


class _Login(asyncssh.SSHServer):
    def __init__(self, user: str, password: str) -> None:
        self.user = user
        self.password = password

    def begin_auth(self, username: str) -> bool:
        return True

    def password_auth_supported(self) -> bool:
        return True

    def validate_password(self, username: str, password: str) -> bool:
        return (username, password) == (self.user, self.password)


@contextmanager
def running_sftp_server(
    root: Path, *, user: str = "erp", password: str = "", client_key: str = ""
) -> Iterator[SftpServer]:
    """Serve ``root`` over SFTP; ``client_key`` (an OpenSSH public key) may log in as well."""
    loop = asyncio.new_event_loop()
    thread = threading.Thread(target=loop.run_forever, daemon=True)
    thread.start()
    host_key = asyncssh.generate_private_key("ssh-ed25519")

    async def start() -> asyncssh.SSHAcceptor:
        return await asyncssh.listen(
            "127.0.0.1",
            0,
            server_host_keys=[host_key],
            server_factory=lambda: _Login(user, password),
            authorized_client_keys=asyncssh.import_authorized_keys(client_key)
            if client_key
            else None,
            sftp_factory=lambda channel: asyncssh.SFTPServer(channel, chroot=str(root)),
            allow_scp=False,
        )

    server = asyncio.run_coroutine_threadsafe(start(), loop).result(timeout=30)
    try:
        yield SftpServer(
            root=root,
            port=server.sockets[0].getsockname()[1],
            user=user,
            password=password,
            host_key=host_key,
        )
    finally:
        server.close()
        asyncio.run_coroutine_threadsafe(server.wait_closed(), loop).result(timeout=30)
        loop.call_soon_threadsafe(loop.stop)
        thread.join(timeout=30)
        loop.close()
