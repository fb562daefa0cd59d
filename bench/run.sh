#!/usr/bin/env bash
# Benchmark, not a test: ERPMax's job throughput and submit latency beside its peers, on this
# machine's PostgreSQL (127.0.0.1:5432, user postgres, trust auth) and RabbitMQ (127.0.0.1:5672).
#
#   bench/run.sh                                   the full run (about 25-35 min on 2 cores)
#   BENCH_JOBS=20000 BENCH_REPEATS=1 BENCH_SUBMIT_SECONDS=5 bench/run.sh     a quick one
#
# Drain: BENCH_JOBS (100,000) queued no-op jobs to completion, each engine BENCH_REPEATS (3) times,
# interleaved (engine A, B, C, ... then again), median jobs/s:
#   erpmax-amqp   ERPMax worker instance (role worker) with RabbitMQ: jobs + outbox rows inserted in
#                 one transaction, the app's relay publishes them, its consumers claim and run them
#   erpmax-db     ERPMax worker instance with no broker: claims from PostgreSQL (SKIP LOCKED)
#   db-scheduler  newest 16.x, no-op one-time task, lock-and-fetch polling, tuned threads/batch
#   jobrunr       newest 8.x free, PostgreSQL storage, tuned workers, 5 s poll (its minimum)
#   ceiling-1     plain JDBC: one row claimed (FOR UPDATE SKIP LOCKED) and finished per transaction
#   ceiling-50    the same, 50 rows per statement; the ceiling is the better of the two
# Each is timed from the commit that makes the jobs visible until all of them have finished
# (polled every 100 ms). ERPMax instances and the peers get an untimed warm-up batch first.
#
# Submit: open-model fixed-rate POST /api/jobs {"type":"echo","payload":{}} against an instance
# with role all (RabbitMQ, workers running) at each of BENCH_SUBMIT_RATES (100 500 1000) req/s for
# BENCH_SUBMIT_SECONDS (30) s, after a BENCH_SUBMIT_WARMUP_SECONDS (90) s warm-up at
# BENCH_SUBMIT_WARMUP_RATE (300) req/s that is not counted. The warm-up is long because the JIT
# compiles Payara's request path for about two minutes of traffic: on 2 cores its compiler threads
# were 38 % of the instance's CPU after 80 s at 300/s (88 s of compile time by then, 22 s more over
# the next 40 s at 500/s), and a short warm-up measures the compiler more than the service.
# Latency from each request's scheduled send time: p50, p99, errors (non-201 or connection failure).
#
# Knobs (env): BENCH_JOBS, BENCH_REPEATS, BENCH_WARMUP_JOBS (10000), BENCH_SUBMIT_SECONDS,
# BENCH_SUBMIT_RATES, BENCH_SUBMIT_WARMUP_SECONDS, BENCH_SUBMIT_WARMUP_RATE, BENCH_DRAIN_TIMEOUT (600 s per drain),
# BENCH_ANALYZE=1 (each drain ANALYZEs its freshly filled queue table inside the inserting
# transaction: planned with statistics from the first claim on; default 0, no statistics until
# autovacuum gets there, as for a table filled in one go), BENCH_RESULTS_FILE (bench/results/latest.md),
# BENCH_SKIP_BUILD=1 (use target/ as it is), BENCH_ENGINES (default: all six, space separated),
# and the tuning below (BENCH_ERPMAX_*, BENCH_DBS_*, BENCH_JOBRUNR_*, BENCH_CEILING_*).
#
# Builds the WAR (./mvnw package at the repository root, so current sources are measured) and the
# benchmark engines (bench/engines, a standalone Maven module that the WAR never sees). Makes its own
# scratch databases (erpmaxbench_*) and RabbitMQ queues (erpmaxbench.<pid>.*) and drops them at the
# end, also on failure or Ctrl-C. Prints a table, writes bench/results/latest.md, and its last line
# is exactly
#   engine/best-peer drain ratio: X.XX
set -euo pipefail

