#!/usr/bin/env bash
# Proves the compose files without a Docker engine: "docker-compose config" (Debian's
# docker-compose, installed when missing) resolves them, and the resolved model is checked:
# start order (depends_on conditions), health checks, restart policies, networks (data tier
# internal), no container_name, no secret with a default, blue-green projects sharing one data
# tier; the nginx templates pass "nginx -t"; the Kubernetes and GitHub Actions YAML parse.
#
#   docker/test-compose.sh
#
# Ends with "N passed, N failed"; exit status 0 only when nothing failed.
set -euo pipefail
# ERPMAX_COMPOSE_TEST_DIR: check a copy instead (e.g. a deliberately broken one).
cd "${ERPMAX_COMPOSE_TEST_DIR:-$(dirname "$0")/..}"

tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
passed=0
failed=0
ok() { passed=$((passed + 1)); printf 'ok   %s\n' "$*"; }
bad() { failed=$((failed + 1)); printf 'FAIL %s\n' "$*"; }
# Counts the lines of a Python check ("ok   ..." or "FAIL ...") as this script's own.
tally() { # file
    local line
    while IFS= read -r line; do
        case $line in
            "ok   "*) ok "${line#ok   }" ;;
            *) bad "${line#FAIL }" ;;
        esac
    done <"$1"
}

apt_updated=
need() { # command package
    command -v "$1" >/dev/null 2>&1 && return 0
    [ "$(id -u)" = 0 ] || { echo "test-compose: $1 is missing (apt-get install $2)" >&2; exit 2; }
    [ -n "$apt_updated" ] || { apt-get update -qq; apt_updated=1; }
    # --no-install-recommends: docker-compose only recommends the Docker engine, which is not needed
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "$2" >/dev/null
}
# Debian's docker-compose (1.29) when there is no Compose v2 plugin; both resolve the same model.
if docker compose version >/dev/null 2>&1; then
    compose() { docker compose "$@"; }
else
    need docker-compose docker-compose
    compose() { docker-compose "$@"; }
fi
# The YAML checks run with the system Python, which has PyYAML through docker-compose.
python=/usr/bin/python3
"$python" -c 'import yaml' 2>/dev/null || python=python3
"$python" -c 'import yaml' || { echo "test-compose: no python3 with PyYAML" >&2; exit 2; }

prod=docker-compose.prod.yml
example=.env.production.example
secrets=(POSTGRES_PASSWORD ERPMAX_DB_OWNER_PASSWORD ERPMAX_DB_APP_PASSWORD RABBITMQ_PASSWORD)

# A throwaway env file: the example with every secret filled with a distinct value.
filled=$tmp/env.filled
cp "$example" "$filled"
for s in "${secrets[@]}"; do
    sed -i "s/^$s=\$/$s=test-$(printf '%s' "$s" | tr 'A-Z_' 'a-z-')-4f2a/" "$filled"
done

# --- The example file: every secret is there and empty ------------------------------------------
for s in "${secrets[@]}"; do
    if grep -qx "$s=" "$example"; then ok "$example has $s, empty"; else bad "$example must list $s with an empty value"; fi
done

# --- Without the secrets, compose refuses, naming the secret --------------------------------------
if out=$(compose -f "$prod" --env-file "$example" config 2>&1); then
    bad "config with the example's empty secrets must fail"
else
    if grep -q 'set POSTGRES_PASSWORD' <<<"$out"; then ok "config with the example file fails: names POSTGRES_PASSWORD"; else bad "config with empty secrets failed without naming the secret: $out"; fi
fi
for s in "${secrets[@]}"; do
    sed "s/^$s=.*/$s=/" "$filled" >"$tmp/env.missing"
    if out=$(compose -f "$prod" --env-file "$tmp/env.missing" config 2>&1); then
        bad "config without $s must fail"
    elif grep -q "set $s" <<<"$out"; then
        if grep -q 'test-.*-4f2a' <<<"$out"; then bad "the error for $s shows another secret's value"; else ok "config without $s fails naming it (and shows no secret)"; fi
    else
        bad "config without $s failed without naming it: $out"
    fi
done

# --- Resolved model ---------------------------------------------------------------------------------
if compose -f "$prod" --env-file "$filled" config >"$tmp/prod.yml" 2>"$tmp/prod.err"; then
    ok "config with every secret set resolves"
