"""Team mode on a PostgreSQL server (issue 18): the project's tables with the server enforcing who writes what.

Every person is a database role, member of the project's group role (`group_roles`), and is recorded in
`team_members` with their annotator row and their kind: an **analyst** writes only their own layer (their
annotations, document statuses and rejections), an **adjudicator** also writes the gold layer, an **admin**
alone changes the schema (labels, project facts) and the team. Row-level security on the layer tables
enforces it for any client, Hashiya or a plain SQL one; table privileges do the rest. Everyone reads
everything (agreement, review and adjudication compare layers). Derived data (indexes) is writable by all.

Names of people come from other people's files: a role name is always quoted as an identifier by psycopg's
`sql.Identifier`, never pasted into SQL. No password is stored anywhere by Hashiya: logins use the server's
usual means (~/.pgpass, a service file, or the system's keyring through libpq).
"""

from __future__ import annotations

import hashlib

from sqlalchemy import create_engine, text

from app.adjudication import GOLD
from app.i18n import _
from app.models import Base
from app.project import now_iso
from app.schema import GUIDELINES_KEY
from app.searchindex import TERMS_TABLE

KINDS = ("analyst", "adjudicator", "admin")
MAX_ROLE_BYTES = 63  # PostgreSQL's identifier length
LAYER_TABLES = ("annotations", "document_status", "rejections")  # one row per analyst: theirs to write
SCHEMA_TABLES = ("labels", "annotators", "team_members", "assignments")  # the admins' (project_info: ADMIN_KEYS)
READ_ONLY_TABLES = ("documents",)  # imported by an admin; analysts read them
GROUP_PREFIX = "hashiya_"  # no person's role may start so

# project_info keys only an admin changes (the rest, watermarks and switches, every member writes).
ADMIN_KEYS = ("application", "schema_version", "created_with", "created_at", GUIDELINES_KEY, "entity_quiet_below")


class TeamError(Exception):
    """A team operation refused; says what and why."""


def group_roles(database: str) -> tuple[str, str]:
    """The group roles of the team of one database: (members, admins). Roles are shared by every database
    of a server, so each project's team has its own (named from a hash of the database's name: hex digits,
    safe anywhere); a member of one team reads nothing of another's project. The same names are computed in
    SQL by migration steps: 'hashiya_m_' || substr(md5(current_database()), 1, 10)."""
    digest = hashlib.md5(database.encode("utf-8")).hexdigest()[:10]
    return f"{GROUP_PREFIX}m_{digest}", f"{GROUP_PREFIX}a_{digest}"


def _statements(members: str, admins: str) -> list[str]:
    own = "annotator_id IN (SELECT annotator_id FROM team_members WHERE role = current_user)"
    is_admin = "EXISTS (SELECT 1 FROM team_members WHERE role = current_user AND kind = 'admin')"
    gold = (f"(annotator_id = (SELECT id FROM annotators WHERE name = '{GOLD}') AND EXISTS (SELECT 1 FROM "
            "team_members WHERE role = current_user AND kind IN ('adjudicator', 'admin')))")
    admin_keys = ", ".join(f"'{key}'" for key in ADMIN_KEYS)
    found = [
        """CREATE TABLE IF NOT EXISTS team_members (
            role TEXT PRIMARY KEY,
            annotator_id INTEGER NOT NULL UNIQUE REFERENCES annotators (id) ON DELETE CASCADE,
            kind TEXT NOT NULL CHECK (kind IN ('analyst', 'adjudicator', 'admin')))""",
        *(f"DO $$ BEGIN IF NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = '{group}') THEN "
          f"CREATE ROLE {group} NOLOGIN; END IF; END $$" for group in (members, admins)),
        f"GRANT {members} TO {admins}",
        # Only the team (and the owner) may connect to the project's database at all.
        "DO $$ BEGIN EXECUTE format('REVOKE CONNECT ON DATABASE %I FROM PUBLIC', current_database()); "
        f"EXECUTE format('GRANT CONNECT ON DATABASE %I TO {members}', current_database()); END $$",
        f"GRANT USAGE ON SCHEMA public TO {members}",
        f"GRANT SELECT ON ALL TABLES IN SCHEMA public TO {members}",
        f"GRANT USAGE, SELECT ON ALL SEQUENCES IN SCHEMA public TO {members}",
    ]
    derived = [name for name in Base.metadata.tables
               if name not in LAYER_TABLES + SCHEMA_TABLES + READ_ONLY_TABLES + ("project_info",)] + [TERMS_TABLE]
    found += [f"GRANT INSERT, UPDATE, DELETE ON {name} TO {members}" for name in sorted(derived)]
    found += [f"GRANT INSERT, UPDATE, DELETE ON {name} TO {admins}" for name in SCHEMA_TABLES + READ_ONLY_TABLES]
    for table in LAYER_TABLES:
        found += [
            f"GRANT INSERT, UPDATE, DELETE ON {table} TO {members}",
            f"ALTER TABLE {table} ENABLE ROW LEVEL SECURITY",
            f"DROP POLICY IF EXISTS everyone_reads ON {table}",
            f"CREATE POLICY everyone_reads ON {table} FOR SELECT USING (true)",
            f"DROP POLICY IF EXISTS own_layer ON {table}",
            f"CREATE POLICY own_layer ON {table} FOR ALL USING ({own} OR {gold}) WITH CHECK ({own} OR {gold})",
        ]
    # Project facts: the indexes' watermarks and the assistant's switches are everyone's to write; the
    # project's identity, format, guidelines and the team's quality bar are the admins'.
    found += [
        f"GRANT INSERT, UPDATE, DELETE ON project_info TO {members}",
        "ALTER TABLE project_info ENABLE ROW LEVEL SECURITY",
        "DROP POLICY IF EXISTS everyone_reads ON project_info",
        "CREATE POLICY everyone_reads ON project_info FOR SELECT USING (true)",
        "DROP POLICY IF EXISTS shared_facts ON project_info",
        f"CREATE POLICY shared_facts ON project_info FOR ALL USING (key NOT IN ({admin_keys}) OR {is_admin}) "
        f"WITH CHECK (key NOT IN ({admin_keys}) OR {is_admin})",
    ]
    return found


