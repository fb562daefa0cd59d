#!/bin/sh
# Entrypoint of the ERPMax image: waits for PostgreSQL, optionally migrates, then starts.
# POSIX sh (dash, busybox ash, bash): no arrays, no ${!var}, no $SECONDS, no /dev/tcp.
#
#   docker-entrypoint.sh [app]        wait for PostgreSQL; with RUN_MIGRATIONS=true run the migrator's
#                                     "update" first (under the cluster-wide lock, so several
#                                     containers may do it at once); then exec payara/start.sh.
#   docker-entrypoint.sh migrate [COMMAND] [ARGS]
#                                     wait for PostgreSQL, then exec the migrator with COMMAND ARGS:
#       migrate                       update (the one-shot migration service); exit 0 only on success
#       migrate --labels expand       no COMMAND (an option first): update with these options
#       migrate history               any migrator command: status --check, current, history,
#       migrate rollback --count 1    rollback, tag, update-sql, rollback-sql, validate,
#                                     test-rollback, locks, restore FILE --force, update ...
#       migrate --help                the migrator's help (no database needed)
#     An unknown COMMAND gets the migrator's usage error (exit 2) without waiting for PostgreSQL.
#   docker-entrypoint.sh wait-for-db  only wait (exit 0 when it answers, 3 when it does not).
#   docker-entrypoint.sh anything else  exec'd as is (sh, java -version, ...).
#
# Environment (the application's own ERPMAX_* settings pass through untouched):
#   ERPMAX_DB_URL             jdbc:postgresql://host[:port]/db[?...] (required)
#   ERPMAX_DB_WAIT_TIMEOUT    how long to wait for PostgreSQL: 60s (also 500ms, 10m, 1h, PT1M30S)
#   RUN_MIGRATIONS=true       "app" migrates before it starts (single host, development)
#   ERPMAX_MIGRATION_DB_USER, ERPMAX_MIGRATION_DB_PASSWORD
#                             credentials of the migrator when they differ from the app's
#                             (the schema owner; the app runs as a DML-only role)
#   ERPMAX_MIGRATION_BACKUP_DIR  when set, "update" (migrate, migrate update, RUN_MIGRATIONS) runs
#                             as "update --backup DIR" (pg_dump first)
#   X_FILE                    for ERPMAX_DB_PASSWORD, ERPMAX_MIGRATION_DB_PASSWORD and
#                             ERPMAX_AMQP_URI: read the value from that file (Docker/Kubernetes
#                             secrets) instead of the environment
#   ERPMAX_HOME               /opt/erpmax; ERPMAX_MIGRATOR_JAR, ERPMAX_START_SCRIPT override
#   MIGRATOR_JAVA_OPTS        JVM options of the migrator (default: fast start, small heap)
#
# Exit codes: those of the migrator or the application; 2 bad configuration; 3 PostgreSQL did
# not answer within ERPMAX_DB_WAIT_TIMEOUT (the migrator's "database unavailable" code).
# Secrets are never printed.
set -eu

home=${ERPMAX_HOME:-/opt/erpmax}
migrator_jar=${ERPMAX_MIGRATOR_JAR:-$home/lib/erpmax-migrate.jar}
start_script=${ERPMAX_START_SCRIPT:-$home/payara/start.sh}
if [ -n "${JAVA_HOME:-}" ]; then java=$JAVA_HOME/bin/java; else java=java; fi
# The migrator's commands that need the database (java -jar erpmax-migrate.jar --help).
migrator_commands='update status current history rollback tag update-sql rollback-sql validate test-rollback locks restore'

log() { printf '%s entrypoint: %s\n' "$(date -u +%Y-%m-%dT%H:%M:%SZ)" "$*" >&2; }
fail() {
    log "$1"
    exit "${2:-2}"
}
now() { date +%s; }

# VAR_FILE → VAR, as the official database images do. Both set is a mistake, not a precedence.
# $1 is one of the fixed names below, never user input: the evals only expand it.
file_env() {
    eval "fe_file=\${${1}_FILE:-}"
    [ -n "$fe_file" ] || return 0
    eval "fe_set=\${${1}:+set}"
    [ -z "$fe_set" ] || fail "both $1 and ${1}_FILE are set; set only one"
    [ -r "$fe_file" ] || fail "${1}_FILE names $fe_file, which cannot be read"
    fe_value=$(cat "$fe_file")
    eval "$1=\$fe_value"
    export "$1"
    unset "${1}_FILE" fe_value
}

# A decimal number without leading zeros ($((010)) is octal); fails unless $1 is all digits.
decimal() {
    case $1 in '' | *[!0-9]*) return 1 ;; esac
    dec=$1
    while :; do
        case $dec in 0?*) dec=${dec#0} ;; *) break ;; esac
    done
    printf '%s\n' "$dec"
}