else
    bad "config with every secret set: $(cat "$tmp/prod.err")"
fi
color_file=docker/blue-green/docker-compose.color.yml
ERPMAX_COLOR=green ERPMAX_IMAGE=erpmax-orchestrator:ci compose -p erpmax-green -f "$color_file" --env-file "$filled" config >"$tmp/green.yml" 2>&1 ||
    bad "config of the green color: $(cat "$tmp/green.yml")"
ERPMAX_IMAGE=erpmax-orchestrator:ci compose -f "$prod" --env-file "$filled" config >"$tmp/prod-same-image.yml" 2>&1 ||
    bad "config with ERPMAX_IMAGE set: $(cat "$tmp/prod-same-image.yml")"
for v in ERPMAX_COLOR ERPMAX_IMAGE; do
    grep -v "^$v=" "$filled" >"$tmp/env.no-$v"
    if out=$(unset "$v"; compose -p erpmax-green -f "$color_file" --env-file "$tmp/env.no-$v" config 2>&1); then
        bad "the color file must refuse to resolve without $v"
    elif grep -q "set $v" <<<"$out"; then ok "the color file without $v fails naming it"; else bad "the color file without $v failed without naming it: $out"; fi
done
if compose -f docker-compose.yml config >"$tmp/dev.yml" 2>"$tmp/dev.err"; then ok "docker-compose.yml (development) resolves"; else bad "docker-compose.yml: $(cat "$tmp/dev.err")"; fi

"$python" - "$tmp/prod.yml" "$tmp/green.yml" "$tmp/dev.yml" "$prod" "$filled" "$tmp/prod-same-image.yml" <<'PY' >"$tmp/model.out" || true
import re, sys, yaml

prod = yaml.safe_load(open(sys.argv[1]))
green = yaml.safe_load(open(sys.argv[2]))
dev = yaml.safe_load(open(sys.argv[3]))
same_image = yaml.safe_load(open(sys.argv[6]))["services"]
raw = open(sys.argv[4]).read()
env = dict(l.split("=", 1) for l in open(sys.argv[5]).read().splitlines() if "=" in l and not l.startswith("#"))
svc = prod["services"]

def check(cond, what):
    print(("ok   " if cond else "FAIL ") + what)

def seconds(v):
    m = re.fullmatch(r"(?:(\d+)m)?(?:(\d+(?:\.\d+)?)s)?", str(v))
    return int(m.group(1) or 0) * 60 + float(m.group(2) or 0)

def deps(name):
    d = svc[name].get("depends_on", {})
    return {k: v.get("condition") for k, v in d.items()} if isinstance(d, dict) else {k: "service_started" for k in d}

def nets(name):
    n = svc[name].get("networks", {})
    return set(n) if isinstance(n, (dict, list)) else set()

check(set(svc) == {"postgres", "rabbitmq", "migration", "app", "worker", "proxy"}, "services: postgres, rabbitmq, migration, app, worker, proxy")
check(not any("container_name" in s for s in svc.values())
      and not re.search(r"^\s*container_name:", raw, re.M),
      "no container_name (two projects never collide)")

# Order
check(deps("migration") == {"postgres": "service_healthy"}, "migration starts once postgres is healthy")
for name in ("app", "worker"):
    check(deps(name) == {"postgres": "service_healthy", "rabbitmq": "service_healthy",
                         "migration": "service_completed_successfully"},
          f"{name} starts after postgres and rabbitmq are healthy and migration completed successfully")
check(deps("proxy") == {"app": "service_healthy"}, "proxy starts once app is healthy (READY)")

# Restart policies
check(svc["migration"].get("restart") == "no", "migration: restart \"no\" (one-shot)")
for name in ("postgres", "rabbitmq", "app", "worker", "proxy"):
    check(svc[name].get("restart") in ("unless-stopped", "always"), f"{name}: restarts ({svc[name].get('restart')})")

# Health checks
for name in ("postgres", "rabbitmq", "app", "worker", "proxy"):
    hc = svc[name].get("healthcheck", {})
    check(bool(hc.get("test")) and hc.get("test") != ["NONE"] and not hc.get("disable"), f"{name}: has a health check")
