package com.erpmax.orchestrator.platform.control;

import com.erpmax.orchestrator.platform.entity.Role;
import com.erpmax.orchestrator.schema.entity.FailurePolicy;
import com.erpmax.orchestrator.schema.entity.MigrationMode;

import java.net.URI;
import java.net.URISyntaxException;
import java.time.Duration;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.Set;
import java.util.function.Function;
import java.util.function.Predicate;

/**
 * Every configuration key of the product and its default, in one place. Nothing else spells
 * a key. Each key also has an environment form ({@code erpmax.db.url} = {@code ERPMAX_DB_URL}),
 * which MicroProfile Config (in the WAR) and {@link #fromEnvironment()} (in the migrator)
 * both honour. Values are checked when read, with a message that names the key.
 */
public final class Settings {

    public static final String DB_URL = "erpmax.db.url";
    public static final String DB_USER = "erpmax.db.user";
    public static final String DB_PASSWORD = "erpmax.db.password";
    public static final String DB_WAIT_TIMEOUT = "erpmax.db.wait-timeout";
    public static final String ROLE = "erpmax.role";
    public static final String AMQP_URI = "erpmax.amqp.uri";
    public static final String AMQP_QUEUE = "erpmax.amqp.queue";
    public static final String MIGRATION_MODE = "erpmax.migration.mode";
    public static final String MIGRATION_LOCK_KEY = "erpmax.migration.lock-key";
    public static final String MIGRATION_LOCK_TIMEOUT = "erpmax.migration.lock-timeout";
    public static final String MIGRATION_DDL_LOCK_TIMEOUT = "erpmax.migration.ddl-lock-timeout";
    public static final String MIGRATION_DDL_RETRIES = "erpmax.migration.ddl-retries";
    public static final String MIGRATION_VALIDATE_POLL = "erpmax.migration.validate-poll";
    public static final String MIGRATION_APP_ROLE = "erpmax.migration.app-role";
    public static final String STARTUP_ON_FAILURE = "erpmax.startup.on-failure";
    public static final String WORKER_CONCURRENCY = "erpmax.worker.concurrency";
    public static final String WORKER_POLL_INTERVAL = "erpmax.worker.poll-interval";
    public static final String WORKER_PREFETCH = "erpmax.worker.prefetch";
    public static final String WORKER_LEASE = "erpmax.worker.lease";
    public static final String RETRY_BASE_DELAY = "erpmax.retry.base-delay";
    public static final String RETRY_MAX_DELAY = "erpmax.retry.max-delay";
    public static final String SWEEP_INTERVAL = "erpmax.sweeper.interval";
    public static final String SWEEP_REDISPATCH_AFTER = "erpmax.sweeper.redispatch-after";
    public static final String SHUTDOWN_DELAY = "erpmax.shutdown.delay";
    public static final String SHUTDOWN_GRACE = "erpmax.shutdown.grace";
    /** Prefix of the named ERP endpoints of {@code http.call}: {@code erpmax.endpoints.<name>.url} and so on. */
    public static final String ENDPOINTS = "erpmax.endpoints.";

    public static final String DEFAULT_DB_USER = "postgres";
    public static final Duration DEFAULT_DB_WAIT_TIMEOUT = Duration.ofSeconds(60);
    public static final Role DEFAULT_ROLE = Role.ALL;
    public static final String DEFAULT_AMQP_QUEUE = "erpmax.jobs";
    /** "ERPMAX" in ASCII as a number: 0x4552504D4158. Shown by {@code pg_locks} as classid 17746, objid 1347240280. */
    public static final long DEFAULT_MIGRATION_LOCK_KEY = 76_219_836_875_096L;
    public static final MigrationMode DEFAULT_MIGRATION_MODE = MigrationMode.UPDATE;
    public static final Duration DEFAULT_MIGRATION_LOCK_TIMEOUT = Duration.ofMinutes(10);
    public static final Duration DEFAULT_DDL_LOCK_TIMEOUT = Duration.ofSeconds(5);
    public static final int DEFAULT_DDL_RETRIES = 10;
    public static final Duration DEFAULT_VALIDATE_POLL = Duration.ofSeconds(2);
    public static final String DEFAULT_APP_ROLE = "erpmax_app";
    public static final FailurePolicy DEFAULT_ON_FAILURE = FailurePolicy.EXIT;
    public static final int DEFAULT_WORKER_CONCURRENCY = 16;
    public static final Duration DEFAULT_WORKER_POLL_INTERVAL = Duration.ofMillis(500);
    public static final int DEFAULT_WORKER_PREFETCH = 1;
    public static final Duration DEFAULT_WORKER_LEASE = Duration.ofSeconds(30);
    public static final Duration DEFAULT_RETRY_BASE_DELAY = Duration.ofSeconds(1);
    public static final Duration DEFAULT_RETRY_MAX_DELAY = Duration.ofMinutes(5);
    public static final Duration DEFAULT_SWEEP_INTERVAL = Duration.ofSeconds(5);
    public static final Duration DEFAULT_SWEEP_REDISPATCH_AFTER = Duration.ofMinutes(5);
    public static final Duration DEFAULT_SHUTDOWN_DELAY = Duration.ofSeconds(5);
    public static final Duration DEFAULT_SHUTDOWN_GRACE = Duration.ofSeconds(25);
    public static final Duration DEFAULT_ENDPOINT_TIMEOUT = Duration.ofSeconds(10);

