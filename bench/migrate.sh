#!/usr/bin/env bash
# Benchmark, not a test: what every deploy pays for its one-shot migration when nothing is
# pending, ERPMax's migrator beside the stock Liquibase 4.33.0 command line doing the same no-op
# update on the same database. Whole processes, wall time, interleaved runs.
#
#   bench/migrate.sh                 5 runs of each
#   BENCH_RUNS=9 bench/migrate.sh
#
# Needs a JDK 17 and PostgreSQL at 127.0.0.1:5432 where user postgres connects without a password.
# Builds target/erpmax-migrate.jar if missing; fetches the stock command line's jars (Liquibase
# 4.33.0 and picocli, from Maven Central) into target/bench/liquibase-cli. Uses a scratch
# database, erpmax_bench_migrate, made afresh.
# Prints each run and the medians; the last line is exactly
#   no-op update ratio: X.XX (erpmax E ms, stock liquibase L ms)
set -euo pipefail

repo=$(cd "$(dirname "$0")/.." && pwd)
runs=${BENCH_RUNS:-5}
work=$repo/target/bench
cli=$work/liquibase-cli
db=erpmax_bench_migrate
url=jdbc:postgresql://127.0.0.1:5432/$db
pg=(-h 127.0.0.1 -p 5432 -U postgres)
mvn_cmd=("$repo/mvnw" -q -B)
[ -x "$repo/mvnw" ] || mvn_cmd=(mvn -q -B)

if [ ! -f "$repo/target/erpmax-migrate.jar" ]; then
  (cd "$repo" && "${mvn_cmd[@]}" package -DskipTests)
fi
if [ ! -f "$cli/.complete" ]; then
  mkdir -p "$cli"
  # The stock CLI: liquibase-core's own main class, its runtime dependencies, picocli and the driver.
  for artifact in org.liquibase:liquibase-core:4.33.0 info.picocli:picocli:4.7.7 org.postgresql:postgresql:42.7.8; do
    (cd "$repo" && "${mvn_cmd[@]}" dependency:copy -Dartifact="$artifact" -DoutputDirectory="$cli")
  done
  (cd "$repo" && "${mvn_cmd[@]}" dependency:copy-dependencies -DincludeScope=runtime -DincludeGroupIds=org.yaml,com.opencsv,org.apache.commons,commons-io,javax.xml.bind -DoutputDirectory="$cli")
  # The changelog as a directory on the stock CLI's search path.
  rm -rf "$cli/changelog" && mkdir -p "$cli/changelog"
  cp -r "$repo/src/main/resources/db" "$cli/changelog/"
  touch "$cli/.complete"
fi

dropdb "${pg[@]}" --if-exists --force "$db" 2>/dev/null || dropdb "${pg[@]}" --if-exists "$db"
createdb "${pg[@]}" "$db"

ms() { date +%s%3N; }
first_start=$(ms)
ERPMAX_DB_URL=$url ERPMAX_DB_USER=postgres java -jar "$repo/target/erpmax-migrate.jar" update >/dev/null 2>&1
first=$(( $(ms) - first_start ))

ours() { ERPMAX_DB_URL=$url ERPMAX_DB_USER=postgres java -jar "$repo/target/erpmax-migrate.jar" "$@" >/dev/null 2>&1; }
stock() {
  java -cp "$cli/*:$cli/changelog" liquibase.integration.commandline.LiquibaseCommandLine \
    --show-banner=false --analytics-enabled=false --log-level=SEVERE \
    --changelog-file=db/changelog/db.changelog-master.yaml --url="$url" --username=postgres \
    update >/dev/null 2>&1
}
# The stock CLI must see a current schema too (its first run proves it works at all).
stock || { echo "the stock Liquibase command line failed; run it by hand to see why" >&2; exit 1; }

median() { sort -n | awk '{ v[NR] = $1 } END { print (NR % 2) ? v[(NR + 1) / 2] : int((v[NR / 2] + v[NR / 2 + 1]) / 2) }'; }
declare -a t_ours t_stock t_status
for i in $(seq 1 "$runs"); do
  s=$(ms); stock; t_stock+=($(( $(ms) - s )))
  s=$(ms); ours update; t_ours+=($(( $(ms) - s )))
  s=$(ms); ours status --check; t_status+=($(( $(ms) - s )))
  echo "run $i: stock liquibase update ${t_stock[-1]} ms, erpmax update ${t_ours[-1]} ms, erpmax status --check ${t_status[-1]} ms"
done
m_stock=$(printf '%s\n' "${t_stock[@]}" | median)
m_ours=$(printf '%s\n' "${t_ours[@]}" | median)
m_status=$(printf '%s\n' "${t_status[@]}" | median)
echo "first update of the full changelog (erpmax, empty database): $first ms"
echo "median of $runs: stock liquibase no-op update $m_stock ms; erpmax no-op update $m_ours ms; erpmax status --check $m_status ms"
dropdb "${pg[@]}" --if-exists "$db" >/dev/null 2>&1 || true
awk -v o="$m_ours" -v s="$m_stock" 'BEGIN { printf "no-op update ratio: %.2f (erpmax %d ms, stock liquibase %d ms)\n", o / s, o, s }'