repo=$(cd "$(dirname "$0")/.." && pwd)
bench=$repo/bench
engines=$bench/engines
work=$engines/target/work
results=$bench/results

jobs=${BENCH_JOBS:-100000}
repeats=${BENCH_REPEATS:-3}
warmup_jobs=${BENCH_WARMUP_JOBS:-10000}
submit_seconds=${BENCH_SUBMIT_SECONDS:-30}
submit_rates=${BENCH_SUBMIT_RATES-100 500 1000}
submit_warmup=${BENCH_SUBMIT_WARMUP_SECONDS:-90}
submit_warmup_rate=${BENCH_SUBMIT_WARMUP_RATE:-300}
drain_timeout=${BENCH_DRAIN_TIMEOUT:-600}
export BENCH_ANALYZE=${BENCH_ANALYZE:-0}
results_file=${BENCH_RESULTS_FILE:-$results/latest.md}
engine_list=${BENCH_ENGINES:-erpmax-amqp erpmax-db db-scheduler jobrunr ceiling-1 ceiling-50}

# Tuning (chosen by trying a few on this machine; see bench/results/latest.md).
erpmax_amqp_concurrency=${BENCH_ERPMAX_AMQP_CONCURRENCY:-64}
erpmax_amqp_prefetch=${BENCH_ERPMAX_AMQP_PREFETCH:-128}
# No broker: 256 is 4 claim loops of 64. Before instant jobs were written once, 128 was best (30k
# jobs: 64 -> 6.7k/s, 128 -> 9.5k/s, 256 -> 9.3k/s); since (2026-11-28, one warm instance, 100k
# jobs, 2 drains each, twice): 128 -> 24.9-26.7k/s, 256 -> 30.2-36.8k/s.
erpmax_db_concurrency=${BENCH_ERPMAX_DB_CONCURRENCY:-256}
erpmax_db_poll=${BENCH_ERPMAX_DB_POLL:-100ms}
erpmax_java_opts=${BENCH_ERPMAX_JAVA_OPTS:--Xms1g -Xmx2g}
dbs_threads=${BENCH_DBS_THREADS:-16}
dbs_lower=${BENCH_DBS_LOWER:-0.5}
dbs_upper=${BENCH_DBS_UPPER:-4.0}
dbs_poll_ms=${BENCH_DBS_POLL_MS:-200}
jobrunr_workers=${BENCH_JOBRUNR_WORKERS:-16}
jobrunr_poll_s=${BENCH_JOBRUNR_POLL_S:-5}
ceiling1_threads=${BENCH_CEILING1_THREADS:-16}
ceiling50_threads=${BENCH_CEILING50_THREADS:-4}