check("pg_isready" in " ".join(svc["postgres"]["healthcheck"]["test"]), "postgres health: pg_isready over TCP")
check("rabbitmq-diagnostics" in " ".join(svc["rabbitmq"]["healthcheck"]["test"]), "rabbitmq health: rabbitmq-diagnostics")
for name in ("app", "worker"):
    check(svc[name]["healthcheck"]["test"][-1] == "ready" and "healthcheck.sh" in " ".join(svc[name]["healthcheck"]["test"]),
          f"{name} health: readiness (/health/ready)")
    check(seconds(svc[name]["healthcheck"].get("start_period", "0s")) >= 60, f"{name} health: start period covers the boot")
check(svc["migration"].get("healthcheck", {}).get("test") == ["NONE"] or svc["migration"].get("healthcheck", {}).get("disable"),
      "migration: no health check (one-shot)")

# Drain: stop_grace_period > ERPMAX_SHUTDOWN_DELAY + ERPMAX_SHUTDOWN_GRACE
for name in ("app", "worker"):
    e = svc[name]["environment"]
    need = seconds(e["ERPMAX_SHUTDOWN_DELAY"]) + seconds(e["ERPMAX_SHUTDOWN_GRACE"])
    check(seconds(svc[name].get("stop_grace_period", "10s")) > need,
          f"{name}: stop_grace_period {svc[name].get('stop_grace_period')} > shutdown delay + grace ({need:g} s)")

# Networks: the data tier is internal and holds only what must reach the database
n = prod["networks"]
backend = [k for k, v in n.items() if v.get("internal")]
check(len(backend) == 1, "exactly one internal network (the data tier)")
b = backend[0] if backend else None
for name in ("postgres", "rabbitmq", "migration"):
    check(nets(name) == {b}, f"{name}: only on the internal network")
for name in ("postgres", "rabbitmq", "migration", "app", "worker"):
    check(not svc[name].get("ports"), f"{name}: publishes no port")
check(b in nets("app") and b in nets("worker") and b not in nets("proxy"), "app and worker reach the data tier, the proxy does not")
check(bool(svc["proxy"].get("ports")), "the proxy publishes the service")

# Roles and modes
e_app, e_mig = svc["app"]["environment"], svc["migration"]["environment"]
for name in ("app", "worker"):
    e = svc[name]["environment"]
    check(e["ERPMAX_MIGRATION_MODE"] == "validate", f"{name}: migration mode validate (never migrates)")
    check(e["ERPMAX_DB_USER"] == env["ERPMAX_DB_APP_USER"] and e["ERPMAX_DB_PASSWORD"] == env["ERPMAX_DB_APP_PASSWORD"],
          f"{name}: connects as the DML-only role")
    check(env["ERPMAX_DB_OWNER_PASSWORD"] not in str(e), f"{name}: never sees the owner's password")
    check(e["ERPMAX_STARTUP_ON_FAILURE"] == "exit", f"{name}: a failed start-up exits (restart policy applies)")
check(svc["app"]["environment"]["ERPMAX_ROLE"] == "api" and svc["worker"]["environment"]["ERPMAX_ROLE"] == "worker", "roles: app=api, worker=worker")
check(e_mig["ERPMAX_DB_USER"] == env["ERPMAX_DB_OWNER"] and e_mig["ERPMAX_DB_PASSWORD"] == env["ERPMAX_DB_OWNER_PASSWORD"],
      "migration: connects as the schema owner")
check(e_mig.get("ERPMAX_MIGRATION_APP_ROLE") == env["ERPMAX_DB_APP_USER"], "migration: grants to the app role (ERPMAX_MIGRATION_APP_ROLE)")
check(svc["migration"].get("command") == ["migrate"], "migration: runs docker-entrypoint.sh migrate")
check(e_mig["ERPMAX_DB_URL"].startswith("jdbc:postgresql://postgres:5432/"),
      "migration: connects directly to PostgreSQL (advisory lock needs a session)")
check(svc["app"]["environment"]["ERPMAX_AMQP_URI"].startswith("amqp://"), "app: RabbitMQ configured")
check(any("init-roles.sh" in v and "/docker-entrypoint-initdb.d/" in v for v in svc["postgres"].get("volumes", [])
          if isinstance(v, str)) or any("init-roles.sh" in str(v) for v in svc["postgres"].get("volumes", [])),
      "postgres: init-roles.sh mounted into /docker-entrypoint-initdb.d")