    private final Function<String, Optional<String>> source;

    private Settings(Function<String, Optional<String>> source) {
        this.source = source;
    }

    /** Settings read through a lookup such as MicroProfile Config; blank values count as unset. */
    public static Settings from(Function<String, Optional<String>> source) {
        return new Settings(key -> source.apply(key).map(String::trim).filter(value -> !value.isEmpty()));
    }

    /** Settings for a plain JVM (the migrator): system properties first, then the environment form. */
    public static Settings fromEnvironment() {
        return from(Settings::environmentValue);
    }

    /** A key's value as a system property, else in its environment form. */
    public static Optional<String> environmentValue(String key) {
        return Optional.ofNullable(System.getProperty(key)).or(() -> Optional.ofNullable(System.getenv(environmentName(key))));
    }

    /** The same settings with one value replaced. */
    public Settings with(String key, String value) {
        return new Settings(name -> name.equals(key) ? Optional.of(value) : source.apply(name));
    }

    /**
     * Reads every setting that has a fixed key, so that a value that cannot be used stops the
     * start-up before it waits, connects or serves anything, and the message names every such
     * value at once rather than one per restart. Endpoint settings, whose keys depend on the
     * jobs submitted, are read when a job uses them.
     */
    public void requireValid() {
        List<Runnable> reads = List.of(this::databaseUrlRequired, this::databaseWaitTimeout, this::role, this::amqpUri,
                this::migrationMode, this::migrationLockKey, this::migrationLockTimeout, this::ddlLockTimeout,
                this::ddlRetries, this::validatePoll, this::appRole, this::onFailure, this::workerConcurrency,
                this::workerPollInterval, this::workerPrefetch, this::workerLease, this::retryBaseDelay,
                this::retryMaxDelay, this::sweepInterval, this::redispatchAfter, this::shutdownDelay, this::shutdownGrace);
        List<String> problems = new ArrayList<>();
        for (Runnable read : reads) {
            try {
                read.run();
            } catch (InvalidSettingException e) {
                problems.add(e.getMessage());
            }
        }
        if (!problems.isEmpty()) {
            throw new InvalidSettingException(problems);
        }
    }

    /** {@code erpmax.db.url} → {@code ERPMAX_DB_URL}: the MicroProfile Config mapping rule. */
    public static String environmentName(String key) {
        return key.replaceAll("[^A-Za-z0-9]", "_").toUpperCase(Locale.ROOT);
    }

    public Optional<String> databaseUrl() {
        return source.apply(DB_URL);
    }

    /**
     * A URL the PostgreSQL driver reads. Else DriverManager answers "No suitable driver found
     * for" the URL, password and all, and start-up would wait for a database it never reaches.
     * The driver checks the redacted form: rejecting a URL, it logs it.
     */
    public String databaseUrlRequired() {
        String url = databaseUrl().orElseThrow(() -> new InvalidSettingException(DB_URL, "is not set (environment " + environmentName(DB_URL) + ")"));
        String redacted = DirectConnections.redact(url);
        if (url.matches("(?i)jdbc:postgresql://[^/?]*@.*")) {
            // The driver would take "user:password@host" for a host name, and show it in errors.
            throw new InvalidSettingException(DB_URL, "has a user or password before the host, which a JDBC URL cannot carry:"
                    + " set " + DB_USER + " and " + DB_PASSWORD + " instead (" + redacted + ")");
        }
        if (org.postgresql.Driver.parseURL(redacted, null) == null) {
            throw new InvalidSettingException(DB_URL, "is not a PostgreSQL JDBC URL such as jdbc:postgresql://host:5432/database: " + redacted);
        }
        return url;
    }

    public String databaseUser() {
        return source.apply(DB_USER).orElse(DEFAULT_DB_USER);
    }

    /** Never logged: callers hand it straight to the driver. */
    public Optional<String> databasePassword() {
        return source.apply(DB_PASSWORD);
    }

    public Duration databaseWaitTimeout() {
        return duration(DB_WAIT_TIMEOUT, DEFAULT_DB_WAIT_TIMEOUT);
    }

