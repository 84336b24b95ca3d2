#!/usr/bin/env bash
# An Odoo-shaped instance on the lab's PostgreSQL servers, for the Odoo backup tests and benchmark:
# a database with Odoo's core tables (tests/lab/sql/odoo-schema.sql) and rows, a filestore of
# SHA-1-named files in two-character subdirectories that ir_attachment.store_fname points at, and
# optionally the instance's rows in a platform database (db_servers + instances).
#
# Usage:
#   odoo-instance.sh create   --port P --database DB --filestore DIR [--attachments N] [--attachment-kb K]
#                             [--messages N] [--message-kb K] [--users N]
#   odoo-instance.sh register --platform-database PDB --port P --database DB --name NAME [--platform-port 55432]
#                             [--service-name S] [--status running]
#   odoo-instance.sh drop     --port P --database DB [--filestore DIR]
# Sizes: the default is small (tests); the benchmark asks for ~1 GB of rows and ~1 GB of files.
# The lab password comes from OPSTOOLS_TEST_PG_PASSWORD or the lab's password file, and reaches
# psql through its environment only. Prints nothing on stdout but what `create` reports.
set -euo pipefail

PG_BIN="${OPSTOOLS_TEST_PG_BIN:-/usr/lib/postgresql/15/bin}"
PG_HOST="${OPSTOOLS_TEST_PG_HOST:-127.0.0.1}"
PG_USER="${OPSTOOLS_TEST_PG_USER:-postgres}"
SCHEMA="$(cd "$(dirname "${BASH_SOURCE[0]}")/../sql" && pwd)/odoo-schema.sql"

die() {
    printf 'odoo-instance.sh: %s\n' "$*" >&2
    exit 1
}

password() {
    if [[ -n "${OPSTOOLS_TEST_PG_PASSWORD:-}" ]]; then
        printf '%s' "$OPSTOOLS_TEST_PG_PASSWORD"
    else
        cat /var/lib/opstools-lab/postgres/postgres.password
    fi
}

# psql PORT DATABASE [psql args...]
psql_on() {
    local port="$1" database="$2"
    shift 2
    PGPASSWORD="$(password)" PGCONNECT_TIMEOUT=5 "$PG_BIN/psql" -X -q -A -t -v ON_ERROR_STOP=1 \
        -h "$PG_HOST" -p "$port" -U "$PG_USER" -d "$database" "$@"
}

port="" database="" filestore="" attachments=12 attachment_kb=24 messages=200 message_kb=1 users=5
platform_database="" platform_port="${OPSTOOLS_TEST_PG_PORT:-55432}" name="" service_name="" status=running
command="${1:-}"
shift || true
while (($# > 0)); do
    case "$1" in
    --port) port="$2" ;;
    --database) database="$2" ;;
    --filestore) filestore="$2" ;;
    --attachments) attachments="$2" ;;
    --attachment-kb) attachment_kb="$2" ;;
    --messages) messages="$2" ;;
    --message-kb) message_kb="$2" ;;
    --users) users="$2" ;;
    --platform-database) platform_database="$2" ;;
    --platform-port) platform_port="$2" ;;
    --name) name="$2" ;;
    --service-name) service_name="$2" ;;
    --status) status="$2" ;;
    *) die "unknown option $1" ;;
    esac
    shift 2
done
[[ -n "$port" && -n "$database" ]] || die "--port and --database are required"
[[ "$database" =~ ^[a-z0-9_]+$ ]] || die "database name must be lower-case letters, digits and _"