# Seconds (rounded up) of a duration as the application writes them: 500ms, 30s, 10m, 1h,
# a plain number of seconds, or ISO-8601 (PT10M, PT1M30S).
duration_seconds() {
    case $1 in
        *[0-9]ms) ds_n=$(decimal "${1%ms}") || return 1; echo $(((ds_n + 999) / 1000)); return ;;
        *[0-9]s) ds_n=$(decimal "${1%s}") || return 1; echo "$ds_n"; return ;;
        *[0-9]m) ds_n=$(decimal "${1%m}") || return 1; echo $((ds_n * 60)); return ;;
        *[0-9]h) ds_n=$(decimal "${1%h}") || return 1; echo $((ds_n * 3600)); return ;;
        PT?*) ;;
        *) decimal "$1"; return ;;
    esac
    ds_rest=${1#PT}
    ds_total=0
    while [ -n "$ds_rest" ]; do
        ds_n=${ds_rest%%[HMS]*}              # the digits before the next unit
        ds_tail=${ds_rest#"$ds_n"}           # the unit and what follows
        [ -n "$ds_tail" ] || return 1        # digits without a unit
        ds_unit=${ds_tail%"${ds_tail#?}"}
        ds_rest=${ds_tail#?}
        ds_n=$(decimal "$ds_n") || return 1
        case $ds_unit in
            H) ds_total=$((ds_total + ds_n * 3600)) ;;
            M) ds_total=$((ds_total + ds_n * 60)) ;;
            S) ds_total=$((ds_total + ds_n)) ;;
        esac
    done
    echo "$ds_total"
}

# host and port of the first host in ERPMAX_DB_URL (jdbc:postgresql://h1[:p1][,h2...]/db?...).
db_host=
db_port=
parse_db_url() {
    url=${ERPMAX_DB_URL:-}
    [ -n "$url" ] || fail "ERPMAX_DB_URL is not set (jdbc:postgresql://HOST:5432/DATABASE)"
    case $url in
        jdbc:postgresql://*) ;;
        *) fail "ERPMAX_DB_URL must start with jdbc:postgresql://, not '${url%%//*}//'" ;;
    esac
    authority=${url#jdbc:postgresql://}
    authority=${authority%%/*}
    authority=${authority%%\?*}
    authority=${authority%%,*}
    authority=${authority##*@} # user:password@host is not JDBC, but never print a password
    case $authority in
        \[*\]:*) db_host=${authority%%]*}; db_host=${db_host#[}; db_port=${authority##*]:} ;;
        \[*\]) db_host=${authority#[}; db_host=${db_host%]}; db_port=5432 ;;
        *:*) db_host=${authority%%:*}; db_port=${authority##*:} ;;
        *) db_host=$authority; db_port=5432 ;;
    esac
    unset url authority
    [ -n "$db_host" ] || db_host=localhost
    case $db_port in '' | *[!0-9]*) fail "ERPMAX_DB_URL has an invalid port '$db_port'" ;; esac
}

# 0 when PostgreSQL accepts connections. pg_isready (in the image) tells "accepting" from a server
# that is still starting or recovering; without it, an open TCP port has to do, which POSIX sh
# cannot test by itself: bash's /dev/tcp when bash is there, else a clear failure.
probe=
choose_probe() {
    if command -v pg_isready >/dev/null 2>&1; then
        probe=pg_isready
    elif command -v bash >/dev/null 2>&1; then
        probe=bash
        log "pg_isready is missing (postgresql-client): an open TCP port counts as PostgreSQL answering"
    else
        fail "cannot wait for PostgreSQL: pg_isready is missing (install postgresql-client)"
    fi
}
db_answers() {
    case $probe in
        pg_isready) pg_isready -q -h "$db_host" -p "$db_port" -t 2 >/dev/null 2>&1 ;;
        *)
            if command -v timeout >/dev/null 2>&1; then set -- timeout 2; else set --; fi
            # shellcheck disable=SC2016 # $1 and $2 are the inner shell's arguments
            "$@" bash -c 'exec 3<>"/dev/tcp/$1/$2"' _ "$db_host" "$db_port" >/dev/null 2>&1
            ;;
    esac
}

wait_for_db() {
    parse_db_url
    wait_spec=${ERPMAX_DB_WAIT_TIMEOUT:-60s}
    wait_limit=$(duration_seconds "$wait_spec") ||
        fail "ERPMAX_DB_WAIT_TIMEOUT '$wait_spec' is not a duration (60s, 2m, PT1M)"
    choose_probe
    wait_start=$(now)
    wait_next_log=$wait_start
    until db_answers; do
        wait_now=$(now)
        if [ $((wait_now - wait_start)) -ge "$wait_limit" ]; then
            fail "PostgreSQL at $db_host:$db_port did not answer within $wait_spec; giving up" 3
        fi
        if [ "$wait_now" -ge "$wait_next_log" ]; then
            log "waiting for PostgreSQL at $db_host:$db_port ($((wait_now - wait_start)) s of $wait_limit s)"
            wait_next_log=$((wait_now + 5))
        fi
        sleep 1
    done
    log "PostgreSQL at $db_host:$db_port accepts connections (after $(($(now) - wait_start)) s)"
}

# The migrator with these arguments, replacing the shell that runs this function: as PID 1 it
# gets "docker stop"'s SIGTERM itself; run with & (RUN_MIGRATIONS) it replaces that subshell, so
# the PID the caller signals is the JVM's. The schema owner's credentials, when the deployment
# gives the migrator its own, are exported only here (never on a command line, never printed).
exec_migrator() {
    [ -f "$migrator_jar" ] || fail "the migrator $migrator_jar is missing" 2
    if [ -n "${ERPMAX_MIGRATION_DB_USER:-}" ]; then ERPMAX_DB_USER=$ERPMAX_MIGRATION_DB_USER; export ERPMAX_DB_USER; fi
    if [ -n "${ERPMAX_MIGRATION_DB_PASSWORD:-}" ]; then ERPMAX_DB_PASSWORD=$ERPMAX_MIGRATION_DB_PASSWORD; export ERPMAX_DB_PASSWORD; fi
    java_opts=${MIGRATOR_JAVA_OPTS--XX:TieredStopAtLevel=1 -XX:+UseSerialGC -Xss512k -XX:MaxRAMPercentage=50}
    set -f # the options are split on blanks, never globbed
    # shellcheck disable=SC2086 # word splitting of the options is intended
    exec "$java" $java_opts -jar "$migrator_jar" "$@"
}

# Runs a command as a child and passes SIGTERM/SIGINT on to it: a shell that is PID 1 would
# otherwise ignore them, and the orchestrator would kill the migrator without warning.
# The trap is set before the child starts (a subshell resets it), so no signal is lost between.
forward_signals() {
    child=
    signalled=
    trap 'signalled=1; [ -z "$child" ] || kill -s TERM "$child" 2>/dev/null || true' TERM INT
    "$@" &
    child=$!
    [ -z "$signalled" ] || kill -s TERM "$child" 2>/dev/null || true
    child_code=0
    wait "$child" || child_code=$?
    # wait returns early (code > 128) when a trapped signal arrives: wait for the real end.
    while kill -s 0 "$child" 2>/dev/null; do
        child_code=0
        wait "$child" || child_code=$?
    done
    trap - TERM INT
    return "$child_code"
}

# The arguments for the log: a password in an argument (--url ...?password=x) is masked.
shown_args() {
    sa_out=
    for sa_arg in "$@"; do
        case $sa_arg in
            *[Pp][Aa][Ss][Ss][Ww][Oo][Rr][Dd]=*) sa_arg=$(printf '%s\n' "$sa_arg" | sed 's/\([Pp][Aa][Ss][Ss][Ww][Oo][Rr][Dd]=\)[^&]*/\1***/g') ;;
        esac
        sa_out="$sa_out $sa_arg"
    done
    printf '%s\n' "${sa_out# }"
}

# 0 when the arguments already name a backup directory (migrate update --backup DIR).
has_backup_arg() {
    for hb_arg in "$@"; do
        case $hb_arg in --backup | --backup=*) return 0 ;; esac
    done
    return 1
}

