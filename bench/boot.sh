#!/usr/bin/env bash
# Benchmark, not a test: how much longer the ERPMax WAR takes to become ready than an empty WAR on
# the same launcher (payara/start.sh, with whatever ERPMAX_* / JAVA_OPTS settings the caller set).
#
#   bench/boot.sh            three timed runs of each, interleaved
#   BENCH_RUNS=5 bench/boot.sh
#   BENCH_PLAIN=false bench/boot.sh   without the closing boot of Micro as it comes (see below)
#
# Needs: a JDK 17, curl, and a PostgreSQL at 127.0.0.1:5432 where user postgres may connect without
# a password (psql, dropdb, createdb on PATH). Builds the WAR if it is missing, and the empty WAR
# (one JAX-RS resource, GET /api/ping) always.
#
# A third WAR, the health WAR, is the empty WAR plus one MicroProfile Health readiness check
# (bench/health-war): a check is a CDI bean, so Payara starts CDI for it (Weld, and the CDI
# extensions of its own that payara/unused-cdi-extensions.txt leaves on), as it must for any WAR
# that reports its own readiness. Booted interleaved with the others, it splits the app's extra time into
# the platform's share (health WAR / empty WAR) and the application's own (app / health WAR).
#
# Each boot is timed from the start of payara/start.sh to the first 200 of GET /health/ready, polled
# every 50 ms: the same criterion for both WARs (MicroProfile Health answers UP when the application
# has no check, so for the empty WAR it means "deployed"). Then the instance gets SIGTERM.
# The ERPMax WAR runs against a scratch database, erpmax_bench, created afresh and migrated by an
# untimed first boot, so the timed boots find nothing pending. Each WAR also gets the untimed boots
# that prepare its Micro root directory and write its AppCDS archive, as an instance's first boots do.
#
# Prints each run and the medians, the app / empty WAR ratio of each round (how far one measurement
# moves), where each boot's time went (phases read from Payara's log), how fast this machine is (one
# boot of the empty WAR on Payara Micro as it comes, against the 7.9 s that issue 3's targets were set
# on), and, as the last line, exactly
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
health_api=${MAVEN_REPOSITORY:-$HOME/.m2/repository}/org/eclipse/microprofile/health/microprofile-health-api/4.0.1/microprofile-health-api-4.0.1.jar

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

ratio() { # A B -> A / B with two decimals
    awk -v a="$1" -v b="$2" 'BEGIN { printf "%.2f", a / b }'
}

# CPU time (user + system) the process has used so far, in ms; empty without /proc. Unlike wall
# time it barely moves when other work shares the machine.
cpu_ms() {
    stat_cpu_ms "/proc/$1/stat"
}

