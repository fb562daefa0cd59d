#!/usr/bin/env bash
# Blue-green upgrade of the app tier with one data tier, on the Docker host of
# docker-compose.prod.yml (project "erpmax": postgres, rabbitmq, migration, proxy):
#
#   docker/blue-green/deploy.sh [--dry-run] COLOR IMAGE     upgrade: COLOR (blue|green) runs IMAGE
#   docker/blue-green/deploy.sh [--dry-run] contract IMAGE  later: IMAGE's remaining changesets
#
# An upgrade, each step only when the one before succeeded:
#   1. backup + expand: the migration service of IMAGE runs "update --labels expand" (it takes a
#      pg_dump first when something is pending; ERPMAX_MIGRATION_BACKUP_DIR). Expand changesets
#      are additive, so the running color stays READY on the newer schema.
#   2. COLOR's app and worker start from docker-compose.color.yml (project erpmax-COLOR, the same
#      networks, validate mode) and are waited for until healthy (= READY).
#   3. COLOR is warmed through the proxy's network (a JVM that just booted answers a fraction of
#      what a warm one does), then the proxy is switched to app-COLOR (nginx reload: requests in
#      flight finish on the old color) and ERPMAX_ACTIVE_COLOR is written to the env file.
#   4. The old color is drained: "stop" sends SIGTERM (readiness DOWN, HTTP served for the
#      shutdown delay, in-flight jobs finished) and waits up to its stop_grace_period.
# If step 2 fails (not healthy in time, or exited), the new color is stopped and the old one keeps
# serving: nothing was switched. Contract changesets (drop what the old version still used) wait
# until the old color is gone for good: "deploy.sh contract IMAGE".
#
# --dry-run prints the commands instead of running them. Exit codes: 0 done, 1 a step failed,
# 2 bad usage. Settings (environment):
#   ERPMAX_ENV_FILE          .env.production
#   ERPMAX_PROJECT           erpmax (the production stack's project)
#   DEPLOY_READY_TIMEOUT     300 (seconds to wait for the new color to be healthy)
#   DEPLOY_WARMUP_REQUESTS   300 (requests sent to the new color before the switch; 0: none)
#   COMPOSE                  "docker compose" (or "docker-compose")
set -euo pipefail
cd "$(dirname "$0")/../.."

usage() {
    sed -n '5,6p' "$0" | sed 's/^# *//' >&2
    exit 2
}
dry_run=false
if [ "${1:-}" = --dry-run ]; then dry_run=true; shift; fi
[ $# -eq 2 ] || usage
target=$1
image=$2
case $target in blue | green | contract) ;; *) echo "deploy: COLOR is blue or green, not '$target'" >&2; usage ;; esac
[ -n "$image" ] || { echo "deploy: IMAGE is empty" >&2; usage; }

env_file=${ERPMAX_ENV_FILE:-.env.production}
project=${ERPMAX_PROJECT:-erpmax}
ready_timeout=${DEPLOY_READY_TIMEOUT:-300}
warmup=${DEPLOY_WARMUP_REQUESTS:-300}
read -r -a compose <<<"${COMPOSE:-docker compose}"
[ -f "$env_file" ] || { echo "deploy: no env file $env_file (ERPMAX_ENV_FILE)" >&2; exit 2; }
case $ready_timeout$warmup in *[!0-9]*) echo "deploy: DEPLOY_READY_TIMEOUT and DEPLOY_WARMUP_REQUESTS are whole numbers" >&2; exit 2 ;; esac

log() { printf '%s deploy: %s\n' "$(date -u +%Y-%m-%dT%H:%M:%SZ)" "$*"; }
fail() { log "FAILED: $*"; exit 1; }
run() { # the command, printed; not run with --dry-run
    printf '+ %s\n' "$*"
    if [ "$dry_run" = false ]; then "$@"; fi
}
env_value() { sed -n "s/^$1=//p" "$env_file" | tail -n 1; }

