using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace HeadlessNews.Api.Infrastructure.Database.Migrations
{
    /// <summary>
    /// The audit log becomes append-only and tamper-evident. Each entry carries the hash of the one before it and its
    /// own hash over that and its fields (<c>hn_audit_entry_hash</c>, which verification recomputes). The chain is made in
    /// the database, by an insert trigger, rather than by the API, so that every writer (any API node, the command line)
    /// extends it the same way, and its order is the order appends commit: the trigger holds a transaction-scoped
    /// advisory lock, so the next append waits for this one to commit and then links to it. A unique index on
    /// <c>seq</c> makes any append that still saw an older snapshot fail rather than fork the chain. Updates, deletes
    /// and truncation are refused by triggers (only someone who may disable triggers, a superuser or the table owner,
    /// can get past them, and verification then shows it).
    /// </summary>
    public partial class AuditHashChain : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.RenameColumn(name: "key_name", table: "audit_entries", newName: "actor_name");
            migrationBuilder.Sql("""
                ALTER TABLE audit_entries
                    ADD COLUMN seq bigint,
                    ADD COLUMN actor_kind character varying(16) NOT NULL DEFAULT 'key',
                    ADD COLUMN key_prefix character varying(16),
                    ADD COLUMN method character varying(16),
                    ADD COLUMN route text,
                    ADD COLUMN resource_type text,
                    ADD COLUMN previous_hash bytea,
                    ADD COLUMN hash bytea;
                UPDATE audit_entries e SET
                    method = split_part(e.action, ' ', 1),
                    route = substr(e.action, strpos(e.action, ' ') + 1),
                    key_prefix = (SELECT k.prefix FROM api_keys k WHERE k.id = e.api_key_id),
                    resource_type = CASE WHEN e.resource_id IS NOT NULL THEN rtrim(split_part(substr(e.action, strpos(e.action, ' ') + 1), '/', 4), 's') END;
                ALTER TABLE audit_entries DROP COLUMN action, ALTER COLUMN actor_kind DROP DEFAULT, ALTER COLUMN method SET NOT NULL, ALTER COLUMN route SET NOT NULL;

                CREATE FUNCTION hn_audit_entry_hash(e audit_entries) RETURNS bytea LANGUAGE sql STABLE AS $$
                    SELECT sha256(e.previous_hash || convert_to(jsonb_build_array(
                        e.seq, e.id, (extract(epoch FROM e.at) * 1000000)::bigint, e.api_key_id, e.actor_kind, e.actor_name, e.key_prefix,
                        e.on_behalf_of, e.method, e.route, e.path, e.status, e.resource_type, e.resource_id, e.request_id)::text, 'UTF8'))
                $$;

                DO $$
                DECLARE
                    e audit_entries;
                    n bigint := 0;
                    previous bytea := decode(repeat('00', 32), 'hex');
                BEGIN
                    FOR e IN SELECT * FROM audit_entries ORDER BY at, id LOOP
                        n := n + 1;
                        e.seq := n;
                        e.previous_hash := previous;
                        previous := hn_audit_entry_hash(e);
                        UPDATE audit_entries SET seq = n, previous_hash = e.previous_hash, hash = previous WHERE id = e.id;
                    END LOOP;
                END $$;
                ALTER TABLE audit_entries ALTER COLUMN seq SET NOT NULL, ALTER COLUMN previous_hash SET NOT NULL, ALTER COLUMN hash SET NOT NULL;

                CREATE FUNCTION hn_audit_entries_append() RETURNS trigger LANGUAGE plpgsql AS $$
                DECLARE
                    last_seq bigint;
                    last_hash bytea;
                BEGIN
                    -- Held until this transaction ends; the next append then reads (a new snapshot per statement) this entry.
                    PERFORM pg_advisory_xact_lock(hashtext('audit-chain'));
                    SELECT seq, hash INTO last_seq, last_hash FROM audit_entries ORDER BY seq DESC LIMIT 1;
                    NEW.seq := coalesce(last_seq, 0) + 1;
                    NEW.previous_hash := coalesce(last_hash, decode(repeat('00', 32), 'hex'));
                    NEW.hash := hn_audit_entry_hash(NEW);
                    RETURN NEW;
                END $$;
                CREATE TRIGGER audit_entries_append BEFORE INSERT ON audit_entries FOR EACH ROW EXECUTE FUNCTION hn_audit_entries_append();

                CREATE FUNCTION hn_audit_entries_refuse_change() RETURNS trigger LANGUAGE plpgsql AS $$
                BEGIN
                    RAISE EXCEPTION 'audit entries cannot be changed or deleted (% refused)', TG_OP;
                END $$;
                CREATE TRIGGER audit_entries_immutable BEFORE UPDATE OR DELETE ON audit_entries
                    FOR EACH ROW EXECUTE FUNCTION hn_audit_entries_refuse_change();
                CREATE TRIGGER audit_entries_no_truncate BEFORE TRUNCATE ON audit_entries
                    FOR EACH STATEMENT EXECUTE FUNCTION hn_audit_entries_refuse_change();
                """);

            migrationBuilder.CreateIndex(name: "ix_audit_entries_resource_id", table: "audit_entries", column: "resource_id");
            migrationBuilder.CreateIndex(name: "ix_audit_entries_seq", table: "audit_entries", column: "seq", unique: true);
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropIndex(name: "ix_audit_entries_resource_id", table: "audit_entries");
            migrationBuilder.DropIndex(name: "ix_audit_entries_seq", table: "audit_entries");
            migrationBuilder.Sql("""
                DROP TRIGGER audit_entries_no_truncate ON audit_entries;
                DROP TRIGGER audit_entries_immutable ON audit_entries;
                DROP TRIGGER audit_entries_append ON audit_entries;
                DROP FUNCTION hn_audit_entries_refuse_change();
                DROP FUNCTION hn_audit_entries_append();
                DROP FUNCTION hn_audit_entry_hash(audit_entries);
                ALTER TABLE audit_entries ADD COLUMN action text;
                UPDATE audit_entries SET action = method || ' ' || route;
                ALTER TABLE audit_entries ALTER COLUMN action SET NOT NULL,
                    DROP COLUMN seq, DROP COLUMN actor_kind, DROP COLUMN key_prefix, DROP COLUMN method, DROP COLUMN route,
                    DROP COLUMN resource_type, DROP COLUMN previous_hash, DROP COLUMN hash;
                """);
            migrationBuilder.RenameColumn(name: "actor_name", table: "audit_entries", newName: "key_name");
        }
    }
}