    public Role role() {
        return choice(ROLE, Role.class, DEFAULT_ROLE);
    }

    /**
     * An {@code amqp://} or {@code amqps://} URI as the RabbitMQ client reads it: a host, at most
     * one {@code :} in the user info and one path segment (the virtual host). A host name with
     * {@code _}, or a password with an unencoded {@code @}, leaves {@link URI} without a host, and
     * the client would then connect to localhost as guest.
     */
    public Optional<URI> amqpUri() {
        return uri(AMQP_URI, Set.of("amqp", "amqps"), "amqp://user:password@host:5672/vhost", uri ->
                (uri.getRawUserInfo() == null || uri.getRawUserInfo().indexOf(':') == uri.getRawUserInfo().lastIndexOf(':'))
                        && (uri.getRawPath() == null || uri.getRawPath().lastIndexOf('/') <= 0));
    }

    /** The queue that carries job ids; several deployments can share one broker with different queues. */
    public String amqpQueue() {
        return source.apply(AMQP_QUEUE).orElse(DEFAULT_AMQP_QUEUE);
    }

    public MigrationMode migrationMode() {
        return choice(MIGRATION_MODE, MigrationMode.class, DEFAULT_MIGRATION_MODE);
    }

    public long migrationLockKey() {
        return source.apply(MIGRATION_LOCK_KEY).map(value -> {
            try {
                return Long.parseLong(value);
            } catch (NumberFormatException e) {
                throw new InvalidSettingException(MIGRATION_LOCK_KEY, "must be a 64-bit integer, got '" + value + "'");
            }
        }).orElse(DEFAULT_MIGRATION_LOCK_KEY);
    }

    public Duration migrationLockTimeout() {
        return duration(MIGRATION_LOCK_TIMEOUT, DEFAULT_MIGRATION_LOCK_TIMEOUT);
    }

    public Duration ddlLockTimeout() {
        return positiveDuration(MIGRATION_DDL_LOCK_TIMEOUT, DEFAULT_DDL_LOCK_TIMEOUT);
    }

    public int ddlRetries() {
        return positiveInt(MIGRATION_DDL_RETRIES, DEFAULT_DDL_RETRIES);
    }

    public Duration validatePoll() {
        return positiveDuration(MIGRATION_VALIDATE_POLL, DEFAULT_VALIDATE_POLL);
    }

    /** The DML-only database role that the migrations grant rights to, when it exists. */
    public String appRole() {
        String role = source.apply(MIGRATION_APP_ROLE).orElse(DEFAULT_APP_ROLE);
        if (!role.matches("[a-z_][a-z0-9_$]{0,62}")) {
            throw new InvalidSettingException(MIGRATION_APP_ROLE, "must be a plain lower-case role name, got '" + role + "'");
        }
        return role;
    }

    public FailurePolicy onFailure() {
        return choice(STARTUP_ON_FAILURE, FailurePolicy.class, DEFAULT_ON_FAILURE);
    }

    public int workerConcurrency() {
        return positiveInt(WORKER_CONCURRENCY, DEFAULT_WORKER_CONCURRENCY);
    }

    public Duration workerPollInterval() {
        return positiveDuration(WORKER_POLL_INTERVAL, DEFAULT_WORKER_POLL_INTERVAL);
    }

    /** Unacknowledged messages the consumer may hold; at least twice the concurrency, so the next batch waits in hand. */
    public int workerPrefetch() {
        return positiveInt(WORKER_PREFETCH, DEFAULT_WORKER_PREFETCH);
    }

    /** How long a claimed job stays a worker's without a heartbeat; the heartbeat renews it every third of this. */
    public Duration workerLease() {
        return positiveDuration(WORKER_LEASE, DEFAULT_WORKER_LEASE);
    }

    public Duration retryBaseDelay() {
        return positiveDuration(RETRY_BASE_DELAY, DEFAULT_RETRY_BASE_DELAY);
    }

    public Duration retryMaxDelay() {
        return positiveDuration(RETRY_MAX_DELAY, DEFAULT_RETRY_MAX_DELAY);
    }

    public Duration sweepInterval() {
        return positiveDuration(SWEEP_INTERVAL, DEFAULT_SWEEP_INTERVAL);
    }

    /** A queued job whose message has not led to a claim for this long is published again. */
    public Duration redispatchAfter() {
        return positiveDuration(SWEEP_REDISPATCH_AFTER, DEFAULT_SWEEP_REDISPATCH_AFTER);
    }

    /** After SIGTERM or SIGINT: readiness is DOWN at once, HTTP is served this much longer, so load balancers stop routing here first. */
    public Duration shutdownDelay() {
        return duration(SHUTDOWN_DELAY, DEFAULT_SHUTDOWN_DELAY);
    }

