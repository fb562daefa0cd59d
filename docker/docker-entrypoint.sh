#!/usr/bin/env bash
# Entrypoint of the ERPMax image: waits for PostgreSQL, optionally migrates, then starts.
#
#   docker-entrypoint.sh [app]             wait for PostgreSQL; with RUN_MIGRATIONS=true run the migrator's
#                                   "update" first (under the cluster-wide lock, so several
#                                   containers may do it at once); then exec payara/start.sh.
#   docker-entrypoint.sh migrate [ARGS]    wait for PostgreSQL, then exec "erpmax-migrate update ARGS"
#                                   (the one-shot migration service). Exit 0 only on success.
#   docker-entrypoint.sh migrator CMD ...  wait for PostgreSQL, then any migrator command
#                                   (status --check, history, rollback --count 1, locks, ...).
#   docker-entrypoint.sh wait-for-db       only wait (exit 0 when it answers, 3 when it does not).
#   docker-entrypoint.sh anything else     exec'd as is (bash, java -version, ...).
#
# Environment (the application's own ERPMAX_* settings pass through untouched):
#   ERPMAX_DB_URL             jdbc:postgresql://host[:port]/db[?...] (required)
#   ERPMAX_DB_WAIT_TIMEOUT    how long to wait for PostgreSQL: 60s (also 500ms, 10m, 1h, PT1M)
#   RUN_MIGRATIONS=true       "app" migrates before it starts (single host, development)
#   ERPMAX_MIGRATION_DB_USER, ERPMAX_MIGRATION_DB_PASSWORD
#                             credentials of the migrator when they differ from the app's
#                             (the schema owner; the app runs as a DML-only role)
#   ERPMAX_MIGRATION_BACKUP_DIR  when set, "migrate" runs "update --backup DIR" (pg_dump first)
#   X_FILE                    for ERPMAX_DB_PASSWORD, ERPMAX_MIGRATION_DB_PASSWORD and
#                             ERPMAX_AMQP_URI: read the value from that file (Docker/Kubernetes
#                             secrets) instead of the environment
#   ERPMAX_HOME               /opt/erpmax; ERPMAX_MIGRATOR_JAR, ERPMAX_START_SCRIPT override
#   MIGRATOR_JAVA_OPTS        JVM options of the migrator (default: fast start, small heap)
#
# Exit codes: those of the migrator or the application; 2 bad configuration; 3 PostgreSQL did
# not answer within ERPMAX_DB_WAIT_TIMEOUT (the migrator's "database unavailable" code).
# Secrets are never printed.
set -euo pipefail

home=${ERPMAX_HOME:-/opt/erpmax}
migrator_jar=${ERPMAX_MIGRATOR_JAR:-$home/lib/erpmax-migrate.jar}
start_script=${ERPMAX_START_SCRIPT:-$home/payara/start.sh}
if [ -n "${JAVA_HOME:-}" ]; then java=$JAVA_HOME/bin/java; else java=java; fi

log() { printf '%s entrypoint: %s\n' "$(date -u +%Y-%m-%dT%H:%M:%SZ)" "$*" >&2; }
fail() {
    log "$1"
    exit "${2:-2}"
}

# VAR_FILE → VAR, as the official database images do. Both set is a mistake, not a precedence.
file_env() {
    local var=$1 file_var=${1}_FILE
    local file=${!file_var:-}
    [ -n "$file" ] || return 0
    [ -z "${!var:-}" ] || fail "both $var and $file_var are set; set only one"
    [ -r "$file" ] || fail "$file_var names $file, which cannot be read"
    local value
    value=$(cat "$file")
    export "$var=$value"
    unset "$file_var"
}

