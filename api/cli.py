"""Operator commands: ``flask --app wsgi db upgrade``, ``users create-admin``, ``demo load``."""

import getpass
import os
import stat
from pathlib import Path

import click
from flask import current_app
from flask.cli import AppGroup, with_appcontext

from api.secret_keys import generate_secret_file
from models import db

db_cli = AppGroup("db", help="Database schema.")
users_cli = AppGroup("users", help="User accounts.")
demo_cli = AppGroup("demo", help="The demo company.")
secrets_cli = AppGroup("secrets", help="Secrets kept under instance/.")
checklists_cli = AppGroup("checklists", help="The checklist files in checklists/.")
photos_cli = AppGroup("photos", help="Stored photo files.")
patrols_cli = AppGroup("patrols", help="Checkpoint labels.")


@db_cli.command("upgrade")
def db_upgrade():
    """Create missing tables and apply pending migrations (safe to run again)."""
    from models.tables.schema import current_version, upgrade

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
    from models.tables.accounts import User

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


@demo_cli.command("generate")
@click.option("--sites", default=5, show_default=True)
@click.option("--staff-per-site", default=100, show_default=True)
@click.option("--months", default=12, show_default=True)
@click.option("--seed", default=1, show_default=True)
def demo_generate(sites, staff_per_site, months, seed):
    """Generate a realistic company of any size (bulk inserts), for benchmarks and trials."""
    from models.demo.generator import generate_company

    with db.connection_context():
        counts = generate_company(
            sites=sites,
            staff_per_site=staff_per_site,
            months=months,
            seed=seed,
            progress=lambda message: click.echo(message, err=True),
        )
    click.echo(", ".join(f"{table} {count:,}" for table, count in counts.items()))


@secrets_cli.command("init")
def secrets_init():
    """Create instance/secret_key if it is missing (keeps an existing one)."""
    path = generate_secret_file(current_app.instance_path)
    click.echo(f"secret key at {path}")


@checklists_cli.command("load")
def checklists_load():
    """Validate the checklist files and record changed ones as new versions."""
    from models.files.checklist_files import load_directory
    from models.tables.checklists import sync_checklists

    checklists, _ = load_directory(Path(current_app.config["CHECKLIST_DIR"]))
    with db.connection_context():
        changes = sync_checklists(checklists)
    click.echo("\n".join(changes) if changes else f"{len(checklists)} checklists, none changed")


@photos_cli.command("prune")
@click.option("--dry-run", is_flag=True, help="only list what would be removed")
def photos_prune(dry_run):
    """Remove stored files that no photo refers to (left by a crash between file and row)."""
    from models.files.storage import open_store
    from models.tables.photos import Photo

    store = open_store(current_app.config, current_app.instance_path)
    with db.connection_context():
        referenced = set()
        for image_key, thumbnail_key in Photo.select(Photo.image_key, Photo.thumbnail_key).tuples():
            referenced.update((image_key, thumbnail_key))
        orphans = [key for key in store.iter_keys() if key not in referenced]
    for key in orphans:
        if not dry_run:
            store.delete(key)
    verb = "would remove" if dry_run else "removed"
    click.echo(
        f"{verb} {len(orphans)} orphaned files; {len(referenced)} files in use ({store.kind} store)"
    )


def run_tick(now=None) -> dict | None:
    """One minute's work: make upcoming rounds, judge finished rounds and greeting shifts,
    alert overdue rounds, escalate broken follow-up promises and post webhooks. None when
    another tick holds the tick lock (one at a time however many servers, workers and cron
    jobs run it: models/tick_lock.py)."""
    from models import utcnow
    from models.records.followups import escalate_due
    from models.records.greeting_records import judge_due
    from models.records.patrol_records import alert_overdue, ensure_site_rounds, judge_closed_rounds
    from models.records.plans import alert_overdue_plans
    from models.records.webhooks import deliver_pending
    from models.tables.org import Site
    from models.tick_lock import tick_turn

    now = now or utcnow()
    with db.connection_context(), tick_turn() as mine:
        if not mine:  # another server's tick is at work this minute
            return None
        for site in Site.select().where(Site.active):
            ensure_site_rounds(site, now)
        judged = judge_closed_rounds(now)
        overdue = alert_overdue(now)
        alert_overdue_plans(
            current_app.extensions["xunjian"]["plans"],
            now,
            current_app.extensions["xunjian"]["scoring"].closing_day,
            current_app.config["PLAN_ALERT_AFTER_DAYS"],
        )
        shifts = judge_due(now)
        escalated = escalate_due(now, current_app.extensions["xunjian"]["promises"])
        delivered, failed = deliver_pending()
    return {
        "rounds": judged,
        "shifts": shifts,
        "overdue": overdue,
        "escalated": escalated,
        "delivered": delivered,
        "failed": failed,
    }