# stat_cpu_ms FILE: the user + system CPU time, in ms, that a /proc stat file (of a process or of
# one of its threads) reports; nothing when the file cannot be read.
stat_cpu_ms() {
    local stat
    stat=$(cat "$1" 2>/dev/null) || return 0
    stat=${stat##*) } # fields after the command name; utime and stime are the 12th and 13th
    echo "$stat" | awk -v hz="$(getconf CLK_TCK)" '{ printf "%d", ($12 + $13) * 1000 / hz }'
}

# Of that, the CPU time of the JIT compiler threads, in ms; empty without /proc. On 2 cores they
# compete with the booting threads for the second core.
jit_cpu_ms() {
    local task ms total=0
    [ -d "/proc/$1/task" ] || return 0
    for task in /proc/"$1"/task/*; do
        case $(cat "$task/comm" 2>/dev/null) in
            C1\ CompilerThre* | C2\ CompilerThre*)
                ms=$(stat_cpu_ms "$task/stat") # empty if the thread has just ended
                total=$((total + ${ms:-0}))
                ;;
        esac
    done
    echo "$total"
}

# Percentage of CPU time idle over the next two seconds (Linux), or empty.
idle_percent() {
    [ -r /proc/stat ] || return 0
    local a b
    a=$(head -n 1 /proc/stat)
    sleep 2
    b=$(head -n 1 /proc/stat)
    printf '%s\n%s\n' "$a" "$b" | awk '{ t[NR] = 0; for (i = 2; i <= NF; i++) t[NR] += $i; idle[NR] = $5 + $6 }
        END { printf "%d", 100 * (idle[2] - idle[1]) / (t[2] - t[1]) }'
}

# --- Build ------------------------------------------------------------------------------------------

if [ ! -f "$repo/target/erpmax.war" ] || [ ! -f "$repo/target/payara-micro.jar" ] || [ ! -f "$repo/target/erpmax-launcher.jar" ]; then
    echo "building the WAR ..."
    maven -q -B package -DskipTests
fi
[ -f "$jakartaee_api" ] || maven -q -B dependency:get -Dartifact=jakarta.platform:jakarta.jakartaee-api:10.0.0
[ -f "$health_api" ] || maven -q -B dependency:get -Dartifact=org.eclipse.microprofile.health:microprofile-health-api:4.0.1

# build_war NAME SOURCE...: compiles SOURCE... against the Jakarta EE and MicroProfile Health APIs
# into $work/NAME.war
build_war() {
    local name=$1
    shift
    echo "building the $name WAR ..."
    rm -rf "$work/$name-war" "$work/$name.war"
    mkdir -p "$work/$name-war/WEB-INF/classes"
    javac --release 17 -nowarn -cp "$jakartaee_api:$health_api" -d "$work/$name-war/WEB-INF/classes" "$@"
    jar --create --file "$work/$name.war" -C "$work/$name-war" WEB-INF
}
build_war empty "$repo"/bench/empty-war/src/bench/ping/*.java
build_war health "$repo"/bench/empty-war/src/bench/ping/*.java "$repo"/bench/health-war/src/bench/health/*.java

# --- Database -------------------------------------------------------------------------------------

psql "${pg[@]}" -d postgres -Atqc 'select 1' >/dev/null 2>&1 ||
    fail "no PostgreSQL at 127.0.0.1:5432 accepting user postgres without a password"
dropdb "${pg[@]}" --if-exists "$db"
createdb "${pg[@]}" "$db"

# --- Runs -----------------------------------------------------------------------------------------

app_port=$(free_port_from 18080)
empty_port=$(free_port_from $((app_port + 1)))
health_port=$(free_port_from $((empty_port + 1)))
pid=

stop_instance() {
    [ -n "$pid" ] || return 0
    kill -TERM "$pid" 2>/dev/null || true
    local waited=0
    while kill -0 "$pid" 2>/dev/null; do
        sleep 0.1
        waited=$((waited + 1))
        # A boot that writes its AppCDS archive takes seconds more to exit: give it time.
        if [ "$waited" -gt 600 ]; then kill -KILL "$pid" 2>/dev/null || true; fi
    done
    wait "$pid" 2>/dev/null || true
    pid=
}
trap stop_instance EXIT
trap 'exit 130' INT TERM

# Where a boot's time went, from the timestamps (timeMillis, the same clock as now_ms) of Payara's log
# lines: start.sh and Micro's own start-up until it deploys; unpacking the WAR and reading its classes;
# the deployment (CDI, JAX-RS, the application's beans); the web module's start (servlets, the
# application context's start-up observers); and the first 200 of the readiness check.
phases_file=$work/phases.txt
phase_names=(platform read-war deploy web-start to-ready)
# phase_ms LOG STARTED_MS READY_MS: the five phases' durations in ms, or nothing if a line is missing.
phase_ms() {
    local log=$1 started=$2 ready=$3
    awk -v started="$started" -v ready="$ready" '
        function at(pattern) { return (pattern in seen) ? seen[pattern] : -1 }
        /timeMillis: / {
            match($0, /timeMillis: [0-9]+/); t = substr($0, RSTART + 12, RLENGTH - 12) + 0
            if (!("deploy" in seen) && /No META-INF\/deploy directory/) seen["deploy"] = t
            if (!("read" in seen) && /No deployment transformer/) seen["read"] = t
            if (!("deployed" in seen) && /was successfully deployed in/) seen["deployed"] = t
            if (!("ready" in seen) && /Payara Micro .* ready in/) seen["ready"] = t
        }
        END {
            a = at("deploy"); b = at("read"); c = at("deployed"); d = at("ready")
            if (a < 0 || b < 0 || c < 0 || d < 0) exit
            printf "%d %d %d %d %d\n", a - started, b - a, c - b, d - c, ready - d
        }' "$log"
}

# boot NAME WAR PORT [CHECK_PATH]: boots one instance, sets boot_ms to the milliseconds it took to
# be ready, boot_cpu_ms to the CPU time its JVM had used by then and boot_jit_ms to its JIT
# compilers' share of it, optionally checks that
# CHECK_PATH answers 200 too, and stops it.
boot_ms=
boot_phases=
boot_cpu_ms=
boot_jit_ms=
boot() {
    local name=$1 war=$2 port=$3 check=${4:-} log started
    log=$work/$name.log
    started=$(now_ms)
    ERPMAX_WAR=$war ERPMAX_HTTP_PORT=$port ERPMAX_PAYARA_ROOTDIR=$work/root-$name \
        ERPMAX_DB_URL=jdbc:postgresql://127.0.0.1:5432/$db ERPMAX_DB_USER=postgres \
        "$repo/payara/start.sh" >"$log" 2>&1 &
    pid=$! # start.sh execs java: this is the JVM
    await_ready "$name" "$port" "$started" "$log"
    boot_cpu_ms=$(cpu_ms "$pid")
    boot_jit_ms=$(jit_cpu_ms "$pid")
    boot_phases=$(phase_ms "$log" "$started" $((started + boot_ms)))
    if [ -n "$check" ] && ! curl -fs -o /dev/null --max-time 5 "http://127.0.0.1:$port$check"; then
        stop_instance
        fail "$name is ready but GET $check fails; see $log"
    fi
    stop_instance
}

# await_ready NAME PORT STARTED_MS LOG: polls until the instance $pid answers 200 on the readiness
# path, and sets boot_ms to the milliseconds since STARTED_MS. An instance that exits first or is
# not ready in time fails the run; with a fifth argument, soft, it is stopped and the function
# returns 1 instead.
await_ready() {
    local name=$1 port=$2 started=$3 log=$4 soft=${5:-} code problem
    while :; do
        code=$(curl -s -o /dev/null -w '%{http_code}' --max-time 1 "http://127.0.0.1:$port$ready_path" || true)
        [ "$code" = 200 ] && break
        problem=
        kill -0 "$pid" 2>/dev/null || problem="$name exited before it was ready; see $log"
        [ $(($(now_ms) - started)) -le $((boot_timeout_s * 1000)) ] || problem="$name not ready after $boot_timeout_s s; see $log"
        if [ -n "$problem" ]; then
            stop_instance
            [ -n "$soft" ] || fail "$problem"
            printf 'boot.sh: %s\n' "$problem" >&2
            return 1
        fi
        sleep 0.05
    done
    boot_ms=$(($(now_ms) - started))
}

# How fast this machine is, against the one issue 3's targets were set on: Payara Micro as it comes
# (java -jar, no root directory, no AppCDS, the JVM's defaults, clustering on) booting the empty WAR,
# for which that issue's spike measured 7.9 s. The shared 2-core machines have differed by a factor of
# 2-3 from one session to the next; this boot puts runs on different machines on one scale.
plain_boot() {
    local dir=$work/plain started
    rm -rf "$dir"
    mkdir -p "$dir"
    started=$(now_ms)
    # The JDK that payara/start.sh uses.
    (cd "$dir" && exec "${JAVA_HOME:+$JAVA_HOME/bin/}java" -jar "$repo/target/payara-micro.jar" \
        --deploy "$work/empty.war" --port "$empty_port") >"$work/plain.log" 2>&1 &
    pid=$! # the subshell execs java: this is the JVM
    await_ready plain "$empty_port" "$started" "$work/plain.log" soft || return 1
    stop_instance
}

load=$(cut -d' ' -f1 /proc/loadavg 2>/dev/null || echo '?')
echo "launcher: payara/start.sh; ERPMAX_FAST_BOOT=${ERPMAX_FAST_BOOT:-false} ERPMAX_APPCDS=${ERPMAX_APPCDS:-true} ERPMAX_CLUSTER=${ERPMAX_CLUSTER:-false} JAVA_OPTS='${JAVA_OPTS:-}'"
echo "ready = first 200 from GET $ready_path; $runs timed runs each; load average $load on $(getconf _NPROCESSORS_ONLN 2>/dev/null || echo '?') cores"

# A root directory's first boot runs without an AppCDS archive and its second writes one (see
# payara/start.sh): two untimed boots each, unless the archives are there from an earlier run.
echo "untimed boots (migrate $db, prepare root directories, write AppCDS archives) ..."
boot app "$repo/target/erpmax.war" "$app_port"
boot empty "$work/empty.war" "$empty_port" /api/ping
boot health "$work/health.war" "$health_port" /api/ping
if [ "${ERPMAX_APPCDS:-true}" = true ]; then
    [ -f "$work/root-app/appcds.jsa" ] || boot app "$repo/target/erpmax.war" "$app_port"
    [ -f "$work/root-empty/appcds.jsa" ] || boot empty "$work/empty.war" "$empty_port"
    [ -f "$work/root-health/appcds.jsa" ] || boot health "$work/health.war" "$health_port"
fi

idle=$(idle_percent)
if [ -n "$idle" ] && [ "$idle" -lt 80 ]; then
    echo "note: the machine is busy (CPU ${idle}% idle): wall times will be inflated; the JVM CPU times less so"
fi

report() { # LABEL
    [ -z "$boot_phases" ] || echo "$1 $boot_phases" >>"$phases_file"
    if [ -n "$boot_cpu_ms" ]; then
        printf 'run %d  %-10s %6s s   (JVM CPU %s s, of which JIT compilers %s s)\n' "$i" "$1" "$(seconds "$boot_ms")" \
            "$(seconds "$boot_cpu_ms")" "$(seconds "${boot_jit_ms:-0}")"
    else
        printf 'run %d  %-10s %6s s\n' "$i" "$1" "$(seconds "$boot_ms")"
    fi
}

: >"$phases_file"
app_ms=()
empty_ms=()
health_ms=()
app_cpu=()
empty_cpu=()
health_cpu=()
app_jit=()
empty_jit=()
health_jit=()
for i in $(seq 1 "$runs"); do
    boot app "$repo/target/erpmax.war" "$app_port"
    app_ms+=("$boot_ms")
    app_cpu+=("${boot_cpu_ms:-0}")
    app_jit+=("${boot_jit_ms:-0}")
    report app
    boot empty "$work/empty.war" "$empty_port"
    empty_ms+=("$boot_ms")
    empty_cpu+=("${boot_cpu_ms:-0}")
    empty_jit+=("${boot_jit_ms:-0}")
    report "empty WAR"
    boot health "$work/health.war" "$health_port"
    health_ms+=("$boot_ms")
    health_cpu+=("${boot_cpu_ms:-0}")
    health_jit+=("${boot_jit_ms:-0}")
    report "health WAR"
done

app_median=$(median "${app_ms[@]}")
empty_median=$(median "${empty_ms[@]}")
printf 'median  %-10s %6s s\n' app "$(seconds "$app_median")"
printf 'median  %-10s %6s s\n' "empty WAR" "$(seconds "$empty_median")"
health_median=$(median "${health_ms[@]}")
printf 'median  %-10s %6s s\n' "health WAR" "$(seconds "$health_median")"
# Each round boots the app and then the empty WAR: the ratio of that pair shows how far one
# measurement moves on this machine with nothing changed, which the medians' ratio alone hides.
pair_ratios=()
for i in "${!app_ms[@]}"; do
    pair_ratios+=("$(ratio "${app_ms[$i]}" "${empty_ms[$i]}")")
done
echo "app / empty WAR of each round: ${pair_ratios[*]} (median $(median "${pair_ratios[@]}"))"
echo "platform's share: health WAR / empty WAR $(ratio "$health_median" "$empty_median"); application's own: app / health WAR $(ratio "$app_median" "$health_median")"
if [ -n "$boot_cpu_ms" ]; then
    app_cpu_median=$(median "${app_cpu[@]}")
    empty_cpu_median=$(median "${empty_cpu[@]}")
    echo "JVM CPU to ready, medians (of which JIT compilers): app $(seconds "$app_cpu_median") s ($(seconds "$(median "${app_jit[@]}")") s), health WAR $(seconds "$(median "${health_cpu[@]}")") s ($(seconds "$(median "${health_jit[@]}")") s), empty WAR $(seconds "$empty_cpu_median") s ($(seconds "$(median "${empty_jit[@]}")") s); app / empty $(ratio "$app_cpu_median" "$empty_cpu_median")"
fi
if [ -s "$phases_file" ]; then
    # LABEL in the file is "app", "empty WAR" or "health WAR": the phases are the last five fields.
    echo "where the time went, medians in s (phases from Payara's log: ${phase_names[*]}):"
    for label in app 'health WAR' 'empty WAR'; do
        line=$(printf '%-10s' "$label")
        for field in 1 2 3 4 5; do
            values=$(awk -v label="$label" -v f="$field" '{ name = $0; sub(/( -?[0-9]+){5}$/, "", name) } name == label { print $(NF - 5 + f) }' "$phases_file")
            [ -n "$values" ] || continue 2
            # shellcheck disable=SC2086 # one number per word
            line+=$(printf '  %s %5s' "${phase_names[$((field - 1))]}" "$(seconds "$(median $values)")")
        done
        echo "  $line"
    done
fi
# A plain boot that fails is reported, and the run's figures above still end with their last line.
if [ "${BENCH_PLAIN:-true}" = true ] && plain_boot; then
    echo "this machine: Payara Micro as it comes (java -jar payara-micro.jar --deploy empty.war) ready in $(seconds "$boot_ms") s, where issue 3's targets were set at 7.9 s ($(ratio "$boot_ms" 7900) times as long)"
fi
echo "boot-to-ready ratio: $(ratio "$app_median" "$empty_median") (app $(seconds "$app_median") s, empty WAR $(seconds "$empty_median") s)"