pg=(-h 127.0.0.1 -p 5432 -U postgres)
jdbc=jdbc:postgresql://127.0.0.1:5432
amqp_uri=${BENCH_AMQP_URI:-amqp://guest:guest@127.0.0.1:5672/%2F}
queue_prefix=erpmaxbench.$$
db_prefix=erpmaxbench
boot_timeout_s=240
max_total_s=${BENCH_MAX_SECONDS:-5400}
script_start=$SECONDS

fail() {
    printf 'run.sh: %s\n' "$1" >&2
    exit 1
}
log() {
    printf '[%s] %s\n' "$(date +%H:%M:%S)" "$*" >&2
}
check_budget() {
    [ $((SECONDS - script_start)) -lt "$max_total_s" ] || fail "over the time budget of ${max_total_s} s (BENCH_MAX_SECONDS)"
}

for tool in java curl psql createdb dropdb awk sort; do
    command -v "$tool" >/dev/null 2>&1 || fail "$tool is not installed"
done

maven() {
    if [ -x "$repo/mvnw" ]; then (cd "$repo" && ./mvnw -q -B "$@"); else (cd "$repo" && mvn -q -B "$@"); fi
}

# --- Clean-up: only what this run started and made --------------------------------------------

instance_pids=()
child_pid=
databases=()
queues=()
cleanup() {
    local status=$? pid
    set +e
    [ -z "$child_pid" ] || kill -TERM "$child_pid" 2>/dev/null
    for pid in ${instance_pids[@]+"${instance_pids[@]}"}; do
        kill -TERM "$pid" 2>/dev/null
    done
    for pid in ${instance_pids[@]+"${instance_pids[@]}"}; do
        for _ in $(seq 1 300); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
        kill -KILL "$pid" 2>/dev/null
    done
    if [ ${#queues[@]} -gt 0 ] && [ -d "$engines/target/classes" ]; then
        bench_java amqp-delete "$amqp_uri" "${queues[@]}" >/dev/null 2>&1
    fi
    for db in ${databases[@]+"${databases[@]}"}; do
        dropdb "${pg[@]}" --if-exists --force "$db" >/dev/null 2>&1
    done
    exit "$status"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

bench_java() {
    java -Dorg.slf4j.simpleLogger.defaultLogLevel=warn -Dorg.slf4j.simpleLogger.log.org.jobrunr=error -Xmx4g -cp "$engines/target/classes:$engines/target/lib/*" bench.Main "$@"
}
# bench_run COMMAND ARGS...: one engine command in the background (so that Ctrl-C / SIGTERM reach
# this script at once and the clean-up stops it); its RESULT line goes to $result_line.
bench_run() {
    local out=$work/last-result.txt status=0
    bench_java "$@" >"$out" </dev/null &
    child_pid=$!
    wait "$child_pid" || status=$?
    child_pid=
    [ "$status" = 0 ] || fail "'$1' failed (exit $status)"
    result_line=$(grep '^RESULT' "$out" | tail -n 1 || true)
    [ -n "$result_line" ] || fail "'$1' printed no result"
}

# --- Build ------------------------------------------------------------------------------------------

mkdir -p "$work/logs" "$results"
if [ "${BENCH_SKIP_BUILD:-0}" != 1 ]; then
    log "building the WAR (./mvnw package -DskipTests)"
    maven package -DskipTests >&2
    log "building the benchmark engines (bench/engines)"
    maven -f "$engines/pom.xml" package >&2
fi
for f in "$repo/target/erpmax.war" "$repo/target/payara-micro.jar" "$repo/target/erpmax-launcher.jar" "$repo/target/erpmax-migrate.jar" "$engines/target/classes/bench/Main.class"; do
    [ -f "$f" ] || fail "not built: $f"
done
# A private copy, so that another build of target/ during the run cannot change what is measured.
cp "$repo/target/erpmax.war" "$repo/target/payara-micro.jar" "$repo/target/erpmax-launcher.jar" "$repo/target/erpmax-migrate.jar" "$work/"
war_sum=$(cksum <"$work/erpmax.war" | awk '{print $1}')
git_rev=$(cd "$repo" && git rev-parse --short HEAD 2>/dev/null || echo unknown)
git_dirty=$(cd "$repo" && git status --porcelain -- src pom.xml 2>/dev/null | wc -l)

# --- Scratch databases and instances -------------------------------------------------------------

new_db() { # name [migrate]
    dropdb "${pg[@]}" --if-exists --force "$1" >/dev/null 2>&1 || true
    createdb "${pg[@]}" "$1"
    databases+=("$1")
    if [ "${2:-}" = migrate ]; then
        ERPMAX_DB_URL="$jdbc/$1" ERPMAX_DB_USER=postgres java -jar "$work/erpmax-migrate.jar" update >"$work/logs/migrate-$1.log" 2>&1 ||
            fail "migrating $1 failed; see $work/logs/migrate-$1.log"
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

# start_instance NAME DB ROLE QUEUE(or -) CONCURRENCY PREFETCH -> sets instance_port, instance_pid
next_port=18480
start_instance() {
    local name=$1 db=$2 role=$3 queue=$4 concurrency=$5 prefetch=$6
    instance_port=$(free_port_from "$next_port")
    next_port=$((instance_port + 1))
    local amqp=() 
    if [ "$queue" != - ]; then
        amqp=(ERPMAX_AMQP_URI="$amqp_uri" ERPMAX_AMQP_QUEUE="$queue")
        queues+=("$queue" "$queue.dead")
    fi
    env ERPMAX_DB_URL="$jdbc/$db" ERPMAX_DB_USER=postgres ERPMAX_HTTP_PORT="$instance_port" \
        ERPMAX_PAYARA_ROOTDIR="$work/root-$name" ERPMAX_ROLE="$role" \
        ERPMAX_WAR="$work/erpmax.war" ERPMAX_MICRO_JAR="$work/payara-micro.jar" ERPMAX_LAUNCHER_JAR="$work/erpmax-launcher.jar" \
        ERPMAX_WORKER_CONCURRENCY="$concurrency" ERPMAX_WORKER_PREFETCH="$prefetch" \
        ERPMAX_WORKER_POLL_INTERVAL="$erpmax_db_poll" JAVA_OPTS="$erpmax_java_opts" \
        ${amqp[@]+"${amqp[@]}"} \
        bash "$repo/payara/start.sh" >"$work/logs/$name.log" 2>&1 </dev/null &
    instance_pid=$!
    instance_pids+=("$instance_pid")
    log "started $name (pid $instance_pid, port $instance_port, role $role, concurrency $concurrency, prefetch $prefetch, queue $queue)"
}

await_ready() { # NAME PORT PID
    local waited=0
    until [ "$(curl -s -o /dev/null -w '%{http_code}' "http://127.0.0.1:$2/health/ready" 2>/dev/null)" = 200 ]; do
        kill -0 "$3" 2>/dev/null || { tail -n 30 "$work/logs/$1.log" >&2; fail "$1 exited before it was ready; see $work/logs/$1.log"; }
        waited=$((waited + 1))
        [ "$waited" -le $((boot_timeout_s * 4)) ] || fail "$1 not ready within $boot_timeout_s s; see $work/logs/$1.log"
        sleep 0.25
    done
    log "$1 ready"
}

stop_instance() { # PID
    kill -TERM "$1" 2>/dev/null || true
    for _ in $(seq 1 300); do kill -0 "$1" 2>/dev/null || return 0; sleep 0.1; done
    kill -KILL "$1" 2>/dev/null || true
}

# --- Drain ------------------------------------------------------------------------------------------

raw=$work/raw-$$.txt
: >"$raw"
wants() { case " $engine_list " in *" $1 "*) return 0 ;; *) return 1 ;; esac; }

amqp_pid= db_pid=
if wants erpmax-amqp; then
    new_db ${db_prefix}_amqp migrate
    start_instance drain-amqp ${db_prefix}_amqp worker "$queue_prefix.drain" "$erpmax_amqp_concurrency" "$erpmax_amqp_prefetch"
    amqp_pid=$instance_pid amqp_port=$instance_port
fi
if wants erpmax-db; then
    new_db ${db_prefix}_db migrate
    start_instance drain-db ${db_prefix}_db worker - "$erpmax_db_concurrency" 1
    db_pid=$instance_pid db_port=$instance_port
fi
if wants ceiling-1 || wants ceiling-50; then new_db ${db_prefix}_ceiling migrate; fi
[ -z "$amqp_pid" ] || await_ready drain-amqp "$amqp_port" "$amqp_pid"
[ -z "$db_pid" ] || await_ready drain-db "$db_port" "$db_pid"

run_drain() { # ENGINE TIMED(yes|warmup) -> appends "ENGINE jobs_per_s" to $raw
    local engine=$1 n=$jobs line
    result_line=
    [ "$2" = warmup ] && n=$warmup_jobs
    check_budget
    case $engine in
        erpmax-amqp) bench_run erpmax-drain "$jdbc/${db_prefix}_amqp" "$n" true "$drain_timeout" ;;
        erpmax-db) bench_run erpmax-drain "$jdbc/${db_prefix}_db" "$n" false "$drain_timeout" ;;
        db-scheduler)
            new_db ${db_prefix}_dbs
            bench_run dbscheduler "$jdbc/${db_prefix}_dbs" "$n" "$warmup_jobs" "$dbs_threads" "$dbs_lower" "$dbs_upper" "$dbs_poll_ms" "$drain_timeout"
            ;;
        jobrunr)
            new_db ${db_prefix}_jr
            bench_run jobrunr "$jdbc/${db_prefix}_jr" "$n" "$warmup_jobs" "$jobrunr_workers" "$jobrunr_poll_s" "$drain_timeout"
            ;;
        ceiling-1) bench_run ceiling "$jdbc/${db_prefix}_ceiling" "$n" 1 "$ceiling1_threads" "$drain_timeout" ;;
        ceiling-50) bench_run ceiling "$jdbc/${db_prefix}_ceiling" "$n" 50 "$ceiling50_threads" "$drain_timeout" ;;
        *) fail "unknown engine $engine" ;;
    esac
    line=$result_line
    if [ "$2" = warmup ]; then
        log "warm-up $engine: ${line#RESULT }"
    else
        log "$engine: ${line#RESULT }"
        printf '%s %s\n' "$engine" "$(sed -E 's/.*jobs_per_s=([0-9.]+).*/\1/' <<<"$line")" >>"$raw"
        printf '%s\n' "$line" >>"$work/results-$$.log"
    fi
}

