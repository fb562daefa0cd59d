#!/usr/bin/env bash
# Proves docker/docker-entrypoint.sh, docker/healthcheck.sh and docker/postgres/init-roles.sh on the host,
# against the real PostgreSQL (127.0.0.1:5432, user postgres, trust auth), with the built
# migrator (target/erpmax-migrate.jar; built when missing):
#
#   - PostgreSQL unreachable for 5 s, then reachable: the entrypoint waits, then migrates (exit 0);
#   - PostgreSQL never reachable: exit 3 after ERPMAX_DB_WAIT_TIMEOUT, naming host and port;
#   - "migrate" exits 0 on an empty database and again with nothing pending;
#   - "migrate COMMAND": history, status --check (0, then 4 after rollback --count 1), --labels
#     expand (= update); --help without a database; an unknown command is the migrator's usage
#     error (exit 2); the old "migrator" command is gone;
#   - with a stand-in java: the arguments the migrator gets (update --backup DIR, the migration
#     credentials), exec'd in place of the entrypoint, no secret printed; RUN_MIGRATIONS=true
#     forwards SIGTERM to the migrator;
#   - RUN_MIGRATIONS=true: the schema is migrated before the application starts, and the start
#     script replaces the entrypoint (exec: same PID, so it gets the signals);
#   - a failing migration: the application is not started, the exit code is non-zero;
#   - *_FILE secrets; bad settings exit 2;
#   - POSIX sh: #!/bin/sh, dash -n, checkbashisms -p (when installed); durations and the bounded
#     wait under dash and under bash;
#   - healthcheck.sh: 200 healthy, 503 and silence unhealthy;
#   - init-roles.sh: two roles; after the migrator ran as the owner, the app role can read and
#     write the tables but not create one.
# "Down" is simulated without touching the machine's PostgreSQL: the entrypoint is pointed at a
# free port where a socat forwarder to 5432 starts listening 5 s later.
#
#   docker/test-entrypoint.sh          (ERPMAX_TEST_PG_HOST/PORT/USER override the server)
#
# Ends with "N passed, N failed"; exit status 0 only when nothing failed.
set -euo pipefail
cd "$(dirname "$0")/.."
repo=$(pwd)

pg_host=${ERPMAX_TEST_PG_HOST:-127.0.0.1}
pg_port=${ERPMAX_TEST_PG_PORT:-5432}
pg_user=${ERPMAX_TEST_PG_USER:-postgres}
jar=$repo/target/erpmax-migrate.jar
tmp=$(mktemp -d)
suffix=$$
databases=()
roles=()
pids=()
passed=0
failed=0
ok() { passed=$((passed + 1)); printf 'ok   %s\n' "$*"; }
bad() { failed=$((failed + 1)); printf 'FAIL %s\n' "$*"; }
psql_admin() { psql -h "$pg_host" -p "$pg_port" -U "$pg_user" -v ON_ERROR_STOP=1 -qAt "$@"; }

cleanup() {
    local p d r
    for p in ${pids[@]+"${pids[@]}"}; do kill "$p" 2>/dev/null || true; done
    for d in ${databases[@]+"${databases[@]}"}; do psql_admin -d postgres -c "DROP DATABASE IF EXISTS $d WITH (FORCE)" >/dev/null 2>&1 || true; done
    for r in ${roles[@]+"${roles[@]}"}; do psql_admin -d postgres -c "DROP ROLE IF EXISTS $r" >/dev/null 2>&1 || true; done
    rm -rf "$tmp"
}
trap cleanup EXIT
trap 'exit 143' TERM INT