@click.command("tick")
@with_appcontext
def tick():
    """Make upcoming rounds, judge finished rounds and greeting shifts, alert overdue rounds,
    escalate broken follow-up promises and post webhooks. The embedded server runs it every
    minute by itself; a deployment may run it from cron or a systemd timer as well (one tick
    at a time, whoever starts it)."""
    done = run_tick()
    if done is None:
        click.echo("another tick is running: skipped")
        return
    click.echo(
        f"judged {done['rounds']} rounds and {done['shifts']} greeting shifts, "
        f"{done['overdue']} rounds newly overdue, "
        f"{done['escalated']} follow-up escalations, "
        f"webhooks: {done['delivered']} sent, {done['failed']} failed"
    )


@patrols_cli.command("sheet")
@click.argument("site_code")
@click.option(
    "--out", "out_path", required=True, type=click.Path(dir_okay=False), help="PDF file to write"
)
@click.option("--area", "area_id", type=int, help="only this area's checkpoints")
@click.option(
    "--base-url",
    default=None,
    help="where phones reach the server, e.g. https://xunjian.example.cn "
    "(default: the XUNJIAN_PUBLIC_BASE_URL setting)",
)
def patrols_sheet(site_code, out_path, area_id, base_url):
    """Print a site's checkpoint labels as A4 sheets (PDF), showing progress."""
    from api.labels_address import AddressMissing, cli_base_url
    from models.files.labels import Label, sheet_pdf
    from models.rules.qr_signing import make_token, scan_url
    from models.tables.org import Area, Site
    from models.tables.patrols import Checkpoint
    from models.tables.site_keys import current_key

    try:
        base_url = cli_base_url(base_url)
    except AddressMissing as exc:
        raise click.UsageError(str(exc)) from exc
    with db.connection_context():
        site = Site.get_or_none(Site.code == site_code)
        if site is None:
            raise click.UsageError(f"no site with code {site_code!r}")
        key = current_key(site.id)
        query = (
            Checkpoint.select(Checkpoint, Area)
            .join(Area)
            .where((Checkpoint.site == site) & Checkpoint.active)
            .order_by(Checkpoint.code)
        )
        if area_id is not None:
            query = query.where(Checkpoint.area == area_id)
        labels = [
            Label(
                url=scan_url(
                    base_url,
                    make_token("c", site.id, cp.id, key.version, bytes.fromhex(key.secret)),
                ),
                title=cp.name,
                subtitle=f"{cp.area.name} · {site.name}",
                short_code=cp.code,
            )
            for cp in query
        ]
    if not labels:
        raise click.UsageError("no active checkpoints to print")
    with click.progressbar(length=len(labels), label=f"{len(labels)} labels") as bar:
        pdf = sheet_pdf(labels, progress=lambda done, total: bar.update(1))
    Path(out_path).write_bytes(pdf)
    click.echo(f"wrote {out_path} ({len(pdf) // 1024} KiB, key version {key.version})")


# --- backups (models/files/backup.py) -----------------------------------------------------
backup_cli = AppGroup("backup", help="Online backups: database, photos and secrets in one archive.")