create() {
    [[ -n "$filestore" ]] || die "--filestore is required"
    psql_on "$port" postgres -c "CREATE DATABASE $database ENCODING 'UTF8' TEMPLATE template0"
    psql_on "$port" "$database" -f "$SCHEMA"
    psql_on "$port" "$database" <<SQL
INSERT INTO res_company (name, currency_id) VALUES ('Acme Lab SA', 1), ('Acme Lab GmbH', 2);
INSERT INTO res_partner (name, email, company_id)
    SELECT 'Partner ' || g, 'partner' || g || '@example.test', 1 + g % 2 FROM generate_series(1, $users + 10) g;
INSERT INTO res_users (login, password, partner_id, company_id, share)
    SELECT CASE WHEN g = 1 THEN 'admin' ELSE 'user' || g END, '\$pbkdf2-sha512\$25000\$' || md5(g::text), g, 1, g > 3
    FROM generate_series(1, $users) g;
INSERT INTO ir_module_module (name, state, latest_version, author, application) VALUES
    ('base', 'installed', '17.0.1.3', 'Odoo S.A.', false),
    ('web', 'installed', '17.0.1.0', 'Odoo S.A.', false),
    ('mail', 'installed', '17.0.1.15', 'Odoo S.A.', true),
    ('sale_management', 'installed', '17.0.1.0', 'Odoo S.A.', true),
    ('account', 'installed', '17.0.1.2', 'Odoo S.A.', true),
    ('stock', 'uninstalled', '17.0.1.1', 'Odoo S.A.', true),
    ('website', 'to install', '17.0.1.0', 'Odoo S.A.', true);
INSERT INTO ir_config_parameter (key, value) VALUES
    ('database.uuid', gen_random_uuid()::text),
    ('database.secret', gen_random_uuid()::text),
    ('database.create_date', to_char(now() AT TIME ZONE 'UTC', 'YYYY-MM-DD HH24:MI:SS')),
    ('database.enterprise_code', 'M' || substr(md5(random()::text), 1, 12)),
    ('web.base.url', 'https://$database.example.test'),
    ('report.url', 'http://localhost:8069');
INSERT INTO ir_mail_server (name, smtp_host, smtp_port) VALUES ('Outgoing', 'smtp.example.test', 587);
INSERT INTO fetchmail_server (name, server) VALUES ('Incoming', 'imap.example.test');
INSERT INTO ir_cron (cron_name, interval_number, interval_type) VALUES
    ('Mail: Email Queue Manager', 1, 'hours'), ('Base: Auto-vacuum internal data', 1, 'days'), ('Partner Autocomplete: Sync', 1, 'weeks');
INSERT INTO ir_model_data (name, module, model, res_id, noupdate) VALUES
    ('ir_cron_mail_scheduler_action', 'mail', 'ir.cron', 1, true),
    ('autovacuum_job', 'base', 'ir.cron', 2, true),
    ('main_company', 'base', 'res.company', 1, true),
    ('user_admin', 'base', 'res.users', 1, true);
SQL
    if ((messages > 0)); then
        # About message_kb KiB of text per row, compressible like real chatter (md5 hex words).
        psql_on "$port" "$database" -c "INSERT INTO mail_message (model, res_id, subject, body, author_id)
            SELECT 'res.partner', 1 + g % $users, 'Message ' || g,
                   '<p>' || (SELECT string_agg(md5(random()::text), ' ') FROM generate_series(1, 30 * $message_kb) w WHERE g > 0) || '</p>',
                   1 + g % $users
            FROM generate_series(1, $messages) g"
    fi

    # Filestore: half the files incompressible (like PDFs and images), half text-like.
    mkdir -p "$filestore"
    local copy i tmp sha dir size
    copy="$(mktemp)"
    tmp="$(mktemp)"
    for ((i = 1; i <= attachments; i++)); do
        if ((i % 2 == 0)); then
            head -c "$((attachment_kb * 1024))" /dev/urandom >"$tmp"
        else
            head -c "$((attachment_kb * 768))" /dev/urandom | base64 -w 76 >"$tmp"
        fi
        sha="$(sha1sum "$tmp" | cut -c1-40)"
        dir="${sha:0:2}"
        mkdir -p "$filestore/$dir"
        mv "$tmp" "$filestore/$dir/$sha"
        chmod 644 "$filestore/$dir/$sha"
        size="$(stat -c %s "$filestore/$dir/$sha")"
        printf 'file%d.bin\tres.partner\t%d\tbinary\t%s/%s\t%s\t%s\tapplication/octet-stream\n' "$i" "$i" "$dir" "$sha" "$size" "$sha" >>"$copy"
    done
    rm -f "$tmp"
    psql_on "$port" "$database" -c "\\copy ir_attachment (name, res_model, res_id, type, store_fname, file_size, checksum, mimetype) FROM '$copy'"
    rm -f "$copy"
    psql_on "$port" "$database" -c "INSERT INTO ir_attachment (name, type, res_model, res_id, db_datas, file_size, mimetype)
        VALUES ('inline.txt', 'binary', 'res.partner', 1, 'stored in the database', 22, 'text/plain'),
               ('Odoo', 'url', 'res.partner', 1, NULL, NULL, NULL)"
    psql_on "$port" "$database" -c "ANALYZE"
    printf '%s\n' "$(psql_on "$port" "$database" -c "SELECT pg_database_size(current_database())") $(du -sb "$filestore" | cut -f1)"
}

register() {
    [[ -n "$platform_database" && -n "$name" ]] || die "register needs --platform-database and --name"
    local hex8 service
    hex8="$(printf '%s' "$database" | md5sum | cut -c1-8)"
    service="${service_name:-odoo-$database-$hex8}"
    psql_on "$platform_port" "$platform_database" <<SQL
INSERT INTO db_servers (name, host, port, server_type, status, health_status, admin_user, admin_password)
    VALUES ('lab-pool-$port', '$PG_HOST', $port, 'shared', 'active', 'healthy', 'postgres', NULL)
    ON CONFLICT (name) DO NOTHING;
INSERT INTO instances (customer_id, name, odoo_version, status, database_name, service_name, service_id,
                       db_host, db_port, db_name, db_user, db_type, db_server_id, storage_limit, metadata)
    SELECT gen_random_uuid(), '$name', '17.0', '$status', '$database', '$service', NULL,
           '$PG_HOST', $port, '$database', '${database}_user', 'shared', id, '10G', '{"plan": "lab"}'
    FROM db_servers WHERE name = 'lab-pool-$port';
SQL
}

drop() {
    psql_on "$port" postgres -c "DROP DATABASE IF EXISTS $database WITH (FORCE)"
    if [[ -n "$filestore" && -d "$filestore" ]]; then
        rm -rf "$filestore"
    fi
}

case "$command" in
create) create ;;
register) register ;;
drop) drop ;;
*) die "usage: odoo-instance.sh create|register|drop ..." ;;
esac