stack=("${compose[@]}" -p "$project" -f docker-compose.prod.yml --env-file "$env_file")
tier() { # COLOR: the compose command of that color's app tier
    tier_cmd=(env ERPMAX_COLOR="$1" ERPMAX_IMAGE="$image" "${compose[@]}" -p "$project-$1"
        -f docker/blue-green/docker-compose.color.yml --env-file "$env_file")
}

if [ "$target" = contract ]; then
    log "contract: every changeset of $image, the old color must be gone"
    run env ERPMAX_IMAGE="$image" "${stack[@]}" run --rm migration migrate
    log "done"
    exit 0
fi

color=$target
active=$(env_value ERPMAX_ACTIVE_COLOR)
active=${active:-blue}
[ "$color" != "$active" ] || { echo "deploy: $color is the active color (ERPMAX_ACTIVE_COLOR in $env_file); deploy to the other one" >&2; exit 2; }
old=$active
log "upgrade: $color runs $image; $old serves until the switch"

# --- 1. Backup + expand --------------------------------------------------------------------------------
run env ERPMAX_IMAGE="$image" "${stack[@]}" run --rm migration migrate --labels expand ||
    fail "the expand migration failed; nothing else was changed ($old still serves)"

# --- 2. The new color, until healthy ------------------------------------------------------------------
tier "$color"
run "${tier_cmd[@]}" up -d --force-recreate
if [ "$dry_run" = true ]; then
    printf '+ (wait until app and worker of %s-%s are healthy, at most %s s)\n' "$project" "$color" "$ready_timeout"
else
    started=$SECONDS
    while :; do
        ids=$("${tier_cmd[@]}" ps -q app worker)
        states=$(for id in $ids; do docker inspect -f '{{.State.Status}}/{{if .State.Health}}{{.State.Health.Status}}{{end}}' "$id"; done)
        if [ -n "$ids" ] && ! grep -qv '^running/healthy$' <<<"$states"; then break; fi
        if grep -q '^exited\|^dead' <<<"$states" || [ $((SECONDS - started)) -ge "$ready_timeout" ]; then
            "${tier_cmd[@]}" logs --tail 50 app worker >&2 || true
            run "${tier_cmd[@]}" stop
            fail "$color did not become healthy within $ready_timeout s ($(tr '\n' ' ' <<<"$states")); stopped it, $old still serves"
        fi
        sleep 5
    done
    log "$color is healthy (READY) after $((SECONDS - started)) s"
fi

# --- 3. Warm, switch ----------------------------------------------------------------------------------------
if [ "$warmup" -gt 0 ]; then
    # From inside the proxy container: it is on app-COLOR's network and has curl.
    run "${stack[@]}" exec -T proxy sh -c "i=0; while [ \$i -lt $warmup ]; do curl -s -o /dev/null http://app-$color:8080/health/ready; curl -s -o /dev/null 'http://app-$color:8080/api/jobs?limit=1'; i=\$((i + 1)); done"
fi
run "${stack[@]}" exec -T proxy /etc/nginx/erpmax/switch-upstream.sh "app-$color:8080" ||
    fail "switching the proxy failed (it still sends to app-$old); $color keeps running"
run sed -i "s/^ERPMAX_ACTIVE_COLOR=.*/ERPMAX_ACTIVE_COLOR=$color/" "$env_file"

# --- 4. Drain the old color ------------------------------------------------------------------------------------
# The old color is a color project, or, on the first upgrade, the app tier of the stack itself.
tier "$old"
run "${tier_cmd[@]}" stop
first_color=$(env_value ERPMAX_COLOR)
if [ "${first_color:-blue}" = "$old" ]; then run "${stack[@]}" stop app worker; fi
log "done: $color serves $image; $old is stopped (start it again to roll back: switch-upstream.sh app-$old:8080)"
log "when $old is gone for good: docker/blue-green/deploy.sh contract $image"
