"""The folder of a file drop, on the local disk or on an SFTP server: list its files, fetch
one, move it to a subfolder, put a file in a subfolder.

A file is written under a hidden temporary name and then renamed, so whoever reads the folder
never takes a half-written file; a name already taken in the target folder gets the time of
the move added (``products.20250314T101500.csv``), so no file is ever overwritten.

The SFTP folder connects as a client with paramiko and checks the server's host key against a
known_hosts file or a pinned key: an unknown or changed key is refused before any password or
key is sent.
"""

import base64
import binascii
import os
import shutil
import stat
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path, PurePosixPath

import paramiko

from comptoir.core.errors import DomainError

# The subfolders a drop keeps: files imported, files refused, files written for the ERP.
PROCESSED = "processed"
FAILED = "failed"
OUTBOX = "outbox"
SUBFOLDERS = (PROCESSED, FAILED, OUTBOX)

CONNECT_TIMEOUT_SECONDS = 30

# What a folder raises when it fails in the middle of a pass (a lost connection, a full disk).
FOLDER_ERRORS = (OSError, EOFError, paramiko.SSHException)


class DropError(DomainError):
    """A drop that cannot be read or written: unreachable, refused, misconfigured."""

    code = "file_drop"


@dataclass(frozen=True)
class DroppedFile:
    name: str
    size: int
    modified_at: datetime


@dataclass(frozen=True)
class SftpAccess:
    """Where and how to log in to an SFTP drop; secrets are read from the environment or the
    settings when the drop is opened, never kept in the project."""

    user: str
    host: str
    port: int
    path: str
    password: str = field(default="", repr=False)
    password_env: str = ""
    private_key: str = ""
    passphrase_env: str = ""
    known_hosts: str = ""
    host_key: str = ""

    @property
    def address(self) -> str:
        return self.host if self.port == 22 else f"{self.host}:{self.port}"


class LocalFolder:
    """A drop in a folder of this machine (or a share mounted on it)."""

    def __init__(self, path: Path) -> None:
        self.path = path

    def __enter__(self) -> "LocalFolder":
        if not self.path.is_dir():
            raise DropError(
                f"the folder {self.path} does not exist; create it or correct the location"
            )
        for name in SUBFOLDERS:
            (self.path / name).mkdir(exist_ok=True)
        return self

    def __exit__(self, *exc) -> None:
        pass

    def files(self) -> list[DroppedFile]:
        found = []
        for entry in os.scandir(self.path):
            if entry.is_file(follow_symlinks=False):
                info = entry.stat(follow_symlinks=False)
                found.append(
                    DroppedFile(
                        entry.name, info.st_size, datetime.fromtimestamp(info.st_mtime, UTC)
                    )
                )
        return found

    def fetch(self, name: str, target: Path) -> None:
        shutil.copyfile(self.path / name, target)

    def move(self, name: str, folder: str) -> str:
        final = free_name(name, lambda candidate: (self.path / folder / candidate).exists())
        os.replace(self.path / name, self.path / folder / final)
        return final

    def put(self, source: Path, folder: str, name: str) -> str:
        final = free_name(name, lambda candidate: (self.path / folder / candidate).exists())
        partial = self.path / folder / f".{final}.part"
        shutil.copyfile(source, partial)
        os.replace(partial, self.path / folder / final)
        return final