for engine in erpmax-amqp erpmax-db; do
    if wants "$engine" && [ "$warmup_jobs" -gt 0 ]; then run_drain "$engine" warmup; fi
done
for rep in $(seq 1 "$repeats"); do
    log "--- drain round $rep of $repeats ($jobs jobs) ---"
    for engine in $engine_list; do
        run_drain "$engine" timed
    done
done
[ -z "$amqp_pid" ] || stop_instance "$amqp_pid"
[ -z "$db_pid" ] || stop_instance "$db_pid"

# --- Submit -----------------------------------------------------------------------------------------

submit_raw=$work/submit-$$.txt
: >"$submit_raw"
if [ -n "$submit_rates" ] && [ "$submit_seconds" -gt 0 ]; then
    new_db ${db_prefix}_submit migrate
    start_instance submit ${db_prefix}_submit all "$queue_prefix.submit" "$erpmax_amqp_concurrency" "$erpmax_amqp_prefetch"
    submit_pid=$instance_pid submit_port=$instance_port
    await_ready submit "$submit_port" "$submit_pid"
    first=true
    for rate in $submit_rates; do
        check_budget
        warm=0
        [ "$first" = true ] && warm=$submit_warmup
        first=false
        bench_run submit "http://127.0.0.1:$submit_port" "$rate" "$submit_seconds" "$submit_warmup_rate" "$warm"
        line=$result_line
        log "submit: ${line#RESULT }"
        printf '%s\n' "$line" >>"$submit_raw"
    done
    backlog=$(psql "${pg[@]}" -d ${db_prefix}_submit -Atc "SELECT count(*) FILTER (WHERE status = 'succeeded') || ' succeeded of ' || count(*) FROM jobs")
    log "submit instance after the run: $backlog"
    stop_instance "$submit_pid"
