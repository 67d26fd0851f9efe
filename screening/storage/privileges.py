"""The two-role setup on PostgreSQL: the tables belong to the role that migrates, the app runs as another.

Only a table's owner can ALTER it, DISABLE or DROP its triggers, or grant TRUNCATE; so an app
that does not own the tables cannot undo the append-only triggers, however it is misused. After
each migration the owner grants the app role just what the services need: read and append on
the history tables, read and write on the working tables (accounts, sessions, drafts, case state),
and read on the schema revision.
"""

from sqlalchemy import Connection, inspect, text

from screening.storage.models import APPEND_ONLY, Base


def app_role(connection: Connection) -> str:
    return str(connection.scalar(text("SELECT current_user")))


def grant_app(owner: Connection, role: str) -> None:
    """Idempotent: the same grants on every start, so tables a new migration adds are covered too."""
    quote = owner.dialect.identifier_preparer.quote
    schema = quote(str(owner.scalar(text("SELECT current_schema()"))))
    who = quote(role)
    owner.execute(text(f"GRANT USAGE ON SCHEMA {schema} TO {who}"))
    owner.execute(text(f"REVOKE CREATE ON SCHEMA {schema} FROM {who}"))
    owner.execute(text(f"GRANT USAGE, SELECT ON ALL SEQUENCES IN SCHEMA {schema} TO {who}"))
    present = set(inspect(owner).get_table_names())
    for table in Base.metadata.tables:
        if table not in present:  # migrated to an earlier revision than the code's (a test, a staged upgrade)
            continue
        name = f"{schema}.{quote(table)}"
        owner.execute(text(f"REVOKE ALL ON {name} FROM {who}"))
        rights = "SELECT, INSERT" if table in APPEND_ONLY else "SELECT, INSERT, UPDATE, DELETE"
        owner.execute(text(f"GRANT {rights} ON {name} TO {who}"))
    # An instance started without MIGRATION_DATABASE_URL reads the revision, finds nothing to do, and serves.
    owner.execute(text(f"GRANT SELECT ON {schema}.alembic_version TO {who}"))