check(all(svc[s]["image"] == svc["app"]["image"] for s in ("migration", "worker")), "app, worker and migration run one image")

# No secret has a default in the file: every reference to a secret variable uses ${VAR:?message}
refs = re.findall(r"\$\{([A-Z0-9_]*(?:PASSWORD|PASS|SECRET|TOKEN))([^}]*)\}", raw)
check(len(refs) >= 4 and all(mod.startswith(":?") for _, mod in refs),
      f"every secret reference is ${{VAR:?...}} ({len(refs)} references: {sorted(set(r[0] for r in refs))})")
unresolved = yaml.safe_load(raw)["services"]
literal = [f"{n}.{k}" for n, s in unresolved.items() for k, v in (s.get("environment") or {}).items()
           if re.search(r"PASSWORD|PASS$|SECRET|TOKEN", k) and not re.fullmatch(r"\$\{[A-Z0-9_]+:\?[^}]+\}", str(v))]
check(not literal, f"every secret setting is ${{VAR:?...}}, never a literal or a default {literal or ''}")

# Memory: the JVM sizes its heap from the container's limit
for name in ("app", "worker"):
    check(bool(svc[name].get("mem_limit")) and "MaxRAMPercentage" in svc[name]["environment"]["JAVA_OPTS"],
          f"{name}: memory limit ({svc[name].get('mem_limit')}) and a heap relative to it")

# Blue-green: a color is only an app tier, on the stack's networks (one database), under its own alias
g = green["services"]
check(set(g) == {"app", "worker"}, "color file: only app and worker (no second data tier can start)")
check({k: v["name"] for k, v in green["networks"].items()} == {k: v["name"] for k, v in prod["networks"].items()}
      and all(v.get("external") for v in green["networks"].values()),
      "color file: the stack's networks, by name, external (shared data tier)")
check(not any(s.get("depends_on") for s in g.values()), "color file: no depends_on (deploy.sh migrates first)")
check("app-green" in g["app"]["networks"]["frontend"]["aliases"] and "app-blue" in svc["app"]["networks"]["frontend"]["aliases"],
      "the app's alias follows ERPMAX_COLOR (app-blue / app-green)")
for name in ("app", "worker"):
    for key in ("image", "environment", "healthcheck", "stop_grace_period", "mem_limit", "restart", "logging"):
        check(g[name].get(key) == same_image[name].get(key), f"color file: {name}.{key} as in {sys.argv[4]}")
vols = prod.get("volumes", {})
check("postgres-data" in vols and not any(isinstance(v, dict) and v.get("name") for v in vols.values()),
      "the database volume is project-scoped: only the data tier's project ever mounts it")

# Development file: services for running the WAR on the host
check({"postgres", "rabbitmq"} <= set(dev["services"]), "docker-compose.yml: postgres and rabbitmq for development")
def host_ip(p):  # short syntax (Compose 1) or long syntax (Compose 2)
    return p.get("host_ip") if isinstance(p, dict) else str(p).split(":")[0]
check(all(host_ip(p) == "127.0.0.1" for s in dev["services"].values() for p in s.get("ports", [])),
      "docker-compose.yml: ports bound to loopback only")
PY
tally "$tmp/model.out"
[ -s "$tmp/model.out" ] || bad "the model check printed nothing"

