"""The file drops' settings: ``COMPTOIR_FILE_DROPS``, JSON in the environment or a dict in a
settings module, keyed by the drop's name::

    {"erp": {
        "location": "sftp://comptoir@erp.example.com:22/exchange",
        "known_hosts": "/etc/comptoir/known_hosts",
        "password_env": "COMPTOIR_ERP_SFTP_PASSWORD",
        "imports": [
            {"files": "products*.csv", "entity": "products"},
            {"files": "prices*.csv", "entity": "prices", "options": {"mode": "reset"}}
        ],
        "exports": [{"entity": "orders", "since_last": true}],
        "settle_seconds": 30
    }}

``location`` is an SFTP folder or a folder of this machine. ``imports`` says which files hold
which entity: the first pattern a file's name matches (case included) decides; other files are
left alone. An SFTP drop logs in with a password, read from the environment variable
``password_env`` names (or given as ``password`` by a settings module), or a ``private_key``
file (its passphrase in ``passphrase_env``), and checks the server against ``known_hosts`` (a
file) or ``host_key`` (the key itself). Secrets are read when a pass opens the drop, so the
web processes need none of them. Every mistake is named with the drop and the setting.
"""

import json
from dataclasses import dataclass, field
from fnmatch import fnmatchcase
from pathlib import Path
from urllib.parse import unquote, urlsplit

from django.conf import settings

from comptoir.core.errors import DomainError
from comptoir.integration.drop_folders import DropError, LocalFolder, SftpAccess, SftpFolder
from comptoir.integration.transfer.files import FORMATS
from comptoir.integration.transfer.registry import all_entities

DEFAULT_SETTLE_SECONDS = 30

DROP_KEYS = (
    "location",
    "imports",
    "exports",
    "settle_seconds",
    "password",
    "password_env",
    "private_key",
    "passphrase_env",
    "known_hosts",
    "host_key",
)
SFTP_ONLY_KEYS = DROP_KEYS[4:]
IMPORT_KEYS = ("files", "entity", "options", "all_or_nothing")
EXPORT_KEYS = ("entity", "format", "options", "since_last")


@dataclass(frozen=True)
class ImportRule:
    """Files whose name matches ``files`` (a glob pattern) hold rows of ``entity``."""

    files: str
    entity: str
    options: dict[str, str] = field(default_factory=dict)
    all_or_nothing: bool = False


@dataclass(frozen=True)
class ExportRule:
    entity: str
    format: str = "csv"
    options: dict[str, str] = field(default_factory=dict)
    since_last: bool = False


@dataclass(frozen=True)
class Drop:
    name: str
    location: str
    imports: tuple[ImportRule, ...]
    exports: tuple[ExportRule, ...] = ()
    settle_seconds: int = DEFAULT_SETTLE_SECONDS
    folder: Path | None = None
    sftp: SftpAccess | None = None

    def rule_for(self, file_name: str) -> ImportRule | None:
        """The first rule whose pattern the name matches (case included), if any."""
        return next((rule for rule in self.imports if fnmatchcase(file_name, rule.files)), None)

    def open(self) -> LocalFolder | SftpFolder:
        if self.sftp is not None:
            return SftpFolder(self.sftp)
        return LocalFolder(self.folder)


def configured_drops() -> dict[str, Drop]:
    """The drops of ``COMPTOIR_FILE_DROPS``, checked; a DropError names what is wrong."""
    value = settings.COMPTOIR_FILE_DROPS
    if isinstance(value, str):
        if not value.strip():
            return {}
        try:
            value = json.loads(value)
        except json.JSONDecodeError as error:
            raise DropError(
                f"COMPTOIR_FILE_DROPS is not valid JSON: line {error.lineno}, column "
                f"{error.colno}: {error.msg}"
            ) from None
    if not isinstance(value, dict):
        raise DropError(
            'COMPTOIR_FILE_DROPS must map each drop\'s name to its settings: {"erp": '
            '{"location": ..., "imports": [...]}}'
        )
    return {name: _drop(str(name), settings_) for name, settings_ in value.items()}