fi

# --- Report -----------------------------------------------------------------------------------------

median_of() { # ENGINE -> median jobs/s (or empty)
    awk -v e="$1" '$1 == e {print $2}' "$raw" | sort -g | awk '{v[NR] = $1} END {if (NR == 0) exit; if (NR % 2) printf "%.0f", v[(NR + 1) / 2]; else printf "%.0f", (v[NR / 2] + v[NR / 2 + 1]) / 2}'
}
runs_of() {
    awk -v e="$1" '$1 == e {printf "%s%.0f", sep, $2; sep = ", "}' "$raw"
}
field() { # LINE KEY
    sed -E "s/.* $2=([^ ]+).*/\1/" <<<"$1"
}
max_num() { awk 'BEGIN {m = 0} {if ($1 != "" && $1 + 0 > m) m = $1 + 0} END {printf "%.0f", m}'; }

declare -A median settings_of
settings_of[erpmax-amqp]="worker, RabbitMQ, concurrency $erpmax_amqp_concurrency, prefetch $erpmax_amqp_prefetch"
settings_of[erpmax-db]="worker, no broker, concurrency $erpmax_db_concurrency, poll $erpmax_db_poll"
settings_of[db-scheduler]="16.12.0, lock-and-fetch $dbs_lower..$dbs_upper x threads, $dbs_threads threads, poll ${dbs_poll_ms} ms"
settings_of[jobrunr]="8.7.0 free, $jobrunr_workers workers, poll ${jobrunr_poll_s} s, bulk enqueue"
settings_of[ceiling-1]="plain JDBC, 1 row per transaction, $ceiling1_threads threads"
settings_of[ceiling-50]="plain JDBC, 50 rows per statement, $ceiling50_threads threads"
for engine in $engine_list; do median[$engine]=$(median_of "$engine"); done