# Seconds (rounded up) of a duration as the application writes them: 500ms, 30s, 10m, 1h,
# a plain number of seconds, or ISO-8601 (PT10M, PT1M30S).
duration_seconds() {
    local d=$1 total=0 n unit
    case $d in
        *[0-9]ms) n=${d%ms}; echo $(((10#$n + 999) / 1000)); return ;;
        *[0-9]s) echo $((10#${d%s})); return ;;
        *[0-9]m) echo $((10#${d%m} * 60)); return ;;
        *[0-9]h) echo $((10#${d%h} * 3600)); return ;;
        '' | *[!0-9]*) ;;
        *) echo $((10#$d)); return ;;
    esac
    local rest=${d#PT}
    if [ "$rest" != "$d" ] && [ -n "$rest" ]; then
        while [ -n "$rest" ]; do
            n=${rest%%[HMS]*}
            unit=${rest:${#n}:1}
            case $n in '' | *[!0-9]*) return 1 ;; esac
            case $unit in
                H) total=$((total + 10#$n * 3600)) ;;
                M) total=$((total + 10#$n * 60)) ;;
                S) total=$((total + 10#$n)) ;;
                *) return 1 ;;
            esac
            rest=${rest:$((${#n} + 1))}
        done
        echo "$total"
        return
    fi
    return 1
}

# host and port of the first host in ERPMAX_DB_URL (jdbc:postgresql://h1[:p1][,h2...]/db?...).
db_host=
db_port=
parse_db_url() {
    local url=${ERPMAX_DB_URL:-}
    [ -n "$url" ] || fail "ERPMAX_DB_URL is not set (jdbc:postgresql://HOST:5432/DATABASE)"
    case $url in
        jdbc:postgresql://*) ;;
        *) fail "ERPMAX_DB_URL must start with jdbc:postgresql://, not '${url%%//*}//'" ;;
    esac
    local authority=${url#jdbc:postgresql://}
    authority=${authority%%/*}
    authority=${authority%%\?*}
    authority=${authority%%,*}
    case $authority in
        \[*\]:*) db_host=${authority%%]*}; db_host=${db_host#[}; db_port=${authority##*]:} ;;
        \[*\]) db_host=${authority#[}; db_host=${db_host%]}; db_port=5432 ;;
        *:*) db_host=${authority%%:*}; db_port=${authority##*:} ;;
        *) db_host=$authority; db_port=5432 ;;
    esac
    [ -n "$db_host" ] || db_host=localhost
    case $db_port in '' | *[!0-9]*) fail "ERPMAX_DB_URL has an invalid port '$db_port'" ;; esac
}

# 0 when PostgreSQL accepts connections. pg_isready (in the image) tells "accepting" from a server
# that is still starting or recovering; without it, an open TCP port has to do.
db_answers() {
    if command -v pg_isready >/dev/null 2>&1; then
        pg_isready -q -h "$db_host" -p "$db_port" -t 2 >/dev/null 2>&1
    else
        # shellcheck disable=SC2016 # $1 and $2 are the inner shell's arguments
        timeout 2 bash -c 'exec 3<>"/dev/tcp/$1/$2"' _ "$db_host" "$db_port" >/dev/null 2>&1
    fi
}

wait_for_db() {
    parse_db_url
    local spec=${ERPMAX_DB_WAIT_TIMEOUT:-60s} limit start now next_log
    limit=$(duration_seconds "$spec") || fail "ERPMAX_DB_WAIT_TIMEOUT '$spec' is not a duration (60s, 2m, PT1M)"
    start=$SECONDS
    next_log=$start
    until db_answers; do
        now=$SECONDS
        if [ $((now - start)) -ge "$limit" ]; then
            fail "PostgreSQL at $db_host:$db_port did not answer within $spec; giving up" 3
        fi
        if [ "$now" -ge "$next_log" ]; then
            log "waiting for PostgreSQL at $db_host:$db_port ($((now - start)) s of $limit s)"
            next_log=$((now + 5))
        fi
        sleep 1
    done
    log "PostgreSQL at $db_host:$db_port accepts connections (after $((SECONDS - start)) s)"
}

# The migrator as the schema owner when the deployment gives it its own credentials.
migrator() {
    local env=()
    [ -z "${ERPMAX_MIGRATION_DB_USER:-}" ] || env+=("ERPMAX_DB_USER=$ERPMAX_MIGRATION_DB_USER")
    [ -z "${ERPMAX_MIGRATION_DB_PASSWORD:-}" ] || env+=("ERPMAX_DB_PASSWORD=$ERPMAX_MIGRATION_DB_PASSWORD")
    [ -f "$migrator_jar" ] || fail "the migrator $migrator_jar is missing" 2
    local opts=()
    read -r -a opts <<<"${MIGRATOR_JAVA_OPTS--XX:TieredStopAtLevel=1 -XX:+UseSerialGC -Xss512k -XX:MaxRAMPercentage=50}"
    ${exec_it:+exec} env ${env[@]+"${env[@]}"} "$java" ${opts[@]+"${opts[@]}"} -jar "$migrator_jar" "$@"
}

# The migrator replacing this shell: as PID 1 it gets "docker stop"'s SIGTERM itself.
exec_migrator() {
    exec_it=1 migrator "$@"
}

# Runs a command as a child and passes SIGTERM/SIGINT on to it: a shell that is PID 1 would
# otherwise ignore them, and the orchestrator would kill the migrator without warning.
forward_signals() {
    "$@" &
    local child=$! code=0
    trap 'kill -TERM "$child" 2>/dev/null || true' TERM INT
    wait "$child" || code=$?
    # wait returns early (code > 128) when a trapped signal arrives: wait for the real end.
    while kill -0 "$child" 2>/dev/null; do
        code=0
        wait "$child" || code=$?
    done
    trap - TERM INT
    return "$code"
}

update_args() {
    update=(update)
    [ -z "${ERPMAX_MIGRATION_BACKUP_DIR:-}" ] || update+=(--backup "$ERPMAX_MIGRATION_BACKUP_DIR")
}

file_env ERPMAX_DB_PASSWORD
file_env ERPMAX_MIGRATION_DB_PASSWORD
file_env ERPMAX_AMQP_URI

command=${1:-app}
[ $# -eq 0 ] || shift

case $command in
    app)
        [ $# -eq 0 ] || fail "app takes no arguments (configure it with ERPMAX_* variables)"
        wait_for_db
        if [ "${RUN_MIGRATIONS:-false}" = true ]; then
            log "RUN_MIGRATIONS=true: migrating before the application starts"
            update_args
            started=$SECONDS
            code=0
            forward_signals migrator "${update[@]}" || code=$?
            [ "$code" -eq 0 ] || fail "migration failed (migrator exit code $code); not starting the application" "$code"
            log "migration done in $((SECONDS - started)) s"
        fi
        log "starting the application (role ${ERPMAX_ROLE:-all}, migration mode ${ERPMAX_MIGRATION_MODE:-update})"
        exec "$start_script"
        ;;
    migrate)
        wait_for_db
        update_args
        log "running: erpmax-migrate ${update[*]} $*"
        exec_migrator "${update[@]}" "$@"
        ;;
    migrator)
        [ $# -gt 0 ] || set -- --help
        case $1 in --help | help) ;; *) wait_for_db ;; esac
        exec_migrator "$@"
        ;;
    wait-for-db)
        wait_for_db
        ;;
    *)
        exec "$command" "$@"
        ;;
esac