# 0 when --help is among the arguments: the migrator answers without a database.
wants_help() {
    for wh_arg in "$@"; do
        case $wh_arg in --help | -h) return 0 ;; esac
    done
    return 1
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
            if [ -n "${ERPMAX_MIGRATION_BACKUP_DIR:-}" ]; then
                set -- update --backup "$ERPMAX_MIGRATION_BACKUP_DIR"
            else
                set -- update
            fi
            started=$(now)
            code=0
            forward_signals exec_migrator "$@" || code=$?
            [ "$code" -eq 0 ] || fail "migration failed (migrator exit code $code); not starting the application" "$code"
            log "migration done in $(($(now) - started)) s"
        fi
        log "starting the application (role ${ERPMAX_ROLE:-all}, migration mode ${ERPMAX_MIGRATION_MODE:-update})"
        exec "$start_script"
        ;;
    migrate)
        case ${1:-} in
            --help | -h) ;;                         # the migrator's help
            help) shift; set -- --help "$@" ;;
            '' | -*) set -- update "$@" ;;          # no COMMAND, or options first: update
        esac
        case " $migrator_commands " in
            *" $1 "*)
                if [ "$1" = update ] && [ -n "${ERPMAX_MIGRATION_BACKUP_DIR:-}" ] && ! has_backup_arg "$@"; then
                    shift
                    set -- update --backup "$ERPMAX_MIGRATION_BACKUP_DIR" "$@"
                fi
                if wants_help "$@"; then exec_migrator "$@"; fi
                wait_for_db
                log "running: erpmax-migrate $(shown_args "$@")"
                exec_migrator "$@"
                ;;
            *)
                # --help, or not a command: the migrator prints its help or its usage error (2).
                exec_migrator "$@"
                ;;
        esac
        ;;
    wait-for-db)
        wait_for_db
        ;;
    *)
        exec "$command" "$@"
        ;;
esac
