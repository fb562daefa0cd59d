#!/usr/bin/env bash
# Benchmark, not a test: how much longer the ERPMax WAR takes to become ready than an empty WAR on
# the same launcher (payara/start.sh, with whatever ERPMAX_* / JAVA_OPTS settings the caller set).
#
#   bench/boot.sh            three timed runs of each, interleaved
#   BENCH_RUNS=5 bench/boot.sh
#
# Needs: a JDK 17, curl, and a PostgreSQL at 127.0.0.1:5432 where user postgres may connect without
# a password (psql, dropdb, createdb on PATH). Builds the WAR if it is missing, and the empty WAR
# (one JAX-RS resource, GET /api/ping) always.
#
# Each boot is timed from the start of payara/start.sh to the first 200 of GET /health/ready, polled
# every 50 ms: the same criterion for both WARs (MicroProfile Health answers UP when the application
# has no check, so for the empty WAR it means "deployed"). Then the instance gets SIGTERM.
# The ERPMax WAR runs against a scratch database, erpmax_bench, created afresh and migrated by an
# untimed first boot, so the timed boots find nothing pending. Each WAR also gets one untimed boot
# to prepare its Micro root directory and write its AppCDS archive, as any instance's first boot does.
#
# Prints each run and the medians; the last line is exactly
#   boot-to-ready ratio: X.XX (app A s, empty WAR E s)
set -euo pipefail

repo=$(cd "$(dirname "$0")/.." && pwd)
runs=${BENCH_RUNS:-3}
work=$repo/target/bench
db=erpmax_bench
pg=(-h 127.0.0.1 -p 5432 -U postgres)
ready_path=/health/ready
boot_timeout_s=180
jakartaee_api=${MAVEN_REPOSITORY:-$HOME/.m2/repository}/jakarta/platform/jakarta.jakartaee-api/10.0.0/jakarta.jakartaee-api-10.0.0.jar

fail() {
    printf 'boot.sh: %s\n' "$1" >&2
    exit 1
}

for tool in java javac jar curl psql createdb dropdb; do
    command -v "$tool" >/dev/null 2>&1 || fail "$tool is not installed"
done

maven() {
    if [ -x "$repo/mvnw" ]; then (cd "$repo" && ./mvnw "$@"); else (cd "$repo" && mvn "$@"); fi
}

# Milliseconds since the epoch: bash 5's clock, else GNU date.
now_ms() {
    if [ -n "${EPOCHREALTIME:-}" ]; then
        local us=${EPOCHREALTIME/[.,]/}
        echo $((us / 1000))
    else
        echo $(($(date +%s%N) / 1000000))
    fi
}