@backup_cli.command("create")
@click.option(
    "--to",
    "out_dir",
    type=click.Path(file_okay=False),
    default=None,
    help="folder for the archive (default: instance/backups)",
)
def backup_create(out_dir):
    """Write one archive of the database, its photos and the secret files, while serving."""
    from models.files.backup import BackupError, backup_key, create_backup, describe, sqlite_file
    from models.files.storage import open_store

    out_dir = out_dir or str(Path(current_app.instance_path) / "backups")
    store = open_store(current_app.config, current_app.instance_path)
    photo_keys = None
    if store.kind != "local" and sqlite_file(current_app.config["DATABASE_URL"]) is None:
        from models.tables.photos import Photo

        with db.connection_context():
            photo_keys = set()
            for keys in Photo.select(Photo.image_key, Photo.thumbnail_key).tuples():
                photo_keys.update(keys)
    try:
        backup = create_backup(
            current_app.config["DATABASE_URL"],
            current_app.instance_path,
            out_dir,
            signing_key=backup_key(current_app.config["SECRET_KEY"]),
            photo_store=store,
            photo_keys=photo_keys,
        )
    except BackupError as error:
        raise click.ClickException(str(error)) from error
    click.echo(f"wrote {backup.path} ({describe(backup.manifest)})")
    if not backup.manifest["database"]["included"]:
        click.echo(
            "PostgreSQL: the database is NOT in this archive. Back it up with pg_dump, before "
            'this command, e.g.  pg_dump --format=custom --file=xunjian.dump "$DATABASE_URL"',
            err=True,
        )
    if store.kind != "local":
        click.echo(
            f"photos: {backup.manifest['photos']['objects']:,} objects stay in bucket "
            f"{store.bucket!r} (checked; back the bucket up with its versioning/replication)"
        )
    missing = backup.manifest["missing_photo_files"]
    if missing:
        where = f"bucket {store.bucket!r}" if store.kind != "local" else "instance/photos"
        raise click.ClickException(
            f"{len(missing)} photo files the database names are missing from "
            f"{where} (first: {missing[0]}); the archive was written without them"
        )


@backup_cli.command("restore")
@click.argument("archive", type=click.Path(exists=True, dir_okay=False))
@click.option(
    "--instance",
    "instance_dir",
    required=True,
    type=click.Path(file_okay=False),
    help="a new or empty folder to restore into",
)
@click.option(
    "--key-file",
    type=click.Path(exists=True, dir_okay=False),
    default=None,
    help="the secret_key file of the installation that made the archive, kept apart from the "
    "archives (default: this configuration's secret key)",
)
@click.option(
    "--unverified",
    is_flag=True,
    help="skip the signature (a lost key): finds damage, not an altered archive",
)
def backup_restore(archive, instance_dir, key_file, unverified):
    """Verify an archive's signature, check it against its manifest and restore it into a new
    instance folder."""
    from models.files.backup import (
        BackupError,
        backup_key,
        check_restored_photos,
        describe,
        restore_backup,
    )
    from models.files.storage import open_store

    if Path(instance_dir).resolve() == Path(current_app.instance_path).resolve():
        raise click.ClickException(
            "--instance is the folder this command's own configuration uses "
            "(XUNJIAN_INSTANCE_PATH): run the restore with another (or none), then point "
            "XUNJIAN_INSTANCE_PATH at the restored folder"
        )
    if key_file:
        secret, source = Path(key_file).read_text().strip(), key_file
    else:
        secret, source = current_app.config["SECRET_KEY"], "this configuration's secret key"
    try:
        manifest = restore_backup(
            archive, instance_dir, key=backup_key(secret), unverified=unverified
        )
    except BackupError as error:
        raise click.ClickException(str(error)) from error
    if unverified:
        click.echo(
            "WARNING: the signature was not verified; an altered archive is restored as it is",
            err=True,
        )
    else:
        click.echo(f"signature verified with {source}")
    click.echo(f"restored {describe(manifest)} into {instance_dir}")
    photos = manifest.get("photos") or {}
    if photos.get("archived") is False:
        click.echo(
            f"photos are not in the archive: they stay in bucket {photos.get('bucket')!r} at "
            f"{photos.get('endpoint') or 'AWS'}; start the restored copy with the same "
            "XUNJIAN_PHOTO_STORE and XUNJIAN_S3_* settings"
        )
        store = open_store(current_app.config, current_app.instance_path)
        if store.kind == "local":
            click.echo("run the restore with those settings to check the photos are there")
        missing = (
            [] if store.kind == "local" else check_restored_photos(instance_dir, manifest, store)
        )
        if missing:
            raise click.ClickException(
                f"{len(missing)} photos the restored database names are missing from the "
                f"{store.kind} store (first: {missing[0]}): restore them from the bucket's "
                "versions or replica"
            )
    if manifest["database"]["included"]:
        click.echo(f"start it with XUNJIAN_INSTANCE_PATH={instance_dir} and no DATABASE_URL")
    else:
        click.echo("restore the PostgreSQL database from its pg_dump (pg_restore)", err=True)


def init_app(app):
    for group in (
        db_cli,
        users_cli,
        demo_cli,
        secrets_cli,
        checklists_cli,
        photos_cli,
        patrols_cli,
        backup_cli,
    ):
        app.cli.add_command(group)
    app.cli.add_command(tick)
