package com.erpmax.orchestrator.platform.control;

import com.erpmax.orchestrator.platform.entity.Role;
import com.erpmax.orchestrator.schema.entity.FailurePolicy;
import com.erpmax.orchestrator.schema.entity.MigrationMode;

import org.junit.jupiter.api.Test;

import java.lang.reflect.Field;
import java.lang.reflect.Modifier;
import java.net.URI;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.logging.Handler;
import java.util.logging.LogRecord;
import java.util.logging.Logger;
import java.util.logging.SimpleFormatter;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class SettingsTest {

    private static Settings settings(Map<String, String> values) {
        return Settings.from(key -> Optional.ofNullable(values.get(key)));
    }

    @Test
    void defaultsApplyWhenNothingIsSet() {
        Settings settings = settings(Map.of());
        assertEquals(Role.ALL, settings.role());
        assertEquals(MigrationMode.UPDATE, settings.migrationMode());
        assertEquals(FailurePolicy.EXIT, settings.onFailure());
        assertEquals(Duration.ofMinutes(10), settings.migrationLockTimeout());
        assertEquals(Duration.ofSeconds(60), settings.databaseWaitTimeout());
        assertEquals(76_219_836_875_096L, settings.migrationLockKey());
        assertTrue(settings.amqpUri().isEmpty());
    }

    @Test
    void blankValuesCountAsUnset() {
        Settings settings = settings(Map.of(Settings.AMQP_URI, "  ", Settings.ROLE, ""));
        assertTrue(settings.amqpUri().isEmpty());
        assertEquals(Role.ALL, settings.role());
    }

    @Test
    void durationsReadInEveryDocumentedForm() {
        assertEquals(Duration.ofMillis(500), Settings.parseDuration("k", "500ms"));
        assertEquals(Duration.ofSeconds(30), Settings.parseDuration("k", "30s"));
        assertEquals(Duration.ofSeconds(45), Settings.parseDuration("k", "45"));
        assertEquals(Duration.ofMinutes(10), Settings.parseDuration("k", "10m"));
        assertEquals(Duration.ofHours(2), Settings.parseDuration("k", "2h"));
        assertEquals(Duration.ofMinutes(10), Settings.parseDuration("k", "PT10M"));
    }

    @Test
    void invalidValuesAreRefusedWithTheKeyAndTheChoicesNamed() {
        Settings settings = settings(Map.of(Settings.MIGRATION_MODE, "upgrade", Settings.MIGRATION_LOCK_TIMEOUT, "soon",
                Settings.MIGRATION_LOCK_KEY, "0x1", Settings.WORKER_CONCURRENCY, "0"));
        assertEquals("erpmax.migration.mode must be one of update|validate|none, got 'upgrade'",
                assertThrows(InvalidSettingException.class, settings::migrationMode).getMessage());
        assertTrue(assertThrows(InvalidSettingException.class, settings::migrationLockTimeout).getMessage()
                .startsWith("erpmax.migration.lock-timeout must be a duration"));
        assertTrue(assertThrows(InvalidSettingException.class, settings::migrationLockKey).getMessage()
                .startsWith("erpmax.migration.lock-key must be a 64-bit integer"));
        assertTrue(assertThrows(InvalidSettingException.class, settings::workerConcurrency).getMessage()
                .startsWith("erpmax.worker.concurrency must be a positive integer"));
    }

    @Test
    void aMissingDatabaseUrlNamesTheEnvironmentVariable() {
        assertEquals("erpmax.db.url is not set (environment ERPMAX_DB_URL)",
                assertThrows(InvalidSettingException.class, settings(Map.of())::databaseUrlRequired).getMessage());
    }

    @Test
    void environmentNamesFollowTheMicroProfileRule() {
        assertEquals("ERPMAX_MIGRATION_LOCK_TIMEOUT", Settings.environmentName(Settings.MIGRATION_LOCK_TIMEOUT));
        assertEquals("ERPMAX_DB_URL", Settings.environmentName(Settings.DB_URL));
    }

    @Test
    void credentialsInUrlsAreRedactedForLogs() {
        assertEquals("jdbc:postgresql://db:5432/erp?user=app&password=***",
                DirectConnections.redact("jdbc:postgresql://db:5432/erp?user=app&password=s3cret"));
    }

    @Test
    void everyUnusableValueIsNamedAtOnce() {
        Settings settings = settings(Map.of(Settings.DB_URL, "jdbc:postgresql://db/erp", Settings.ROLE, "bogus",
                Settings.WORKER_CONCURRENCY, "abc", Settings.SHUTDOWN_GRACE, "forever"));
        String message = assertThrows(InvalidSettingException.class, settings::requireValid).getMessage();
        assertTrue(message.contains("erpmax.role must be one of api|worker|all, got 'bogus'"), message);
        assertTrue(message.contains("erpmax.worker.concurrency must be a positive integer, got 'abc'"), message);
        assertTrue(message.contains("erpmax.shutdown.grace must be a duration"), message);
        settings(Map.of(Settings.DB_URL, "jdbc:postgresql://db/erp")).requireValid();
    }

    @Test
    void anAmqpUriIsCheckedAsTheClientReadsItAndNeverQuoted() {
        assertEquals("broker", amqp("amqp://erpmax:s3cret@broker:5672/%2F").getHost());
        assertEquals("broker", amqp("amqps://erpmax:p%40ss%3Aword@broker/erp").getHost());
        assertEquals("[::1]", amqp("amqp://[::1]:5672").getHost());
        for (String bad : new String[] {"amqp://erpmax:s3cret word@broker", "http://erpmax:s3cret@broker", "erpmax:s3cret@broker",
                "amqp://erpmax:s3c@ret@broker", "amqp://erpmax:s3cret@my_rabbit", "amqp://erpmax:s3:cret@broker", "amqp://s3cret@broker/a/b"}) {
            String message = assertThrows(InvalidSettingException.class, settings(Map.of(Settings.AMQP_URI, bad))::amqpUri, bad).getMessage();
            assertTrue(message.startsWith("erpmax.amqp.uri must be a URI such as amqp://"), message);
            assertFalse(message.contains("s3"), message);
        }
    }

    private static URI amqp(String uri) {
        return settings(Map.of(Settings.AMQP_URI, uri)).amqpUri().orElseThrow();
    }

    @Test
    void aDatabaseUrlTheDriverCannotReadIsRefusedAndNeitherTheMessageNorTheDriverLogShowsItsPassword() {
        List<String> driverLog = new ArrayList<>();
        Handler capture = new Handler() {
            @Override
            public void publish(LogRecord record) {
                driverLog.add(new SimpleFormatter().formatMessage(record));
            }

            @Override
            public void flush() {
            }

            @Override
            public void close() {
            }
        };
        Logger driver = Logger.getLogger("org.postgresql");
        driver.addHandler(capture);
        try {
            for (String bad : new String[] {"postgres://erpmax:s3cret@db/erp", "jdbc:postgresql://db:5432?password=s3cret",
                    "jdbc:postgresql://db:port/erp?password=s3cret"}) {
                String message = assertThrows(InvalidSettingException.class, settings(Map.of(Settings.DB_URL, bad))::databaseUrlRequired, bad).getMessage();
                assertTrue(message.startsWith("erpmax.db.url is not a PostgreSQL JDBC URL"), message);
                assertFalse(message.contains("s3cret"), message);
            }
            String withUser = assertThrows(InvalidSettingException.class,
                    settings(Map.of(Settings.DB_URL, "jdbc:postgresql://erpmax:s3cret@db:5432/erp"))::databaseUrlRequired).getMessage();
            assertTrue(withUser.startsWith("erpmax.db.url has a user or password before the host"), withUser);
            assertFalse(withUser.contains("s3cret"), withUser);
        } finally {
            driver.removeHandler(capture);
        }
        assertTrue(driverLog.stream().anyMatch(line -> line.contains("***")), "the driver saw the redacted URLs: " + driverLog);
        assertFalse(driverLog.stream().anyMatch(line -> line.contains("s3cret")), driverLog.toString());
        for (String good : new String[] {"jdbc:postgresql://db:5432/erp?password=s3cret", "jdbc:postgresql:erp",
                "jdbc:postgresql://db1:5432,db2:5432/erp?targetServerType=primary"}) {
            assertEquals(good, settings(Map.of(Settings.DB_URL, good)).databaseUrlRequired());
        }
    }

    @Test
    void durationsAreNeverNegativeAndIntervalsNeverZero() {
        Settings settings = settings(Map.of(Settings.SHUTDOWN_DELAY, "0s", Settings.SHUTDOWN_GRACE, "-5s",
                Settings.WORKER_POLL_INTERVAL, "0ms"));
        assertEquals(Duration.ZERO, settings.shutdownDelay());
        assertEquals("erpmax.shutdown.grace must not be negative, got '-5s'",
                assertThrows(InvalidSettingException.class, settings::shutdownGrace).getMessage());
        assertEquals("erpmax.worker.poll-interval must be longer than zero",
                assertThrows(InvalidSettingException.class, settings::workerPollInterval).getMessage());
    }

    /** A key added to Settings but not to requireValid would fail only when first read, after READY. */
    @Test
    void requireValidReadsEveryKeyThatCanHoldAnUnusableValue() throws Exception {
        // Free text: any value is usable as far as Settings can tell (the URL's form is DirectConnections' to check).
        Set<String> freeText = Set.of(Settings.DB_URL, Settings.DB_USER, Settings.DB_PASSWORD, Settings.AMQP_QUEUE);
        for (Field field : Settings.class.getFields()) {
            if (field.getType() != String.class || !Modifier.isStatic(field.getModifiers()) || field.getName().startsWith("DEFAULT_")) {
                continue;
            }
            String key = (String) field.get(null);
            if (!key.startsWith("erpmax.") || key.endsWith(".") || freeText.contains(key)) {
                continue;
            }
            Map<String, String> values = new HashMap<>(Map.of(Settings.DB_URL, "jdbc:postgresql://db/erp"));
            values.put(key, "!unusable!");
            String message = assertThrows(InvalidSettingException.class, settings(values)::requireValid, key).getMessage();
            assertTrue(message.startsWith(key + " "), message);
        }
    }

    @Test
    void anEndpointUrlIsCheckedAndNeverQuoted() {
        String key = Settings.ENDPOINTS + "erp.url";
        assertEquals("erp.example.com", settings(Map.of(key, "https://erp.example.com/hook?token=s3cret")).endpointUrl("erp").orElseThrow().getHost());
        for (String bad : new String[] {"https://erp.example.com/hook?token=s3cret word", "ftp://erp.example.com/?token=s3cret", "erp.example.com/?token=s3cret"}) {
            String message = assertThrows(InvalidSettingException.class, () -> settings(Map.of(key, bad)).endpointUrl("erp")).getMessage();
            assertTrue(message.startsWith(key + " must be a URI such as https://"), message);
            assertFalse(message.contains("s3cret"), message);
        }
    }
}
