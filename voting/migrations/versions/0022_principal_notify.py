"""principal notify: changes to what a request's principal is made of notify greenballot_principal

Each worker caches principals (account, roles, scopes, token not revoked, key still valid) while it listens on
``greenballot_principal``. Statement triggers name what changed: ``a:<account ids>`` for an account, its roles and
scopes; ``t:<token ids>`` for revoked tokens; ``*`` (forget everything) for signing keys, TRUNCATE, or a statement
that touched more than 100 accounts. New accounts notify nothing: no principal of theirs can be cached yet. An
update names the rows as they were and as they are (a grant moved from one account to another names both).

Also: ``ballot_proposal`` notifies ``greenballot_reference`` like ``ballot`` (0017), since a vote's cached ballot
holds its projects and costs.

Revision ID: 0022
Revises: 0017
Create Date: 2026-12-02
"""

from collections.abc import Sequence

from alembic import op

revision: str = "0022"
down_revision: str | None = "0017"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = "0003"  # ballot_proposal is made on that branch

# table, the column naming what changed, its payload prefix, the row events that matter
WATCHED = (
    ("account", "id", "a", ("UPDATE", "DELETE")),
    ("role_grant", "account_id", "a", ("INSERT", "UPDATE", "DELETE")),
    ("moderator_scope", "account_id", "a", ("INSERT", "UPDATE", "DELETE")),
    ("poll_officer_scope", "account_id", "a", ("INSERT", "UPDATE", "DELETE")),
    ("revoked_token", "jti", "t", ("INSERT",)),
)


def upgrade() -> None:
    op.execute("""
        CREATE FUNCTION greenballot_principal_changed() RETURNS trigger LANGUAGE plpgsql AS $$
        DECLARE
            named text;
            how_many integer;
        BEGIN
            IF TG_NARGS = 0 OR TG_OP = 'TRUNCATE' THEN
                PERFORM pg_notify('greenballot_principal', '*');
                RETURN NULL;
            END IF;
            EXECUTE format('SELECT count(DISTINCT %1$I), string_agg(DISTINCT %1$I::text, '','') FROM changed',
                           TG_ARGV[0]) INTO how_many, named;
            IF how_many = 0 THEN
                RETURN NULL;
            ELSIF how_many > 100 THEN
                PERFORM pg_notify('greenballot_principal', '*');
            ELSE
                PERFORM pg_notify('greenballot_principal', TG_ARGV[1] || ':' || named);
            END IF;
            RETURN NULL;
        END $$
    """)
    for table, column, prefix, events in WATCHED:
        for event in events:
            transition = "OLD" if event == "DELETE" else "NEW"
            op.execute(f"CREATE TRIGGER {table}_principal_{event.lower()} AFTER {event} ON {table} "
                       f"REFERENCING {transition} TABLE AS changed FOR EACH STATEMENT "
                       f"EXECUTE FUNCTION greenballot_principal_changed('{column}', '{prefix}')")
            if event == "UPDATE":  # and the rows as they were
                op.execute(f"CREATE TRIGGER {table}_principal_update_old AFTER UPDATE ON {table} "
                           "REFERENCING OLD TABLE AS changed FOR EACH STATEMENT "
                           f"EXECUTE FUNCTION greenballot_principal_changed('{column}', '{prefix}')")
        op.execute(f"CREATE TRIGGER {table}_principal_truncate AFTER TRUNCATE ON {table} "
                   "FOR EACH STATEMENT EXECUTE FUNCTION greenballot_principal_changed()")
    op.execute("CREATE TRIGGER signing_key_principal_changed AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE "
               "ON signing_key FOR EACH STATEMENT EXECUTE FUNCTION greenballot_principal_changed()")
    op.execute("CREATE TRIGGER ballot_proposal_reference_changed AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE "
               "ON ballot_proposal FOR EACH STATEMENT EXECUTE FUNCTION greenballot_reference_changed()")


def downgrade() -> None:
    op.execute("DROP TRIGGER IF EXISTS ballot_proposal_reference_changed ON ballot_proposal")
    op.execute("DROP TRIGGER IF EXISTS signing_key_principal_changed ON signing_key")
    for table, _column, _prefix, events in WATCHED:
        for event in (*events, "TRUNCATE"):
            op.execute(f"DROP TRIGGER IF EXISTS {table}_principal_{event.lower()} ON {table}")
        op.execute(f"DROP TRIGGER IF EXISTS {table}_principal_update_old ON {table}")
    op.execute("DROP FUNCTION IF EXISTS greenballot_principal_changed()")
