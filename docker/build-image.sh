#!/usr/bin/env bash
# Builds the ERPMax image with podman on a machine without a Docker engine or a registry, and
# smoke-tests it with buildah against the host's PostgreSQL:
#
#   docker/build-image.sh [--smoke-test] [--from-source]
#
# 1. A Debian 12 base image from debootstrap (cached as localhost/erpmax-base:bookworm; only
#    Debian's package mirror is needed), since nothing can be pulled.
# 2. podman build --format docker (OCI images drop HEALTHCHECK) --isolation chroot of docker/Dockerfile on it, tagged localhost/erpmax-orchestrator:dev.
#    Default ARTIFACTS=prebuilt (the WAR, migrator and Micro from target/, built first if missing);
#    --from-source builds inside the image as "docker build" does elsewhere (Maven downloads all).
# 3. --smoke-test: in the image (buildah run, host network), on a scratch database of
#    127.0.0.1:5432 (user postgres): "docker-entrypoint.sh migrate" and then "migrate status --check"
#    (nothing pending) must exit 0 under the image's /bin/sh, "docker-entrypoint.sh app" must reach
#    READY (healthcheck.sh ready) and stop on SIGTERM.
#
# Needs root, podman, buildah and debootstrap (apt-get install podman buildah debootstrap).
# Environment: ERPMAX_IMAGE_TAG, ERPMAX_BASE_IMAGE, ERPMAX_BUILD_DIR (/var/tmp/erpmax-podman),
# ERPMAX_TEST_PG_HOST/PORT/USER.
set -euo pipefail
cd "$(dirname "$0")/.."

tag=${ERPMAX_IMAGE_TAG:-localhost/erpmax-orchestrator:dev}
base=${ERPMAX_BASE_IMAGE:-localhost/erpmax-base:bookworm}
work=${ERPMAX_BUILD_DIR:-/var/tmp/erpmax-podman}
smoke=false
artifacts=prebuilt
for arg in "$@"; do
    case $arg in
        --smoke-test) smoke=true ;;
        --from-source) artifacts=source ;;
        *) echo "usage: docker/build-image.sh [--smoke-test] [--from-source]" >&2; exit 2 ;;
    esac
done
log() { printf '[image] %s\n' "$*"; }
mkdir -p "$work"

for tool in podman buildah debootstrap; do
    command -v "$tool" >/dev/null || { echo "build-image: $tool is missing (apt-get install podman buildah debootstrap)" >&2; exit 2; }
done

if ! podman image exists "$base"; then
    log "creating the base image $base with debootstrap (a few minutes)"
    rm -rf "$work/rootfs"
    nice debootstrap --variant=minbase bookworm "$work/rootfs" http://deb.debian.org/debian >"$work/debootstrap.log" 2>&1 ||
        { tail -n 20 "$work/debootstrap.log" >&2; exit 1; }
    # Security updates, as the official debian image has them.
    echo 'deb http://deb.debian.org/debian-security bookworm-security main' >>"$work/rootfs/etc/apt/sources.list"
    rm -rf "$work/rootfs/var/cache/apt/archives/"*.deb "$work/rootfs/var/lib/apt/lists/"*
    tar -C "$work/rootfs" -c . | podman import --change 'CMD ["bash"]' - "$base" >/dev/null
    rm -rf "$work/rootfs"
fi

if [ "$artifacts" = prebuilt ] && { [ ! -f target/erpmax.war ] || [ ! -f target/erpmax-migrate.jar ] || [ ! -f target/erpmax-launcher.jar ] || [ ! -f target/payara-micro.jar ]; }; then
    log "building the artifacts: ./mvnw -B -q package -DskipTests"
    ./mvnw -B -q package -DskipTests
fi

log "podman build ($artifacts artifacts) -> $tag"
started=$SECONDS
# --uts host --add-host: the build's last step boots Micro, which stops when it cannot resolve its
# own host name; buildah gives a build container a random one that its /etc/hosts does not list
# (Docker and BuildKit do list theirs).
nice podman build --format docker --isolation chroot --uts host --add-host "$(hostname):127.0.0.1" \
    --ignorefile docker/Dockerfile.dockerignore -f docker/Dockerfile \
    --build-arg BUILD_IMAGE="$base" --build-arg RUNTIME_IMAGE="$base" --build-arg ARTIFACTS="$artifacts" \
    --build-arg VERSION="$(git describe --tags --always 2>/dev/null || echo dev)" --build-arg REVISION="$(git rev-parse HEAD 2>/dev/null || echo unknown)" -t "$tag" . >"${work}/build.log" 2>&1 ||
    { tail -n 30 "$work/build.log" >&2; exit 1; }