# --- nginx: the templates render into a configuration that nginx accepts -----------------------
if command -v nginx >/dev/null 2>&1; then
    mkdir -p "$tmp/nginx/conf.d" "$tmp/nginx/logs"
    for t in docker/nginx/templates/*.template; do
        # shellcheck disable=SC2016,SC2094 # envsubst's variable list; distinct files
        ERPMAX_PROXY_LISTEN=127.0.0.1:18099 ERPMAX_UPSTREAM=127.0.0.1:18098 \
            envsubst '${ERPMAX_PROXY_LISTEN} ${ERPMAX_UPSTREAM}' <"$t" >"$tmp/nginx/conf.d/$(basename "$t" .template)"
    done
    cat >"$tmp/nginx/nginx.conf" <<EOF
pid $tmp/nginx/nginx.pid;
error_log $tmp/nginx/logs/error.log;
events {}
http {
    access_log off;
    client_body_temp_path $tmp/nginx/body; proxy_temp_path $tmp/nginx/proxy;
    fastcgi_temp_path $tmp/nginx/fastcgi; uwsgi_temp_path $tmp/nginx/uwsgi; scgi_temp_path $tmp/nginx/scgi;
    include $tmp/nginx/conf.d/*.conf;
}
EOF
    if nginx -t -q -p "$tmp/nginx" -c "$tmp/nginx/nginx.conf" 2>"$tmp/nginx.err"; then ok "nginx -t accepts the rendered templates"; else bad "nginx -t: $(cat "$tmp/nginx.err")"; fi
else
    echo "skip nginx -t (nginx not installed; docker/test-blue-green.sh installs it)"
fi

# --- deploy.sh: the blue-green steps, in order (--dry-run prints the commands) ----------------------------
deploy=docker/blue-green/deploy.sh
if bash -n "$deploy"; then ok "$deploy: bash -n"; else bad "$deploy: bash -n"; fi
if ERPMAX_ENV_FILE=$filled COMPOSE=docker-compose "$deploy" --dry-run green erpmax-orchestrator:1.5.0 >"$tmp/deploy.out" 2>&1; then
    ok "deploy.sh --dry-run green IMAGE: exit 0"
else
    bad "deploy.sh --dry-run green IMAGE: $(cat "$tmp/deploy.out")"
fi
step() { grep -n -m 1 -e "$1" "$tmp/deploy.out" | cut -d: -f1; }
expand=$(step 'ERPMAX_IMAGE=erpmax-orchestrator:1.5.0 .*-p erpmax -f docker-compose.prod.yml .* run --rm migration migrate --labels expand')
up=$(step "ERPMAX_COLOR=green ERPMAX_IMAGE=erpmax-orchestrator:1.5.0 .*-p erpmax-green -f $color_file .* up -d")
wait_ready=$(step 'wait until app and worker of erpmax-green are healthy')
switch=$(step 'exec -T proxy /etc/nginx/erpmax/switch-upstream.sh app-green:8080')
active=$(step 's/^ERPMAX_ACTIVE_COLOR=.*/ERPMAX_ACTIVE_COLOR=green/')
drain=$(step "-p erpmax-blue -f $color_file .* stop\$")
if [ -n "$expand" ] && [ -n "$up" ] && [ -n "$wait_ready" ] && [ -n "$switch" ] && [ -n "$active" ] && [ -n "$drain" ] &&
    [ "$expand" -lt "$up" ] && [ "$up" -lt "$wait_ready" ] && [ "$wait_ready" -lt "$switch" ] && [ "$switch" -lt "$active" ] && [ "$active" -lt "$drain" ]; then
    ok "deploy.sh: expand migration (new image) → green up → healthy → switch → active color recorded → blue stopped"
else
    bad "deploy.sh: steps missing or out of order (lines $expand $up $wait_ready $switch $active $drain): $(cat "$tmp/deploy.out")"
fi
if grep -q 'migrate$' "$tmp/deploy.out"; then bad "deploy.sh ran the contract changesets during the upgrade"; else ok "deploy.sh: no contract changeset during the upgrade"; fi
ERPMAX_ENV_FILE=$filled COMPOSE=docker-compose "$deploy" --dry-run contract erpmax-orchestrator:1.5.0 >"$tmp/contract.out" 2>&1 || true
if grep -q 'ERPMAX_IMAGE=erpmax-orchestrator:1.5.0 .* run --rm migration migrate$' "$tmp/contract.out"; then
    ok "deploy.sh contract IMAGE: every changeset of IMAGE"
else
    bad "deploy.sh contract IMAGE does not run the migration without labels"
fi
deploy_refuses() { # expected-text args...
    local want=$1 code=0
    shift
    out=$(ERPMAX_ENV_FILE=$filled "$deploy" --dry-run "$@" 2>&1) || code=$?
    if [ "$code" -eq 2 ] && grep -q -- "$want" <<<"$out"; then ok "deploy.sh $*: exit 2, '$want'"; else bad "deploy.sh $*: exit $code: $out"; fi
}
deploy_refuses 'is the active color' blue erpmax-orchestrator:1.5.0
deploy_refuses 'blue or green' red erpmax-orchestrator:1.5.0
deploy_refuses 'COLOR IMAGE' green