def _drop(name: str, values: object) -> Drop:
    where = f"COMPTOIR_FILE_DROPS, drop '{name}'"
    if not isinstance(values, dict):
        raise DropError(f'{where}: give its settings as an object: {{"location": ...}}')
    _check_keys(values, DROP_KEYS, where)
    location = _text(values, "location", where, required=True)
    imports = tuple(
        _import_rule(item, f"{where}, imports item {index}")
        for index, item in enumerate(_list(values, "imports", where), start=1)
    )
    exports = tuple(
        _export_rule(item, f"{where}, exports item {index}")
        for index, item in enumerate(_list(values, "exports", where), start=1)
    )
    if not imports and not exports:
        raise DropError(f"{where}: give the files to import (imports) or exports to write")
    settle = values.get("settle_seconds", DEFAULT_SETTLE_SECONDS)
    if not isinstance(settle, int) or isinstance(settle, bool) or settle < 0:
        raise DropError(f"{where}: settle_seconds must be a whole number of seconds, 0 or more")
    parts = urlsplit(location)
    if parts.scheme == "sftp":
        sftp = _sftp_access(parts, values, where)
        return Drop(name, location, imports, exports, settle, sftp=sftp)
    if parts.scheme not in ("", "file"):
        raise DropError(
            f"{where}: location '{location}' is neither sftp://USER@HOST:PORT/PATH nor a folder"
        )
    for key in (*SFTP_ONLY_KEYS, "host_key"):
        if key in values:
            raise DropError(f"{where}: {key} is for sftp:// locations; this one is a folder")
    folder = Path(unquote(parts.path) if parts.scheme == "file" else location)
    return Drop(name, location, imports, exports, settle, folder=folder)


def _sftp_access(parts, values: dict, where: str) -> SftpAccess:
    if parts.password is not None:
        raise DropError(
            f"{where}: put the password in password_env (an environment variable), not in the "
            "location, where logs and pages would show it"
        )
    if not parts.username or not parts.hostname:
        raise DropError(f"{where}: write the location as sftp://USER@HOST:PORT/PATH")
    try:
        port = parts.port or 22
    except ValueError:
        raise DropError(f"{where}: the port of the location is not a number") from None
    access = SftpAccess(
        user=unquote(parts.username),
        host=parts.hostname,
        port=port,
        path=unquote(parts.path) or ".",
        password=_text(values, "password", where),
        password_env=_text(values, "password_env", where),
        private_key=_text(values, "private_key", where),
        passphrase_env=_text(values, "passphrase_env", where),
        known_hosts=_text(values, "known_hosts", where),
        host_key=_text(values, "host_key", where),
    )
    if not (access.password or access.password_env or access.private_key):
        raise DropError(f"{where}: give password_env (or password) or private_key to log in")
    return access


def _import_rule(item: object, where: str) -> ImportRule:
    if not isinstance(item, dict):
        raise DropError(f'{where}: write it as {{"files": "products*.csv", "entity": "products"}}')
    _check_keys(item, IMPORT_KEYS, where)
    entity = _entity(item, where, "imported")
    options = _options(item, where)
    try:
        entity.check_options(options)
    except DomainError as error:
        raise DropError(f"{where}: {error.message}") from None
    return ImportRule(
        files=_text(item, "files", where, required=True),
        entity=entity.name,
        options=options,
        all_or_nothing=_flag(item, "all_or_nothing", where),
    )


def _export_rule(item: object, where: str) -> ExportRule:
    if not isinstance(item, dict):
        raise DropError(f'{where}: write it as {{"entity": "orders", "since_last": true}}')
    _check_keys(item, EXPORT_KEYS, where)
    file_format = _text(item, "format", where) or "csv"
    if file_format not in FORMATS:
        raise DropError(f"{where}: format is one of {', '.join(FORMATS)}")
    return ExportRule(
        entity=_entity(item, where, "exported").name,
        format=file_format,
        options=_options(item, where),
        since_last=_flag(item, "since_last", where),
    )


def _entity(item: dict, where: str, done: str):
    """The entity ``item`` names, to be ``done`` ("imported" or "exported")."""
    name = _text(item, "entity", where, required=True)
    entities = all_entities()
    if name.lower() not in entities:
        raise DropError(
            f"{where}: '{name}' is not an entity that can be {done}; choose one of: "
            f"{', '.join(entities)}"
        )
    return entities[name.lower()]


def _check_keys(values: dict, known, where: str) -> None:
    for key in values:
        if key not in known:
            raise DropError(f"{where}: '{key}' is not a setting; settings: {', '.join(known)}")


def _text(values: dict, key: str, where: str, *, required: bool = False) -> str:
    value = values.get(key, "")
    if not isinstance(value, str):
        raise DropError(f"{where}: {key} must be a text (in double quotes)")
    if required and not value.strip():
        raise DropError(f"{where}: {key} is missing")
    return value.strip()


def _list(values: dict, key: str, where: str) -> list:
    value = values.get(key, [])
    if not isinstance(value, list):
        raise DropError(f"{where}: {key} must be a list ([...])")
    return value


def _options(item: dict, where: str) -> dict[str, str]:
    options = item.get("options", {})
    if not isinstance(options, dict) or not all(isinstance(v, str) for v in options.values()):
        raise DropError(f'{where}: options map names to texts: {{"mode": "reset"}}')
    return options


def _flag(item: dict, key: str, where: str) -> bool:
    value = item.get(key, False)
    if not isinstance(value, bool):
        raise DropError(f"{where}: {key} must be true or false")
    return value