    /** After SIGTERM or SIGINT: how long in-flight jobs may take to finish before they are requeued. */
    public Duration shutdownGrace() {
        return duration(SHUTDOWN_GRACE, DEFAULT_SHUTDOWN_GRACE);
    }

    /** {@code erpmax.endpoints.<name>.url}: where {@code http.call} posts for that endpoint name. */
    public Optional<URI> endpointUrl(String name) {
        return uri(ENDPOINTS + name + ".url", Set.of("http", "https"), "https://erp.example.com/hooks/orders", uri -> true);
    }

    /** {@code erpmax.endpoints.<name>.auth-header}: the Authorization header value; a secret, never logged. */
    public Optional<String> endpointAuthHeader(String name) {
        return source.apply(ENDPOINTS + name + ".auth-header");
    }

    public Duration endpointTimeout(String name) {
        return positiveDuration(ENDPOINTS + name + ".timeout", DEFAULT_ENDPOINT_TIMEOUT);
    }

    /**
     * A URI with one of the schemes and a host, that {@code accepted} also takes. Its text is in
     * no message: broker URIs hold passwords, ERP webhooks often a token, and a job's error is
     * shown to API clients.
     */
    private Optional<URI> uri(String key, Set<String> schemes, String example, Predicate<URI> accepted) {
        return source.apply(key).map(value -> {
            try {
                URI uri = new URI(value);
                if (uri.getScheme() != null && schemes.contains(uri.getScheme().toLowerCase(Locale.ROOT)) && uri.getHost() != null
                        && accepted.test(uri)) {
                    return uri;
                }
            } catch (URISyntaxException e) {
                // reported below, without the value
            }
            throw new InvalidSettingException(key, "must be a URI such as " + example + ", with the characters"
                    + " that are not letters, digits or -._~ in its user name and password percent-encoded"
                    + " (the value is not shown: it may hold a secret)");
        });
    }

    private int positiveInt(String key, int fallback) {
        return source.apply(key).map(value -> {
            try {
                int parsed = Integer.parseInt(value);
                if (parsed > 0) {
                    return parsed;
                }
            } catch (NumberFormatException ignored) {
                // reported below with the key's name
            }
            throw new InvalidSettingException(key, "must be a positive integer, got '" + value + "'");
        }).orElse(fallback);
    }

    private <E extends Enum<E>> E choice(String key, Class<E> type, E fallback) {
        return source.apply(key).map(value -> {
            for (E constant : type.getEnumConstants()) {
                if (constant.name().equalsIgnoreCase(value)) {
                    return constant;
                }
            }
            throw new InvalidSettingException(key, "must be one of " + names(type) + ", got '" + value + "'");
        }).orElse(fallback);
    }

    /** Zero allowed: no wait, no delay. */
    private Duration duration(String key, Duration fallback) {
        return source.apply(key).map(value -> {
            Duration parsed = parseDuration(key, value);
            if (parsed.isNegative()) {
                throw new InvalidSettingException(key, "must not be negative, got '" + value + "'");
            }
            return parsed;
        }).orElse(fallback);
    }

    /** An interval, lease or timeout: zero would spin, expire at once or fail the scheduler. */
    private Duration positiveDuration(String key, Duration fallback) {
        Duration parsed = duration(key, fallback);
        if (parsed.isZero()) {
            throw new InvalidSettingException(key, "must be longer than zero");
        }
        return parsed;
    }

    /** Accepts {@code 500ms}, {@code 30s}, {@code 10m}, {@code 1h}, a plain number of seconds, or ISO-8601 ({@code PT10M}). */
    static Duration parseDuration(String key, String value) {
        String text = value.toLowerCase(Locale.ROOT);
        try {
            if (text.startsWith("pt") || text.startsWith("p")) {
                return Duration.parse(value.toUpperCase(Locale.ROOT));
            }
            if (text.endsWith("ms")) {
                return Duration.ofMillis(Long.parseLong(text.substring(0, text.length() - 2).trim()));
            }
            long amount = Long.parseLong(text.replaceAll("[smh]$", "").trim());
            return switch (text.charAt(text.length() - 1)) {
                case 'm' -> Duration.ofMinutes(amount);
                case 'h' -> Duration.ofHours(amount);
                default -> Duration.ofSeconds(amount);
            };
        } catch (NumberFormatException | DateTimeParseException e) {
            throw new InvalidSettingException(key, "must be a duration such as 500ms, 30s, 10m or PT10M, got '" + value + "'");
        }
    }

    private static String names(Class<? extends Enum<?>> type) {
        StringBuilder names = new StringBuilder();
        for (Enum<?> constant : type.getEnumConstants()) {
            names.append(names.length() == 0 ? "" : "|").append(constant.name().toLowerCase(Locale.ROOT));
        }
        return names.toString();
    }
}
