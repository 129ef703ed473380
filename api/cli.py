"""Operator commands: ``flask --app wsgi db upgrade``, ``users create-admin``, ``demo load``."""

import getpass
import os
import stat
from pathlib import Path

import click
from flask import current_app
from flask.cli import AppGroup

from api.secret_keys import generate_secret_file
from models import db

db_cli = AppGroup("db", help="Database schema.")
users_cli = AppGroup("users", help="User accounts.")
demo_cli = AppGroup("demo", help="The demo company.")
secrets_cli = AppGroup("secrets", help="Secrets kept under instance/.")
checklists_cli = AppGroup("checklists", help="The checklist files in checklists/.")
photos_cli = AppGroup("photos", help="Stored photo files.")


@db_cli.command("upgrade")
def db_upgrade():
    """Create missing tables and apply pending migrations (safe to run again)."""
    from models.schema import current_version, upgrade

    with db.connection_context():
        done = upgrade()
        click.echo("\n".join(done) if done else "schema already up to date")
        click.echo(f"schema version {current_version()}")


@users_cli.command("create-admin")
@click.argument("username")
@click.option("--password", envvar="XUNJIAN_ADMIN_PASSWORD", help="prompted for if not given")
def create_admin(username, password):
    """Create an administrator account."""
    from api.security import hash_password
    from models.accounts import User

    password = password or getpass.getpass("Password (10+ characters): ")
    if len(password) < 10:
        raise click.UsageError("The password needs 10 characters at least.")
    with db.connection_context():
        if User.select().where(User.username == username.lower()).exists():
            raise click.UsageError(f"User {username!r} exists already.")
        User.create(
            username=username.lower(),
            role="admin",
            display_name=username,
            password_hash=hash_password(password),
        )
    click.echo(f"admin {username.lower()} created")


@demo_cli.command("load")
def demo_load():
    """Load the demo company and print its logins (kept in instance/demo_logins.txt)."""
    from api.demo import load_demo

    logins_file = Path(current_app.instance_path) / "demo_logins.txt"
    with db.connection_context():
        logins = load_demo()
    if logins is not None:
        lines = [f"{username:<12} {role:<12} {password}" for username, role, password in logins]
        logins_file.write_text("\n".join(lines) + "\n")
        os.chmod(logins_file, stat.S_IRUSR | stat.S_IWUSR)
        click.echo("demo company loaded")
    else:
        click.echo("demo company already loaded")
    if logins_file.exists():
        click.echo("demo logins (username role password):")
        click.echo(logins_file.read_text().rstrip())


@secrets_cli.command("init")
def secrets_init():
    """Create instance/secret_key if it is missing (keeps an existing one)."""
    path = generate_secret_file(current_app.instance_path)
    click.echo(f"secret key at {path}")


@checklists_cli.command("load")
def checklists_load():
    """Validate the checklist files and record changed ones as new versions."""
    from models.checklist_files import load_directory
    from models.checklists import sync_checklists

    checklists, _ = load_directory(Path(current_app.config["CHECKLIST_DIR"]))
    with db.connection_context():
        changes = sync_checklists(checklists)
    click.echo("\n".join(changes) if changes else f"{len(checklists)} checklists, none changed")


@photos_cli.command("prune")
@click.option("--dry-run", is_flag=True, help="only list what would be removed")
def photos_prune(dry_run):
    """Remove stored files that no photo refers to (left by a crash between file and row)."""
    from models.photos import Photo
    from models.storage import FileStorage

    store = FileStorage(Path(current_app.instance_path) / "photos")
    with db.connection_context():
        referenced = set()
        for image_key, thumbnail_key in Photo.select(Photo.image_key, Photo.thumbnail_key).tuples():
            referenced.update((image_key, thumbnail_key))
        orphans = [key for key in store.iter_keys() if key not in referenced]
    for key in orphans:
        if not dry_run:
            store.delete(key)
    verb = "would remove" if dry_run else "removed"
    click.echo(f"{verb} {len(orphans)} orphaned files; {len(referenced)} files in use")


def init_app(app):
    for group in (db_cli, users_cli, demo_cli, secrets_cli, checklists_cli, photos_cli):
        app.cli.add_command(group)