engine_best=$(for e in erpmax-amqp erpmax-db; do echo "${median[$e]:-}"; done | max_num)
peer_best=$(for e in db-scheduler jobrunr; do echo "${median[$e]:-}"; done | max_num)
ceiling=$(for e in ceiling-1 ceiling-50; do echo "${median[$e]:-}"; done | max_num)
ratio=$(awk -v a="$engine_best" -v b="$peer_best" 'BEGIN {if (b > 0) printf "%.2f", a / b; else print "n/a"}')
of_ceiling=$(awk -v a="$engine_best" -v b="$ceiling" 'BEGIN {if (b > 0) printf "%.0f %%", 100 * a / b; else print "n/a"}')

report=$work/report-$$.md
{
    echo "# ERPMax drain and submit benchmark"
    echo
    echo "$(date -u +'%Y-%m-%d %H:%M UTC'), $(nproc) cores, WAR from commit $git_rev ($git_dirty uncommitted changes under src/ and pom.xml, cksum $war_sum)."
    echo "Drain: $jobs no-op jobs per run, $repeats run(s) per engine, interleaved; untimed warm-up of $warmup_jobs jobs; queue table analyzed before the clock starts: $([ "$BENCH_ANALYZE" = 1 ] && echo yes || echo no)."
    echo
    echo "| drain engine | settings | median jobs/s | runs (jobs/s) |"
    echo "|---|---|---:|---|"
    for engine in $engine_list; do
        echo "| $engine | ${settings_of[$engine]} | ${median[$engine]:-n/a} | $(runs_of "$engine") |"
    done
    echo
    echo "ERPMax best $engine_best jobs/s; best peer $peer_best jobs/s; ceiling $ceiling jobs/s; ERPMax at $of_ceiling of the ceiling."
    if [ -s "$submit_raw" ]; then
        echo
        echo "Submit: POST /api/jobs on an instance with role all (RabbitMQ, concurrency $erpmax_amqp_concurrency), open model, ${submit_seconds} s per rate after an uncounted ${submit_warmup} s at ${submit_warmup_rate}/s, latency from the scheduled send time."
        echo
        echo "| rate (req/s) | sent | p50 ms | p99 ms | max ms | errors |"
        echo "|---:|---:|---:|---:|---:|---:|"
        while read -r line; do
            echo "| $(field "$line" rate) | $(field "$line" sent) | $(field "$line" p50_ms) | $(field "$line" p99_ms) | $(field "$line" max_ms) | $(field "$line" errors) |"
        done <"$submit_raw"
    fi
    echo
    echo "engine/best-peer drain ratio: $ratio"
} >"$report"
mkdir -p "$(dirname "$results_file")"
cp "$report" "$results_file"
cat "$report"
