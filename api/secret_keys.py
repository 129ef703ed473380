"""The application's signing secret, kept under ``instance/`` for the embedded default.

In development and test a missing secret is generated once and stored with owner-only
permissions. In production the server refuses to start with a missing, short or placeholder
secret: a forgotten setting must never mean tokens signed with a guessable key.
"""

import os
import secrets
from pathlib import Path

PLACEHOLDERS = {"", "dev", "development", "secret", "changeme", "change-me", "please-change-me"}
MIN_LENGTH = 32


class InsecureSecretError(RuntimeError):
    pass


def secret_path(instance_path: str) -> Path:
    return Path(instance_path) / "secret_key"


def generate_secret_file(instance_path: str) -> Path:
    """Create instance/secret_key if it does not exist yet; keep an existing one."""
    path = secret_path(instance_path)
    if not path.exists():
        path.parent.mkdir(parents=True, exist_ok=True)
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(fd, "w") as f:
            f.write(secrets.token_urlsafe(48))
    return path


def load_secret_key(config: dict, instance_path: str) -> str:
    key = config.get("SECRET_KEY")
    path = secret_path(instance_path)
    if not key and path.exists():
        key = path.read_text().strip()
    if config["ENV_NAME"] == "production":
        if not key or key.lower() in PLACEHOLDERS or len(key) < MIN_LENGTH:
            raise InsecureSecretError(
                "Refusing to start in production without a real secret: set XUNJIAN_SECRET_KEY "
                f"(at least {MIN_LENGTH} random characters) or run "
                "'flask --app wsgi secrets init' to create instance/secret_key."
            )
        return key
    if not key:
        key = generate_secret_file(instance_path).read_text().strip()
    return key