apt_updated=
for tool in dash:dash socat:socat bc:bc psql:postgresql-client pg_isready:postgresql-client envsubst:gettext-base java:openjdk-17-jdk-headless; do
    command -v "${tool%%:*}" >/dev/null && continue
    [ "$(id -u)" = 0 ] || { echo "test-entrypoint: ${tool%%:*} is missing (apt-get install ${tool#*:})" >&2; exit 2; }
    [ -n "$apt_updated" ] || { apt-get update -qq; apt_updated=1; }
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${tool#*:}" >/dev/null
done
[ -f "$jar" ] || ./mvnw -B -q package -DskipTests
# A private copy: a rebuild of target/ during the run must not change the jar under the test.
cp "$jar" "$tmp/erpmax-migrate.jar"
jar=$tmp/erpmax-migrate.jar

# Sets db (not called in $(...): the subshell would lose the clean-up list).
new_db() {
    db=erpmax_ep_${suffix}_$1
    psql_admin -d postgres -c "CREATE DATABASE $db" >/dev/null
    databases+=("$db")
}
free_port() {
    local port
    for port in $(shuf -i 20000-29999 -n 50); do
        (exec 3<>"/dev/tcp/127.0.0.1/$port") 2>/dev/null || { printf '%s' "$port"; return; }
    done
    return 1
}
# The entrypoint as the image runs it, with the repository's files in the image's places.
entrypoint() {
    env ERPMAX_MIGRATOR_JAR="$jar" ERPMAX_DB_USER="$pg_user" "$@"
}
applied() { psql_admin -d "$1" -c 'SELECT count(*) FROM databasechangelog' 2>/dev/null || echo 0; }

# --- PostgreSQL down for 5 s: waits, then migrates ---------------------------------------------------
new_db wait
port=$(free_port)
(sleep 5 && exec socat TCP-LISTEN:"$port",bind=127.0.0.1,reuseaddr,fork TCP:"$pg_host":"$pg_port") &
pids+=($!)
started=$(date +%s.%N)
code=0
entrypoint ERPMAX_DB_URL="jdbc:postgresql://127.0.0.1:$port/$db" ERPMAX_DB_WAIT_TIMEOUT=60s \
    docker/docker-entrypoint.sh migrate >"$tmp/wait.out" 2>"$tmp/wait.err" || code=$?
elapsed=$(echo "$(date +%s.%N) - $started" | bc)
if [ "$code" -eq 0 ] && grep -q "waiting for PostgreSQL at 127.0.0.1:$port" "$tmp/wait.err" &&
    [ "$(echo "$elapsed >= 5" | bc)" = 1 ] && [ "$(applied "$db")" -gt 0 ]; then
    ok "PostgreSQL down for 5 s: waited, then migrated ($(applied "$db") changesets, exit 0, ${elapsed%???????} s)"
else
    bad "PostgreSQL down for 5 s: exit $code after $elapsed s; $(tail -n 5 "$tmp/wait.err")"
fi
kill "${pids[-1]}" 2>/dev/null || true

# --- PostgreSQL never there: exit 3 after the timeout ------------------------------------------------
port=$(free_port)
started=$SECONDS
code=0
entrypoint ERPMAX_DB_URL="jdbc:postgresql://127.0.0.1:$port/nothing" ERPMAX_DB_WAIT_TIMEOUT=3s \
    docker/docker-entrypoint.sh migrate >/dev/null 2>"$tmp/never.err" || code=$?
if [ "$code" -eq 3 ] && [ $((SECONDS - started)) -le 8 ] && grep -q "127.0.0.1:$port did not answer within 3s" "$tmp/never.err"; then
    ok "PostgreSQL never reachable: exit 3 after ERPMAX_DB_WAIT_TIMEOUT=3s, naming host:port"
else
    bad "PostgreSQL never reachable: exit $code after $((SECONDS - started)) s: $(cat "$tmp/never.err")"
fi

# --- migrate: exit 0, and again with nothing pending ------------------------------------------------------
new_db migrate
url="jdbc:postgresql://$pg_host:$pg_port/$db"
code=0
entrypoint ERPMAX_DB_URL="$url" docker/docker-entrypoint.sh migrate >"$tmp/m1.out" 2>&1 || code=$?
n=$(applied "$db")
if [ "$code" -eq 0 ] && [ "$n" -gt 0 ]; then ok "migrate: exit 0, $n changesets applied"; else bad "migrate: exit $code: $(tail -n 5 "$tmp/m1.out")"; fi
started=$(date +%s%N)
code=0
entrypoint ERPMAX_DB_URL="$url" docker/docker-entrypoint.sh migrate >"$tmp/m2.out" 2>&1 || code=$?
ms=$((($(date +%s%N) - started) / 1000000))
if [ "$code" -eq 0 ] && [ "$(applied "$db")" = "$n" ]; then ok "migrate again: exit 0, nothing applied (${ms} ms: the no-op every 'up' pays)"; else bad "migrate again: exit $code: $(tail -n 5 "$tmp/m2.out")"; fi
code=0
entrypoint ERPMAX_DB_URL="$url" docker/docker-entrypoint.sh migrate status --check >"$tmp/st.out" 2>&1 || code=$?
if [ "$code" -eq 0 ]; then ok "migrate status --check: exit 0 (nothing pending)"; else bad "migrate status --check: exit $code: $(cat "$tmp/st.out")"; fi

# --- migrate COMMAND: any migrator command, one way each -----------------------------------------------
code=0
entrypoint ERPMAX_DB_URL="$url" docker/docker-entrypoint.sh migrate history >"$tmp/hist.out" 2>"$tmp/hist.err" || code=$?
if [ "$code" -eq 0 ] && [ "$(grep -c ' 20[0-9]*-[0-9]*-' "$tmp/hist.out")" = "$n" ] && grep -q 'running: erpmax-migrate history$' "$tmp/hist.err"; then
    ok "migrate history: exit 0, lists the $n applied changesets"
else
    bad "migrate history: exit $code: $(tail -n 5 "$tmp/hist.out" "$tmp/hist.err")"
fi
code=0
entrypoint ERPMAX_DB_URL="$url" docker/docker-entrypoint.sh migrate rollback --count 1 >"$tmp/rb.out" 2>&1 || code=$?
if [ "$code" -eq 0 ] && [ "$(applied "$db")" = $((n - 1)) ]; then
    ok "migrate rollback --count 1: exit 0, one changeset rolled back"
else
    bad "migrate rollback --count 1: exit $code, $(applied "$db") applied: $(tail -n 5 "$tmp/rb.out")"
fi
code=0
entrypoint ERPMAX_DB_URL="$url" docker/docker-entrypoint.sh migrate status --check >"$tmp/st4.out" 2>&1 || code=$?
if [ "$code" -eq 4 ] && grep -q '^pending: 1 ' "$tmp/st4.out"; then
    ok "migrate status --check: exit 4 with one changeset pending (the migrator's code)"
else
    bad "migrate status --check with one pending: exit $code: $(tail -n 5 "$tmp/st4.out")"
fi
code=0
entrypoint ERPMAX_DB_URL="$url" docker/docker-entrypoint.sh migrate --labels expand >"$tmp/exp.out" 2>&1 || code=$?
if [ "$code" -eq 0 ] && [ "$(applied "$db")" = "$n" ] && grep -q 'running: erpmax-migrate update --labels expand$' "$tmp/exp.out"; then
    ok "migrate --labels expand: runs update --labels expand, the changeset is back ($n applied)"
else
    bad "migrate --labels expand: exit $code, $(applied "$db") applied: $(tail -n 5 "$tmp/exp.out")"
fi
code=0
entrypoint ERPMAX_DB_URL="jdbc:postgresql://127.0.0.1:$(free_port)/nothing" ERPMAX_DB_WAIT_TIMEOUT=30s \
    docker/docker-entrypoint.sh migrate bogus >"$tmp/bogus.out" 2>&1 || code=$?
if [ "$code" -eq 2 ] && grep -q "unknown command 'bogus'" "$tmp/bogus.out" && ! grep -q 'waiting for PostgreSQL' "$tmp/bogus.out"; then
    ok "migrate bogus: the migrator's usage error, exit 2, without waiting for PostgreSQL"
else
    bad "migrate bogus: exit $code: $(tail -n 5 "$tmp/bogus.out")"
fi
code=0
env -u ERPMAX_DB_URL ERPMAX_MIGRATOR_JAR="$jar" docker/docker-entrypoint.sh migrate --help >"$tmp/help.out" 2>&1 || code=$?
if [ "$code" -eq 0 ] && grep -q '^usage: ' "$tmp/help.out" && grep -q 'rollback-sql' "$tmp/help.out"; then
    ok "migrate --help: the migrator's help, no database needed"
else
    bad "migrate --help: exit $code: $(head -n 5 "$tmp/help.out")"
fi
code=0
env -u ERPMAX_DB_URL PATH="$tmp/no-such-dir:/usr/bin:/bin" docker/docker-entrypoint.sh migrator status >/dev/null 2>&1 || code=$?
if [ "$code" -ne 0 ]; then ok "the old \"migrator\" command is gone (exit $code)"; else bad "\"migrator status\" still runs"; fi

# --- The migrator's arguments and environment, with a stand-in java (no JVM) ---------------------------
mkdir -p "$tmp/fake-java/bin"
cat >"$tmp/fake-java/bin/java" <<EOF
#!/bin/sh
# Stands in for java: records its PID, arguments and database credentials.
printf 'pid=%s user=%s password=%s args=%s\n' "\$\$" "\${ERPMAX_DB_USER:-}" "\${ERPMAX_DB_PASSWORD:-}" "\$*" >>"$tmp/java-seen"
EOF
chmod +x "$tmp/fake-java/bin/java"
printf 'owner-secret-42' >"$tmp/owner-secret"
fake_migrate() { # the arguments expected after "-jar JAR", then the entrypoint's arguments
    local expected=$1 seen
    shift
    rm -f "$tmp/java-seen"
    code=0
    # shellcheck disable=SC2016 # $$ and $1 belong to the inner shell
    env JAVA_HOME="$tmp/fake-java" ERPMAX_MIGRATOR_JAR="$jar" ERPMAX_DB_URL="$url" ERPMAX_DB_USER=app ERPMAX_DB_PASSWORD=app-pw \
        ERPMAX_MIGRATION_DB_USER=owner ERPMAX_MIGRATION_DB_PASSWORD_FILE="$tmp/owner-secret" ERPMAX_MIGRATION_BACKUP_DIR=/backups \
        MIGRATOR_JAVA_OPTS="-Xmx64m  -Xss1m" sh -c 'echo "$$" >"$1"; shift; exec docker/docker-entrypoint.sh "$@"' _ "$tmp/ep-pid" "$@" \
        >"$tmp/fake.out" 2>&1 || code=$?
    seen=$(cat "$tmp/java-seen" 2>/dev/null)
    if [ "$code" -eq 0 ] && [ "$seen" = "pid=$(cat "$tmp/ep-pid") user=owner password=owner-secret-42 args=-Xmx64m -Xss1m -jar $jar $expected" ] &&
        ! grep -q 'secret' "$tmp/fake.out"; then
        ok "$* → erpmax-migrate $expected (exec'd in place, as the migration user, no secret printed)"
    else
        bad "$*: exit $code, java saw '$seen'; $(tail -n 3 "$tmp/fake.out")"
    fi
}
fake_migrate "update --backup /backups" migrate
fake_migrate "update --backup /backups --labels expand" migrate --labels expand
fake_migrate "update --backup /backups --labels expand" migrate update --labels expand
fake_migrate "update --backup /elsewhere" migrate update --backup /elsewhere
fake_migrate "history" migrate history
fake_migrate "status --check" migrate status --check
fake_migrate "rollback --count 1" migrate rollback --count 1
fake_migrate "restore /backups/x.dump --force" migrate restore /backups/x.dump --force
fake_migrate "--help" migrate help

# RUN_MIGRATIONS: SIGTERM to the entrypoint (PID 1 in a container) reaches the migrator.
cat >"$tmp/fake-java/bin/java" <<EOF
#!/bin/sh
trap 'echo TERM >"$tmp/java-term"; exit 143' TERM
echo "\$\$" >"$tmp/java-pid"
i=0
while [ \$i -lt 200 ]; do sleep 0.1; i=\$((i + 1)); done
EOF
printf '#!/bin/sh\ntouch "%s"\n' "$tmp/started-anyway" >"$tmp/never-start.sh"
chmod +x "$tmp/never-start.sh"
rm -f "$tmp/java-pid" "$tmp/java-term"
# env execs the entrypoint: $! is its PID (a function run with & would be a subshell in between).
env JAVA_HOME="$tmp/fake-java" ERPMAX_MIGRATOR_JAR="$jar" ERPMAX_DB_URL="$url" ERPMAX_DB_USER="$pg_user" RUN_MIGRATIONS=true \
    ERPMAX_START_SCRIPT="$tmp/never-start.sh" docker/docker-entrypoint.sh app >"$tmp/sig.out" 2>&1 &
ep=$!
pids+=("$ep")
for _ in $(seq 1 100); do [ -s "$tmp/java-pid" ] && break; sleep 0.1; done
sleep 0.3
kill -TERM "$ep" 2>/dev/null || true
code=0
wait "$ep" || code=$?
if [ "$code" -eq 143 ] && [ "$(cat "$tmp/java-term" 2>/dev/null)" = TERM ] && [ ! -f "$tmp/started-anyway" ] &&
    grep -q 'migrator exit code 143' "$tmp/sig.out"; then
    ok "RUN_MIGRATIONS=true + SIGTERM: forwarded to the migrator; exit 143, the application not started"
else
    bad "RUN_MIGRATIONS=true + SIGTERM: exit $code, migrator got '$(cat "$tmp/java-term" 2>/dev/null)'; $(tail -n 3 "$tmp/sig.out")"
fi

# --- RUN_MIGRATIONS=true: migrated before the application starts, which replaces the entrypoint ------
new_db run
url="jdbc:postgresql://$pg_host:$pg_port/$db"
cat >"$tmp/fake-start.sh" <<EOF
#!/usr/bin/env bash
# Stands in for payara/start.sh: records what it found when it started.
echo "pid=\$\$" >"$tmp/app-started"
echo "applied=\$(psql -h $pg_host -p $pg_port -U $pg_user -d $db -qAtc 'SELECT count(*) FROM databasechangelog' 2>/dev/null || echo none)" >>"$tmp/app-started"
EOF
chmod +x "$tmp/fake-start.sh"
code=0
# shellcheck disable=SC2016 # $$ and $1 belong to the inner shell
entrypoint ERPMAX_DB_URL="$url" RUN_MIGRATIONS=true ERPMAX_START_SCRIPT="$tmp/fake-start.sh" \
    bash -c 'echo "entrypoint=$$" >"$1"; exec docker/docker-entrypoint.sh app' _ "$tmp/entrypoint-pid" >"$tmp/run.out" 2>&1 || code=$?
n=$(applied "$db")
if [ "$code" -eq 0 ] && grep -qx "applied=$n" "$tmp/app-started" 2>/dev/null && [ "$n" -gt 0 ] &&
    grep -q "migration done" "$tmp/run.out" &&
    [ "$(sed -n 's/^pid=//p' "$tmp/app-started")" = "$(sed -n 's/^entrypoint=//p' "$tmp/entrypoint-pid")" ]; then
    ok "RUN_MIGRATIONS=true: all $n changesets applied before the application started; it was exec'd (same PID)"
else
    bad "RUN_MIGRATIONS=true: exit $code, app saw: $(tr '\n' ' ' <"$tmp/app-started" 2>/dev/null), applied $n; $(tail -n 5 "$tmp/run.out")"
fi
rm -f "$tmp/app-started"
code=0
entrypoint ERPMAX_DB_URL="$url" ERPMAX_START_SCRIPT="$tmp/fake-start.sh" docker/docker-entrypoint.sh >/dev/null 2>&1 || code=$?
if [ "$code" -eq 0 ] && [ -f "$tmp/app-started" ]; then ok "no argument means app; RUN_MIGRATIONS unset: starts without migrating"; else bad "default command: exit $code"; fi

# --- A failing migration: the application never starts ------------------------------------------------
rm -f "$tmp/app-started"
code=0
entrypoint ERPMAX_DB_URL="jdbc:postgresql://$pg_host:$pg_port/erpmax_ep_${suffix}_does_not_exist" RUN_MIGRATIONS=true \
    ERPMAX_START_SCRIPT="$tmp/fake-start.sh" docker/docker-entrypoint.sh app >"$tmp/fail.out" 2>&1 || code=$?
if [ "$code" -ne 0 ] && [ ! -f "$tmp/app-started" ] && grep -q "not starting the application" "$tmp/fail.out"; then
    ok "failing migration (database missing): exit $code, application not started"
else
    bad "failing migration: exit $code, started: $([ -f "$tmp/app-started" ] && echo yes || echo no)"
fi

# --- Configuration errors and *_FILE secrets ---------------------------------------------------------------
code=0
env -u ERPMAX_DB_URL docker/docker-entrypoint.sh migrate >/dev/null 2>"$tmp/nourl.err" || code=$?
if [ "$code" -eq 2 ] && grep -q "ERPMAX_DB_URL is not set" "$tmp/nourl.err"; then ok "no ERPMAX_DB_URL: exit 2 with the reason"; else bad "no ERPMAX_DB_URL: exit $code"; fi
code=0
ERPMAX_DB_URL=postgres://x/y docker/docker-entrypoint.sh migrate >/dev/null 2>&1 || code=$?
if [ "$code" -eq 2 ]; then ok "a non-JDBC URL: exit 2"; else bad "a non-JDBC URL: exit $code"; fi
code=0
ERPMAX_DB_URL="$url" ERPMAX_DB_WAIT_TIMEOUT=soon docker/docker-entrypoint.sh migrate >/dev/null 2>&1 || code=$?
if [ "$code" -eq 2 ]; then ok "a bad ERPMAX_DB_WAIT_TIMEOUT: exit 2"; else bad "a bad ERPMAX_DB_WAIT_TIMEOUT: exit $code"; fi
printf 'from-a-file' >"$tmp/secret"
cat >"$tmp/show-env.sh" <<EOF
#!/usr/bin/env bash
printf '%s|%s' "\${ERPMAX_DB_PASSWORD:-}" "\${ERPMAX_DB_PASSWORD_FILE:-unset}" >"$tmp/env-seen"
EOF
chmod +x "$tmp/show-env.sh"
ERPMAX_DB_URL="$url" ERPMAX_DB_PASSWORD_FILE="$tmp/secret" ERPMAX_START_SCRIPT="$tmp/show-env.sh" docker/docker-entrypoint.sh app >/dev/null 2>&1 || true
if [ "$(cat "$tmp/env-seen" 2>/dev/null)" = "from-a-file|unset" ]; then ok "ERPMAX_DB_PASSWORD_FILE: the application gets ERPMAX_DB_PASSWORD from the file"; else bad "ERPMAX_DB_PASSWORD_FILE: saw '$(cat "$tmp/env-seen" 2>/dev/null)'"; fi
code=0
ERPMAX_DB_URL="$url" ERPMAX_DB_PASSWORD=x ERPMAX_DB_PASSWORD_FILE="$tmp/secret" docker/docker-entrypoint.sh app >/dev/null 2>&1 || code=$?
if [ "$code" -eq 2 ]; then ok "both ERPMAX_DB_PASSWORD and _FILE: exit 2"; else bad "both ERPMAX_DB_PASSWORD and _FILE: exit $code"; fi

# --- POSIX sh: the same behaviour under dash (Debian's /bin/sh) and bash --------------------------------
if [ "$(head -n 1 docker/docker-entrypoint.sh)" = '#!/bin/sh' ] && dash -n docker/docker-entrypoint.sh 2>"$tmp/dash-n.err"; then
    ok "docker-entrypoint.sh: #!/bin/sh, dash -n finds nothing"
else
    bad "docker-entrypoint.sh: not a clean #!/bin/sh script: $(cat "$tmp/dash-n.err")"
fi
if command -v checkbashisms >/dev/null; then
    if checkbashisms -f -p docker/docker-entrypoint.sh >"$tmp/cb.out" 2>&1; then ok "checkbashisms -p: no bashism"; else bad "checkbashisms -p: $(cat "$tmp/cb.out")"; fi
fi
# wait-for-db with every form of duration (PostgreSQL answers: 0) and bad ones (2), in both shells.
for sh in dash bash; do
    results=
    for spec in 500ms 30s 10m 1h PT1M30S PT10M 090 soon PT PT1M30 1.5s PT1X; do
        code=0
        ERPMAX_DB_URL="$url" ERPMAX_DB_WAIT_TIMEOUT=$spec "$sh" docker/docker-entrypoint.sh wait-for-db >/dev/null 2>&1 || code=$?
        results="$results $spec=$code"
    done
    if [ "$results" = " 500ms=0 30s=0 10m=0 1h=0 PT1M30S=0 PT10M=0 090=0 soon=2 PT=2 PT1M30=2 1.5s=2 PT1X=2" ]; then
        ok "$sh docker/docker-entrypoint.sh wait-for-db: durations 500ms 30s 10m 1h PT1M30S PT10M 090 accepted, bad ones exit 2"
    else
        bad "$sh docker/docker-entrypoint.sh wait-for-db:$results"
    fi
done
port=$(free_port)
code=0
ERPMAX_DB_URL="jdbc:postgresql://127.0.0.1:$port/x" ERPMAX_DB_WAIT_TIMEOUT=1500ms dash docker/docker-entrypoint.sh wait-for-db >/dev/null 2>"$tmp/dash-wait.err" || code=$?
if [ "$code" -eq 3 ] && grep -q "waiting for PostgreSQL at 127.0.0.1:$port" "$tmp/dash-wait.err"; then
    ok "dash: PostgreSQL not there, exit 3 after ERPMAX_DB_WAIT_TIMEOUT=1500ms (logged)"
else
    bad "dash: PostgreSQL not there: exit $code: $(cat "$tmp/dash-wait.err")"
fi

# --- healthcheck.sh ---------------------------------------------------------------------------------------
hc_port=$(free_port)
# A one-answer HTTP server. It reads the request before answering, as a real server does: closing
# a socket with the request unread resets the connection and the client may lose the answer.
cat >"$tmp/serve.sh" <<'EOF'
#!/usr/bin/env bash
while IFS= read -r line; do
    line=${line%$'\r'}
    [ -n "$line" ] || break
done
cat "$1"
EOF
chmod +x "$tmp/serve.sh"
serve() { # status line
    printf 'HTTP/1.1 %s\r\nContent-Type: application/json\r\nConnection: close\r\n\r\n{}' "$1" >"$tmp/response"
    socat TCP-LISTEN:"$hc_port",bind=127.0.0.1,reuseaddr,fork EXEC:"$tmp/serve.sh $tmp/response" &
    pids+=($!)
    for _ in $(seq 1 50); do (exec 3<>"/dev/tcp/127.0.0.1/$hc_port") 2>/dev/null && return; sleep 0.1; done
}
serve "200 OK"
if ERPMAX_HTTP_PORT=$hc_port docker/healthcheck.sh ready 2>"$tmp/hc.err"; then ok "healthcheck.sh: 200 is healthy"; else bad "healthcheck.sh: 200 not healthy: $(cat "$tmp/hc.err")"; fi
kill "${pids[-1]}"; wait "${pids[-1]}" 2>/dev/null || true
serve "503 Service Unavailable"
if ! ERPMAX_HTTP_PORT=$hc_port docker/healthcheck.sh ready 2>/dev/null; then ok "healthcheck.sh: 503 is unhealthy"; else bad "healthcheck.sh: 503 healthy"; fi
kill "${pids[-1]}"; wait "${pids[-1]}" 2>/dev/null || true
if ! ERPMAX_HTTP_PORT=$hc_port docker/healthcheck.sh ready 2>/dev/null; then ok "healthcheck.sh: nothing listening is unhealthy"; else bad "healthcheck.sh: nothing listening healthy"; fi

# --- init-roles.sh: owner migrates, the app role reads and writes but cannot create ----------------------
new_db roles
owner=erpmax_owner_$suffix
app=erpmax_app_$suffix
roles+=("$app" "$owner")
code=0
PGHOST=$pg_host PGPORT=$pg_port POSTGRES_USER=$pg_user POSTGRES_DB=$db ERPMAX_DB_OWNER=$owner ERPMAX_DB_APP_USER=$app \
    ERPMAX_DB_OWNER_PASSWORD=owner-secret ERPMAX_DB_APP_PASSWORD=app-secret \
    docker/postgres/init-roles.sh >"$tmp/roles.out" 2>&1 || code=$?
if [ "$code" -eq 0 ] && ! grep -q secret "$tmp/roles.out"; then ok "init-roles.sh: roles created, no password in its output"; else bad "init-roles.sh: exit $code: $(cat "$tmp/roles.out")"; fi
PGHOST=$pg_host PGPORT=$pg_port POSTGRES_USER=$pg_user POSTGRES_DB=$db ERPMAX_DB_OWNER=$owner ERPMAX_DB_APP_USER=$app \
    ERPMAX_DB_OWNER_PASSWORD=owner-secret ERPMAX_DB_APP_PASSWORD=app-secret \
    docker/postgres/init-roles.sh >/dev/null 2>&1 || code=$?
if [ "$code" -eq 0 ]; then ok "init-roles.sh: a second run succeeds (idempotent)"; else bad "init-roles.sh: a second run failed"; fi
code=0
env ERPMAX_MIGRATOR_JAR="$jar" ERPMAX_DB_URL="jdbc:postgresql://$pg_host:$pg_port/$db" ERPMAX_DB_USER=$owner \
    ERPMAX_DB_PASSWORD=owner-secret ERPMAX_MIGRATION_APP_ROLE=$app docker/docker-entrypoint.sh migrate >"$tmp/owner.out" 2>&1 || code=$?
as_app() { psql -h "$pg_host" -p "$pg_port" -U "$app" -d "$db" -v ON_ERROR_STOP=1 -qAt "$@"; }
if [ "$code" -eq 0 ] && [ "$(psql_admin -d "$db" -c "SELECT tableowner FROM pg_tables WHERE tablename = 'jobs'")" = "$owner" ]; then
    ok "migrator as the owner: exit 0, the tables belong to $owner"
else
    bad "migrator as the owner: exit $code: $(tail -n 5 "$tmp/owner.out")"
fi
if id=$(as_app -c "INSERT INTO jobs (type, payload) VALUES ('echo', '{}') RETURNING id" 2>"$tmp/app.err") &&
    as_app -c "UPDATE jobs SET status = 'running' WHERE id = $id" >/dev/null 2>>"$tmp/app.err" &&
    as_app -c "SELECT count(*) FROM databasechangelog" >/dev/null 2>>"$tmp/app.err"; then
    ok "the app role inserts, updates and reads (the schema gate's databasechangelog too)"
else
    bad "the app role cannot use the tables: $(cat "$tmp/app.err")"
fi
if ! as_app -c "CREATE TABLE intruder (id int)" >/dev/null 2>&1 && ! as_app -c "DROP TABLE jobs" >/dev/null 2>&1; then
    ok "the app role can neither create nor drop tables"
else
    bad "the app role could run DDL"
fi

echo
echo "test-entrypoint: $passed passed, $failed failed"
[ "$failed" -eq 0 ]
