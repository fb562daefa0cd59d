#!/usr/bin/env bash
# Container health check: GET /health/<probe> on this container's HTTP port; healthy only on 200.
#
#   healthcheck.sh [ready|live|started]     default: ready
#
# Plain bash (/dev/tcp), so the image needs no curl. Readiness is the right default for the
# HEALTHCHECK: "healthy" then means what a load balancer needs (READY: schema current, database
# and broker reachable), and "docker compose ps" shows a starting or migrating instance as
# "health: starting"/"unhealthy" instead of a false "healthy". The reason is in the answer's
# body: run "healthcheck.sh ready -v" in the container (or curl it from the host) to read it.
set -u

probe=${1:-ready}
verbose=${2:-}
port=${ERPMAX_HTTP_PORT:-8080}
case $probe in
    ready | live | started) ;;
    *) echo "usage: healthcheck.sh [ready|live|started] [-v]" >&2; exit 2 ;;
esac

# shellcheck disable=SC2016 # $1 and $2 are the inner shell's arguments
response=$(timeout "${HEALTHCHECK_TIMEOUT:-3}" bash -c '
    exec 3<>"/dev/tcp/127.0.0.1/$1" || exit 1
    printf "GET /health/%s HTTP/1.0\r\nHost: localhost\r\nConnection: close\r\n\r\n" "$2" >&3
    cat <&3' _ "$port" "$probe" 2>/dev/null) || {
    echo "no answer on 127.0.0.1:$port" >&2
    exit 1
}
status_line=${response%%$'\r'*}
[ "$verbose" != -v ] || printf '%s\n' "$response"
case $status_line in
    "HTTP/1."?" 200"*) exit 0 ;;
    *) echo "${status_line:-empty answer}" >&2; exit 1 ;;
esac