def init(url) -> None:
    """Make the database at `url` a team project: the project's tables (unless it holds one already, made by
    `team push`, say), the team's rules and the gold annotator. Run by the database's owner, who is not a
    member (an owner bypasses row security)."""
    from app.project import Project

    project = Project.open(url, create=True)
    try:
        with project.store.write_engine.begin() as connection:
            members, admins = group_roles(connection.execute(text("SELECT current_database()")).scalar_one())
            driver = connection.connection.driver_connection
            for statement in _statements(members, admins):
                driver.execute(statement)
            connection.execute(text("INSERT INTO annotators (name, created_at) VALUES (:name, :now) "
                                    "ON CONFLICT (name) DO NOTHING"), {"name": GOLD, "now": now_iso()})
    finally:
        project.close()


def add_member(url, name: str, kind: str = "analyst") -> str:
    """A login role for the person `name` (their annotator name), of `kind`; returns the role's name."""
    if kind not in KINDS:
        raise TeamError(_("{kind} is not a role: choose analyst, adjudicator or admin.").format(kind=kind))
    role = role_name(name)
    from psycopg import sql

    engine = create_engine(url)
    try:
        with engine.begin() as connection:
            driver = connection.connection.driver_connection
            members, admins = group_roles(connection.execute(text("SELECT current_database()")).scalar_one())
            exists = connection.execute(text("SELECT 1 FROM pg_roles WHERE rolname = :role"), {"role": role}).first()
            if not exists:
                driver.execute(sql.SQL("CREATE ROLE {} LOGIN").format(sql.Identifier(role)))
            group = admins if kind == "admin" else members
            driver.execute(sql.SQL("GRANT {} TO {}").format(sql.Identifier(group), sql.Identifier(role)))
            if kind != "admin":  # a change of kind takes the admins' rights away
                driver.execute(sql.SQL("REVOKE {} FROM {}").format(sql.Identifier(admins), sql.Identifier(role)))
            annotator_id = connection.execute(text(
                "INSERT INTO annotators (name, created_at) VALUES (:name, :now) ON CONFLICT (name) "
                "DO UPDATE SET name = excluded.name RETURNING id"), {"name": name, "now": now_iso()}).scalar_one()
            connection.execute(text(
                "INSERT INTO team_members (role, annotator_id, kind) VALUES (:role, :annotator, :kind) "
                "ON CONFLICT (role) DO UPDATE SET kind = excluded.kind"),
                {"role": role, "annotator": annotator_id, "kind": kind})
    finally:
        engine.dispose()
    return role


def role_name(name: str) -> str:
    """The database role of the person called `name`: the name itself, checked (quoted wherever used)."""
    cleaned = name.strip()
    if not cleaned or any(ord(char) < 32 or char in "\x7f" for char in cleaned):
        raise TeamError(_("{name} cannot name a person on the server: it is empty or holds control "
                          "characters.").format(name=repr(name)))
    if len(cleaned.encode("utf-8")) > MAX_ROLE_BYTES:
        raise TeamError(_("{name} is too long for a server role ({limit} bytes at most).").format(
            name=cleaned, limit=MAX_ROLE_BYTES))
    if cleaned.lower().startswith(("pg_", GROUP_PREFIX)):
        raise TeamError(_("{name} is reserved on the server: choose another name.").format(name=cleaned))
    return cleaned


def analysts_without_login(url) -> list[str]:
    """The analysts of a server project (gold aside) no login role is linked to yet."""
    engine = create_engine(url)
    try:
        with engine.connect() as connection:
            return list(connection.execute(text(
                "SELECT name FROM annotators WHERE name <> :gold AND id NOT IN (SELECT annotator_id FROM "
                "team_members) ORDER BY name"), {"gold": GOLD}).scalars())
    finally:
        engine.dispose()


def member(project) -> tuple[str, str] | None:
    """(analyst name, kind) of the person logged in to a server project; None for a file project, or a login
    that is not on the team (the database's owner, say)."""
    if project.is_file:
        return None
    with project.engine.connect() as connection:
        if connection.execute(text("SELECT to_regclass('team_members')")).scalar() is None:
            return None
        found = connection.execute(text(
            "SELECT annotators.name, team_members.kind FROM team_members JOIN annotators ON annotators.id = "
            "team_members.annotator_id WHERE team_members.role = current_user")).first()
    return None if found is None else (found[0], found[1])


def analyst_for(project, wanted: str | None) -> str | None:
    """Who annotates in a window on `project`: on a team server, the person the login is (the server lets
    them write nothing else); else the analyst asked for."""
    found = member(project)
    return found[0] if found else wanted