# --- Dockerfile: what the image promises, read from the file (the build itself: build-image.sh) ----------
dockerfile=docker/Dockerfile
dockerfile_has() { # pattern description
    if grep -Eq "$1" "$dockerfile"; then ok "Dockerfile: $2"; else bad "Dockerfile: $2 (no line matches $1)"; fi
}
dockerfile_has '^ARG BUILD_IMAGE=[^ ]+:[0-9][^ ]*-jdk' "build image is an argument, pinned to a JDK 17 version"
dockerfile_has '^ARG RUNTIME_IMAGE=[^ ]+:[0-9][^ ]*-jre' "runtime image is an argument, pinned to a JRE 17 version"
dockerfile_has '^FROM \$\{BUILD_IMAGE\} AS build' "multi-stage: a build stage"
dockerfile_has '^FROM \$\{RUNTIME_IMAGE\} AS runtime' "multi-stage: a runtime stage"
dockerfile_has '^USER 10001' "runs as a non-root user"
dockerfile_has '^STOPSIGNAL SIGTERM' "STOPSIGNAL SIGTERM"
dockerfile_has '^HEALTHCHECK .*' "has a HEALTHCHECK"
dockerfile_has 'CMD \["/opt/erpmax/bin/healthcheck.sh", "ready"\]' "the HEALTHCHECK is readiness, without curl"
dockerfile_has 'org.opencontainers.image.version="\$\{VERSION\}"' "version label"
dockerfile_has 'org.opencontainers.image.revision="\$\{REVISION\}"' "revision label"
dockerfile_has 'appcds.jsa' "an AppCDS archive made at build time"
dockerfile_has 'erpmax.war.*erpmax-migrate.jar.*erpmax-launcher.jar.*payara-micro.jar' "the WAR, the migrator, the launcher and Payara Micro"
if grep -Eq '^(FROM|ARG [A-Z_]*IMAGE=)[^#]*:latest' "$dockerfile"; then bad "Dockerfile: a base image on :latest"; else ok "Dockerfile: no base image on :latest"; fi

# --- Kubernetes: the shape of the compose stack ----------------------------------------------------------
if "$python" - docker/k8s/*.yaml >"$tmp/k8s.out" 2>&1 <<'PY'; then
import sys, yaml
docs = [d for f in sys.argv[1:] for d in yaml.safe_load_all(open(f)) if d]
kinds = [d["kind"] for d in docs]
def ok(cond, what): print(("ok   " if cond else "FAIL ") + what)
ok(kinds.count("Job") >= 1 and kinds.count("Deployment") == 2 and "Service" in kinds and "PodDisruptionBudget" in kinds,
   f"k8s: a migration Job, two Deployments, a Service, a PodDisruptionBudget ({kinds})")
for d in (d for d in docs if d["kind"] == "Deployment"):
    c = d["spec"]["template"]["spec"]["containers"][0]
    paths = {p: c.get(p, {}).get("httpGet", {}).get("path") for p in ("startupProbe", "livenessProbe", "readinessProbe")}
    ok(paths == {"startupProbe": "/health/started", "livenessProbe": "/health/live", "readinessProbe": "/health/ready"},
       f"k8s {d['metadata']['name']}: startup, liveness and readiness probes on /health/started, /health/live, /health/ready")
PY
    tally "$tmp/k8s.out"
else
    bad "k8s manifests: $(cat "$tmp/k8s.out")"
fi

# --- Other YAML that has no validator here --------------------------------------------------------
for f in docker/k8s/*.yaml .github/workflows/*.yml; do
    [ -f "$f" ] || continue
    if "$python" -c 'import sys, yaml; docs = [d for d in yaml.safe_load_all(open(sys.argv[1])) if d]; assert docs' "$f" 2>"$tmp/yaml.err"; then
        ok "$f parses"
    else
        bad "$f: $(cat "$tmp/yaml.err")"
    fi
done

echo
echo "test-compose: $passed passed, $failed failed"
[ "$failed" -eq 0 ]
