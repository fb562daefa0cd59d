#!/usr/bin/env bash
# Creates ERPMax's two database roles. Run once by the official postgres image, from
# /docker-entrypoint-initdb.d, when it initialises an empty data directory (as POSTGRES_USER,
# connected to POSTGRES_DB); a data directory that already exists is left alone.
#
#   owner  (ERPMAX_DB_OWNER, default erpmax_owner): owns the database and so the schema public
#          (PostgreSQL 15+: public belongs to pg_database_owner); the migrator connects as it.
#   app    (ERPMAX_DB_APP_USER, default erpmax_app): CONNECT and USAGE on public, and through
#          default privileges SELECT/INSERT/UPDATE/DELETE on every table and USAGE/SELECT on every
#          sequence that the owner creates. No DDL: the app and worker connect as it. The
#          changelog grants the same explicitly (Liquibase parameter erpmax.migration.app-role).
#
# Passwords come from ERPMAX_DB_OWNER_PASSWORD and ERPMAX_DB_APP_PASSWORD (or *_FILE); they are
# passed to psql as variables, never on a command line or in the log. Idempotent: rerunning it
# (e.g. by hand, to rotate passwords) updates the roles instead of failing.
set -euo pipefail

file_env() {
    local var=$1 file_var=${1}_FILE
    if [ -n "${!file_var:-}" ]; then
        export "$var=$(cat "${!file_var}")"
    fi
}
file_env ERPMAX_DB_OWNER_PASSWORD
file_env ERPMAX_DB_APP_PASSWORD

owner=${ERPMAX_DB_OWNER:-erpmax_owner}
app=${ERPMAX_DB_APP_USER:-erpmax_app}
database=${POSTGRES_DB:-${POSTGRES_USER:-postgres}}
missing=()
[ -n "${ERPMAX_DB_OWNER_PASSWORD:-}" ] || missing+=(ERPMAX_DB_OWNER_PASSWORD)
[ -n "${ERPMAX_DB_APP_PASSWORD:-}" ] || missing+=(ERPMAX_DB_APP_PASSWORD)
if [ ${#missing[@]} -gt 0 ]; then
    echo "init-roles: set ${missing[*]}" >&2
    exit 1
fi

psql -v ON_ERROR_STOP=1 --no-psqlrc --username "${POSTGRES_USER:-postgres}" --dbname "$database" \
    -v owner="$owner" -v app="$app" -v db="$database" \
    -v owner_password="$ERPMAX_DB_OWNER_PASSWORD" -v app_password="$ERPMAX_DB_APP_PASSWORD" <<'SQL'
SELECT NOT EXISTS (SELECT FROM pg_roles WHERE rolname = :'owner') AS create_owner,
       NOT EXISTS (SELECT FROM pg_roles WHERE rolname = :'app') AS create_app \gset
\if :create_owner
CREATE ROLE :"owner" LOGIN;
\endif
\if :create_app
CREATE ROLE :"app" LOGIN;
\endif
-- Passwords are set with the psql variables quoted as literals; nothing is echoed.
ALTER ROLE :"owner" WITH LOGIN NOSUPERUSER NOCREATEDB NOCREATEROLE PASSWORD :'owner_password';
ALTER ROLE :"app" WITH LOGIN NOSUPERUSER NOCREATEDB NOCREATEROLE PASSWORD :'app_password';

ALTER DATABASE :"db" OWNER TO :"owner";
REVOKE ALL ON DATABASE :"db" FROM PUBLIC;
GRANT CONNECT, TEMPORARY ON DATABASE :"db" TO :"app";
-- Nobody but the owner creates objects in public (the default since PostgreSQL 15; explicit
-- for older servers and for databases restored from one).
REVOKE CREATE ON SCHEMA public FROM PUBLIC;
GRANT USAGE ON SCHEMA public TO :"app";
ALTER DEFAULT PRIVILEGES FOR ROLE :"owner" IN SCHEMA public
    GRANT SELECT, INSERT, UPDATE, DELETE ON TABLES TO :"app";
ALTER DEFAULT PRIVILEGES FOR ROLE :"owner" IN SCHEMA public
    GRANT USAGE, SELECT ON SEQUENCES TO :"app";
SQL
echo "init-roles: roles $owner (owner of database $database) and $app (DML only) are ready"