class SftpFolder:
    """A drop in a folder of an SFTP server, the ERP's."""

    def __init__(self, access: SftpAccess) -> None:
        self.access = access
        self.client: paramiko.SSHClient | None = None
        self.sftp: paramiko.SFTPClient | None = None

    def __enter__(self) -> "SftpFolder":
        self.client = self._connect()
        try:
            self.sftp = self.client.open_sftp()
            self.sftp.chdir(self.access.path)
            for name in SUBFOLDERS:
                if not self._exists(name):
                    self.sftp.mkdir(name)
        except OSError as error:
            self.client.close()
            raise DropError(
                f"the folder {self.access.path} on {self.access.address} cannot be used "
                f"({error.strerror or error}); check the location's path and the rights of "
                f"'{self.access.user}' there"
            ) from None
        return self

    def __exit__(self, *exc) -> None:
        if self.client is not None:
            self.client.close()

    def files(self) -> list[DroppedFile]:
        return [
            DroppedFile(
                attributes.filename,
                attributes.st_size or 0,
                datetime.fromtimestamp(attributes.st_mtime or 0, UTC),
            )
            for attributes in self.sftp.listdir_attr(".")
            if attributes.st_mode is not None and stat.S_ISREG(attributes.st_mode)
        ]

    def fetch(self, name: str, target: Path) -> None:
        self.sftp.get(name, str(target))

    def move(self, name: str, folder: str) -> str:
        final = free_name(name, lambda candidate: self._exists(f"{folder}/{candidate}"))
        self.sftp.rename(name, f"{folder}/{final}")
        return final

    def put(self, source: Path, folder: str, name: str) -> str:
        final = free_name(name, lambda candidate: self._exists(f"{folder}/{candidate}"))
        partial = f"{folder}/.{final}.part"
        self.sftp.put(str(source), partial)
        self.sftp.rename(partial, f"{folder}/{final}")
        return final

    def _exists(self, path: str) -> bool:
        try:
            self.sftp.stat(path)
        except FileNotFoundError:
            return False
        return True

    def _connect(self) -> paramiko.SSHClient:
        access = self.access
        client = paramiko.SSHClient()
        client.set_missing_host_key_policy(_RefuseUnknownHostKey(access))
        if not access.known_hosts and not access.host_key:
            raise DropError(
                f"no host key to check {access.address} against: set known_hosts (a file, as "
                f"written by ssh-keyscan -p {access.port} {access.host}) or host_key "
                "(the key itself, as in 'ssh-ed25519 AAAA...')"
            )
        if access.known_hosts:
            try:
                client.load_host_keys(access.known_hosts)
            except OSError as error:
                raise DropError(
                    f"the known_hosts file {access.known_hosts} cannot be read "
                    f"({error.strerror or error})"
                ) from None
        if access.host_key:
            key = pinned_key(access.host_key)
            client.get_host_keys().add(_host_entry(access), key.get_name(), key)
        try:
            client.connect(
                access.host,
                port=access.port,
                username=access.user,
                password=access.password or _secret(access.password_env, "password_env"),
                pkey=self._private_key(),
                timeout=CONNECT_TIMEOUT_SECONDS,
                allow_agent=False,
                look_for_keys=False,
            )
        except paramiko.BadHostKeyException as error:
            client.close()
            raise DropError(
                f"the host key of {access.address} has changed: it offered "
                f"{_describe(error.key)}, expected {_describe(error.expected_key)}. It may not "
                "be the ERP's server; ask its administrators whether the key was renewed, and "
                "only then update known_hosts or host_key"
            ) from None
        except paramiko.AuthenticationException:
            client.close()
            how = "private key" if access.private_key else "password"
            raise DropError(
                f"{access.address} refused the login of '{access.user}' with the {how} given; "
                "check the user and the credentials"
            ) from None
        except DropError:
            client.close()
            raise
        except (paramiko.SSHException, OSError) as error:
            client.close()
            raise DropError(
                f"cannot connect to {access.address} ({error}); check the host, the port and "
                "that the server is up"
            ) from None
        return client

    def _private_key(self) -> paramiko.PKey | None:
        access = self.access
        if not access.private_key:
            return None
        try:
            passphrase = _secret(access.passphrase_env, "passphrase_env")
            return paramiko.PKey.from_path(access.private_key, passphrase)
        except FileNotFoundError:
            raise DropError(f"the private key file {access.private_key} does not exist") from None
        except paramiko.PasswordRequiredException:
            raise DropError(
                f"the private key {access.private_key} is encrypted: give its passphrase "
                "(passphrase_env)"
            ) from None
        except (paramiko.SSHException, ValueError, OSError) as error:
            raise DropError(
                f"the private key {access.private_key} cannot be read ({error}); give an "
                "OpenSSH or PEM private key, and its passphrase if it has one"
            ) from None


class _RefuseUnknownHostKey(paramiko.MissingHostKeyPolicy):
    def __init__(self, access: SftpAccess) -> None:
        self.access = access

    def missing_host_key(self, client, hostname, key) -> None:
        access = self.access
        where = access.known_hosts or "host_key"
        raise DropError(
            f"{access.address} offered the host key {_describe(key)}, which is not in {where}; "
            "refused. Check this key with the server's administrators, then add it (ssh-keyscan "
            f"-p {access.port} {access.host}) or pin it with host_key"
        )


def pinned_key(text: str) -> paramiko.PKey:
    """A host key written as in known_hosts or a .pub file: 'ssh-ed25519 AAAA... [comment]'."""
    parts = text.split()
    try:
        return paramiko.PKey.from_type_string(parts[0], base64.b64decode(parts[1]))
    except (IndexError, binascii.Error, paramiko.SSHException, ValueError):
        raise DropError(
            f"host_key '{text[:40]}' is not a public key; write it as ssh-keyscan prints it, "
            "without the host: 'ssh-ed25519 AAAAC3Nza...'"
        ) from None


def _secret(variable: str, setting: str) -> str | None:
    """The secret in the environment variable a setting names; None when it names none."""
    if not variable:
        return None
    secret = os.environ.get(variable)
    if secret is None:
        raise DropError(
            f"the environment variable {variable} ({setting}) is not set for this process"
        )
    return secret


def _host_entry(access: SftpAccess) -> str:
    """How known_hosts names the server: the host alone on port 22, [host]:port otherwise."""
    return access.host if access.port == 22 else f"[{access.host}]:{access.port}"


def _describe(key: paramiko.PKey) -> str:
    return f"{key.get_name()} {key.fingerprint}"


def free_name(name: str, taken) -> str:
    """``name``, or if ``taken(name)``, the name with the time added before its suffix."""
    if not taken(name):
        return name
    path = PurePosixPath(name)
    stem = name[: -len(path.suffix)] if path.suffix else name
    stamp = datetime.now(UTC).strftime("%Y%m%dT%H%M%S")
    candidate = f"{stem}.{stamp}{path.suffix}"
    number = 1
    while taken(candidate):
        number += 1
        candidate = f"{stem}.{stamp}-{number}{path.suffix}"
    return candidate
