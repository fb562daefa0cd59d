package com.erpmax.orchestrator.testing;

import com.erpmax.orchestrator.platform.control.Settings;

import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.Map;
import java.util.Optional;
import java.util.Properties;
import java.util.UUID;

/**
 * A fresh database of its own on the real PostgreSQL server, per test. Server and user come
 * from {@code ERPMAX_TEST_PG_HOST}/{@code _PORT}/{@code _USER} (default 127.0.0.1:5432, postgres).
 */
public final class TestDatabase implements AutoCloseable {

    private static final String HOST = env("ERPMAX_TEST_PG_HOST", "127.0.0.1");
    private static final String PORT = env("ERPMAX_TEST_PG_PORT", "5432");
    public static final String USER = env("ERPMAX_TEST_PG_USER", "postgres");

    private final String name;

    private TestDatabase(String name) {
        this.name = name;
    }

    public static TestDatabase create(String purpose) throws SQLException {
        String name = "erpmax_it_" + purpose + "_" + UUID.randomUUID().toString().substring(0, 8);
        try (Connection admin = connect("postgres", "erpmax-test"); Statement statement = admin.createStatement()) {
            statement.execute("CREATE DATABASE " + name);
        }
        return new TestDatabase(name);
    }

    public String url() {
        return "jdbc:postgresql://" + HOST + ":" + PORT + "/" + name;
    }

    /** The application's settings for this database, as ERPMAX_DB_URL and ERPMAX_DB_USER give them. */
    public Settings settings() {
        return settings(url(), USER);
    }

    /** The application's settings for a database elsewhere: only its URL and user. */
    public static Settings settings(String url, String user) {
        return Settings.from(key -> Optional.ofNullable(Map.of(Settings.DB_URL, url, Settings.DB_USER, user).get(key)));
    }

    public String name() {
        return name;
    }

    /** A session whose application_name says who it is, as pg_stat_activity shows it. */
    public Connection connect(String applicationName) throws SQLException {
        return connect(name, applicationName);
    }

    public long queryLong(String sql) throws SQLException {
        try (Connection connection = connect("erpmax-test"); Statement statement = connection.createStatement();
             ResultSet row = statement.executeQuery(sql)) {
            row.next();
            return row.getLong(1);
        }
    }

    public void execute(String sql) throws SQLException {
        try (Connection connection = connect("erpmax-test"); Statement statement = connection.createStatement()) {
            statement.execute(sql);
        }
    }

    @Override
    public void close() throws SQLException {
        try (Connection admin = connect("postgres", "erpmax-test"); Statement statement = admin.createStatement()) {
            statement.execute("DROP DATABASE IF EXISTS " + name + " WITH (FORCE)");
        }
    }

    private static Connection connect(String database, String applicationName) throws SQLException {
        Properties properties = new Properties();
        properties.setProperty("user", USER);
        properties.setProperty("ApplicationName", applicationName);
        return DriverManager.getConnection("jdbc:postgresql://" + HOST + ":" + PORT + "/" + database, properties);
    }

    private static String env(String name, String fallback) {
        String value = System.getenv(name);
        return value == null || value.isBlank() ? fallback : value;
    }
}