port_is_free() {
    ! (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null
}

free_port_from() {
    local port=$1
    while ! port_is_free "$port"; do port=$((port + 1)); done
    echo "$port"
}

median() { # of the numbers given, one per argument
    printf '%s\n' "$@" | sort -n | awk '{ v[NR] = $1 } END { if (NR % 2) print v[(NR + 1) / 2]; else print (v[NR / 2] + v[NR / 2 + 1]) / 2 }'
}

seconds() { # milliseconds -> seconds with two decimals
    awk -v ms="$1" 'BEGIN { printf "%.2f", ms / 1000 }'
}

# --- Build ------------------------------------------------------------------------------------------

if [ ! -f "$repo/target/erpmax.war" ] || [ ! -f "$repo/target/payara-micro.jar" ]; then
    echo "building the WAR ..."
    maven -q -B package -DskipTests
fi
[ -f "$jakartaee_api" ] || maven -q -B dependency:get -Dartifact=jakarta.platform:jakarta.jakartaee-api:10.0.0

echo "building the empty WAR ..."
rm -rf "$work/empty-war"
mkdir -p "$work/empty-war/WEB-INF/classes"
javac --release 17 -nowarn -cp "$jakartaee_api" -d "$work/empty-war/WEB-INF/classes" \
    "$repo"/bench/empty-war/src/bench/ping/*.java
rm -f "$work/empty.war"
jar --create --file "$work/empty.war" -C "$work/empty-war" WEB-INF

# --- Database -------------------------------------------------------------------------------------

psql "${pg[@]}" -d postgres -Atqc 'select 1' >/dev/null 2>&1 ||
    fail "no PostgreSQL at 127.0.0.1:5432 accepting user postgres without a password"
dropdb "${pg[@]}" --if-exists "$db"
createdb "${pg[@]}" "$db"

# --- Runs -----------------------------------------------------------------------------------------

app_port=$(free_port_from 18080)
empty_port=$(free_port_from $((app_port + 1)))
pid=

stop_instance() {
    [ -n "$pid" ] || return 0
    kill -TERM "$pid" 2>/dev/null || true
    local waited=0
    while kill -0 "$pid" 2>/dev/null; do
        sleep 0.1
        waited=$((waited + 1))
        # A first boot writes its AppCDS archive while it exits: give it time.
        if [ "$waited" -gt 600 ]; then kill -KILL "$pid" 2>/dev/null || true; fi
    done
    wait "$pid" 2>/dev/null || true
    pid=
}
trap stop_instance EXIT
trap 'exit 130' INT TERM

# boot NAME WAR PORT [CHECK_PATH]: boots one instance, sets boot_ms to the milliseconds it took to
# be ready, optionally checks that CHECK_PATH answers 200 too, and stops it.
boot_ms=
boot() {
    local name=$1 war=$2 port=$3 check=${4:-} log started code
    log=$work/$name.log
    started=$(now_ms)
    ERPMAX_WAR=$war ERPMAX_HTTP_PORT=$port ERPMAX_PAYARA_ROOTDIR=$work/root-$name \
        ERPMAX_DB_URL=jdbc:postgresql://127.0.0.1:5432/$db ERPMAX_DB_USER=postgres \
        "$repo/payara/start.sh" >"$log" 2>&1 &
    pid=$! # start.sh execs java: this is the JVM
    while :; do
        code=$(curl -s -o /dev/null -w '%{http_code}' --max-time 1 "http://127.0.0.1:$port$ready_path" || true)
        [ "$code" = 200 ] && break
        kill -0 "$pid" 2>/dev/null || fail "$name exited before it was ready; see $log"
        if [ $(($(now_ms) - started)) -gt $((boot_timeout_s * 1000)) ]; then
            stop_instance
            fail "$name not ready after $boot_timeout_s s; see $log"
        fi
        sleep 0.05
    done
    boot_ms=$(($(now_ms) - started))
    if [ -n "$check" ] && ! curl -fs -o /dev/null --max-time 5 "http://127.0.0.1:$port$check"; then
        stop_instance
        fail "$name is ready but GET $check fails; see $log"
    fi
    stop_instance
}

load=$(cut -d' ' -f1 /proc/loadavg 2>/dev/null || echo '?')
echo "launcher: payara/start.sh; ERPMAX_FAST_BOOT=${ERPMAX_FAST_BOOT:-false} ERPMAX_APPCDS=${ERPMAX_APPCDS:-true} ERPMAX_CLUSTER=${ERPMAX_CLUSTER:-false} JAVA_OPTS='${JAVA_OPTS:-}'"
echo "ready = first 200 from GET $ready_path; $runs timed runs each; load average $load on $(getconf _NPROCESSORS_ONLN 2>/dev/null || echo '?') cores"

echo "untimed first boots (migrate $db, prepare root directories, write AppCDS archives) ..."
boot app "$repo/target/erpmax.war" "$app_port"
boot empty "$work/empty.war" "$empty_port" /api/ping

app_ms=()
empty_ms=()
for i in $(seq 1 "$runs"); do
    boot app "$repo/target/erpmax.war" "$app_port"
    app_ms+=("$boot_ms")
    echo "run $i  app        $(seconds "$boot_ms") s"
    boot empty "$work/empty.war" "$empty_port"
    empty_ms+=("$boot_ms")
    echo "run $i  empty WAR  $(seconds "$boot_ms") s"
done

app_median=$(median "${app_ms[@]}")
empty_median=$(median "${empty_ms[@]}")
echo "median app        $(seconds "$app_median") s"
echo "median empty WAR  $(seconds "$empty_median") s"
echo "boot-to-ready ratio: $(awk -v a="$app_median" -v e="$empty_median" 'BEGIN { printf "%.2f", a / e }') (app $(seconds "$app_median") s, empty WAR $(seconds "$empty_median") s)"