log "built in $((SECONDS - started)) s: $(podman image inspect --format '{{.Size}}' "$tag" | awk '{printf "%d MB", $1/1000000}')"
grep -m 1 '^AppCDS archive:' "$work/build.log" | sed 's/^/[image] /' || true
podman image inspect --format 'user={{.Config.User}} entrypoint={{.Config.Entrypoint}} cmd={{.Config.Cmd}} stopsignal={{.Config.StopSignal}} healthcheck={{.Config.Healthcheck}}' "$tag" 2>/dev/null ||
    podman image inspect --format 'user={{.Config.User}} entrypoint={{.Config.Entrypoint}} cmd={{.Config.Cmd}}' "$tag"

[ "$smoke" = true ] || exit 0

pg_host=${ERPMAX_TEST_PG_HOST:-127.0.0.1}
pg_port=${ERPMAX_TEST_PG_PORT:-5432}
pg_user=${ERPMAX_TEST_PG_USER:-postgres}
db=erpmax_image_$$
port=$((20000 + $$ % 10000))
ctr=
app_pid=
cleanup() {
    if [ -n "$app_pid" ]; then
        # The JVM in the container, then buildah run.
        ss -ltnpH "sport = :$port" | sed -n 's/.*pid=\([0-9]*\).*/\1/p' | xargs -r kill -TERM 2>/dev/null || true
        kill "$app_pid" 2>/dev/null || true
    fi
    [ -z "$ctr" ] || buildah rm "$ctr" >/dev/null 2>&1 || true
    psql -h "$pg_host" -p "$pg_port" -U "$pg_user" -qAtc "DROP DATABASE IF EXISTS $db WITH (FORCE)" >/dev/null 2>&1 || true
}
trap cleanup EXIT
psql -h "$pg_host" -p "$pg_port" -U "$pg_user" -qAtc "CREATE DATABASE $db"
ctr=$(buildah from "$tag")
run() {
    # --hostname localhost: buildah does not put the container's own name into /etc/hosts, and
    # Payara Micro stops when it cannot resolve it (Docker and Kubernetes do resolve it).
    buildah run --isolation chroot --network host --hostname localhost \
        --env ERPMAX_DB_URL="jdbc:postgresql://$pg_host:$pg_port/$db" --env ERPMAX_DB_USER="$pg_user" \
        --env ERPMAX_HTTP_PORT="$port" "$@"
}
log "smoke test: docker-entrypoint.sh migrate"
run "$ctr" -- /opt/erpmax/bin/docker-entrypoint.sh migrate
log "smoke test: docker-entrypoint.sh migrate status --check"
run "$ctr" -- /opt/erpmax/bin/docker-entrypoint.sh migrate status --check
log "smoke test: docker-entrypoint.sh app (validate mode) on port $port"
run --env ERPMAX_MIGRATION_MODE=validate "$ctr" -- /opt/erpmax/bin/docker-entrypoint.sh app >"$work/smoke-app.log" 2>&1 &
app_pid=$!
started=$SECONDS
until run "$ctr" -- /opt/erpmax/bin/healthcheck.sh ready 2>/dev/null; do
    if [ $((SECONDS - started)) -gt 180 ] || ! kill -0 "$app_pid" 2>/dev/null; then
        tail -n 30 "$work/smoke-app.log" >&2
        echo "build-image: the image's app did not become READY" >&2
        exit 1
    fi
    sleep 2
done
log "READY after $((SECONDS - started)) s (image HEALTHCHECK command passes)"
# The container must boot from the AppCDS archive made at build time, not make its own.
if grep -E '^start\.sh: .*(AppCDS|archive)' "$work/smoke-app.log" >&2; then
    echo "build-image: the app did not use the image's AppCDS archive" >&2
    exit 1
fi
java_pid=$(ss -ltnpH "sport = :$port" | sed -n 's/.*pid=\([0-9]*\).*/\1/p' | head -n 1)
[ -n "$java_pid" ] || { echo "build-image: no process listens on port $port" >&2; exit 1; }
kill -TERM "$java_pid"
started=$SECONDS
while kill -0 "$app_pid" 2>/dev/null && [ $((SECONDS - started)) -le 60 ]; do sleep 1; done
if kill -0 "$app_pid" 2>/dev/null; then
    tail -n 30 "$work/smoke-app.log" >&2
    echo "build-image: the app did not stop within 60 s of SIGTERM" >&2
    exit 1
fi
status=0
wait "$app_pid" || status=$?
app_pid=
[ "$status" -eq 0 ] || { tail -n 30 "$work/smoke-app.log" >&2; echo "build-image: the app exited with $status on SIGTERM" >&2; exit 1; }
log "stopped on SIGTERM in $((SECONDS - started)) s (exit 0)"
log "smoke test passed"
