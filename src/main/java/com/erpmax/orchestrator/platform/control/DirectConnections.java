package com.erpmax.orchestrator.platform.control;

import com.erpmax.orchestrator.platform.entity.Role;

import java.net.InetAddress;
import java.net.UnknownHostException;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.Properties;

/**
 * Opens unpooled PostgreSQL sessions for the lock and the migrations. A pooled session
 * outlives {@code close()} and would strand a session advisory lock, so these never come
 * from the application's pool. Each session carries {@code application_name}
 * {@code erpmax-<role>@<host>:<pid>} so that other instances can name the holder of the lock.
 */
public final class DirectConnections {

    private static final int KEEPALIVE_IDLE_S = 10;
    private static final int KEEPALIVE_INTERVAL_S = 5;
    private static final int KEEPALIVE_COUNT = 3;
    /** How long after its peer went silent PostgreSQL ends one of these sessions, at most. */
    public static final int PEER_GONE_AFTER_S = KEEPALIVE_IDLE_S + KEEPALIVE_INTERVAL_S * KEEPALIVE_COUNT;

    private final String url;
    private final String user;
    private final String password;
    private final String applicationName;

    public DirectConnections(Settings settings, String roleName) {
        this.url = settings.databaseUrlRequired();
        this.user = settings.databaseUser();
        this.password = settings.databasePassword().orElse(null);
        this.applicationName = applicationName(roleName);
        loadDriver();
    }

    public DirectConnections(Settings settings, Role role) {
        this(settings, role.name().toLowerCase(java.util.Locale.ROOT));
    }

    public Connection open() throws SQLException {
        Properties properties = new Properties();
        properties.setProperty("user", user);
        if (password != null) {
            properties.setProperty("password", password);
        }
        properties.setProperty("ApplicationName", applicationName);
        properties.setProperty("connectTimeout", "5");
        // Our side of the same: a database host that vanished ends our wait for it.
        properties.setProperty("tcpKeepAlive", "true");
        Connection connection;
        try {
            connection = DriverManager.getConnection(url, properties);
        } catch (SQLException e) {
            if (e.getMessage() != null && e.getMessage().contains(url)) {
                // "No suitable driver found for <url>": its password would reach logs and readiness.
                throw new SQLException(e.getMessage().replace(url, redact(url)), e.getSQLState(), e.getErrorCode());
            }
            throw e;
        }
        try {
            endSessionWhenPeerVanishes(connection);
        } catch (SQLException e) {
            connection.close();
            throw e;
        }
        return connection;
    }

    /**
     * A session whose process is killed ends at once: its host's kernel closes the connection. A
     * session whose host vanishes (power lost, network cut) sends nothing more, and PostgreSQL's
     * TCP defaults (a first keepalive after 2 hours, then 9 every 75 s) would keep it, and the
     * migration lock it holds, for over two hours: every other instance would fail its lock
     * timeout meanwhile. Asked for per session, PostgreSQL probes after {@value #KEEPALIVE_IDLE_S}
     * s of silence and ends the session about {@value #PEER_GONE_AFTER_S} s after its peer went
     * silent; {@code tcp_user_timeout} (PostgreSQL 12+) does the same when the server has data the
     * peer never acknowledges. Settings of the session's own socket: nothing else changes, and a
     * connection over a Unix socket ignores them.
     */
    private static void endSessionWhenPeerVanishes(Connection connection) throws SQLException {
        try (Statement statement = connection.createStatement()) {
            statement.execute("SET tcp_keepalives_idle = " + KEEPALIVE_IDLE_S);
            statement.execute("SET tcp_keepalives_interval = " + KEEPALIVE_INTERVAL_S);
            statement.execute("SET tcp_keepalives_count = " + KEEPALIVE_COUNT);
            if (connection.getMetaData().getDatabaseMajorVersion() >= 12) {
                statement.execute("SET tcp_user_timeout = " + PEER_GONE_AFTER_S * 1000);
            }
        }
    }

    public String applicationName() {
        return applicationName;
    }

    /** The URL without credentials, for logs and health data. */
    public String describeTarget() {
        return redact(url);
    }

    static String redact(String jdbcUrl) {
        return jdbcUrl.replaceAll("(?i)(password=)[^&]*", "$1***").replaceAll("//[^/@]*@", "//***@");
    }

    static String applicationName(String roleName) {
        String host;
        try {
            host = InetAddress.getLocalHost().getHostName();
        } catch (UnknownHostException e) {
            host = "unknown-host";
        }
        String name = "erpmax-" + roleName + "@" + host + ":" + ProcessHandle.current().pid();
        // PostgreSQL truncates application_name to 63 bytes; keep the pid, which identifies the process.
        return name.length() <= 63 ? name : "erpmax-" + roleName + "@" + host.substring(0, Math.max(1, 63 - name.length() + host.length())) + ":" + ProcessHandle.current().pid();
    }

    private static void loadDriver() {
        try {
            // Inside a WAR, DriverManager does not see WEB-INF/lib drivers until they are loaded.
            Class.forName("org.postgresql.Driver", true, DirectConnections.class.getClassLoader());
        } catch (ClassNotFoundException e) {
            throw new IllegalStateException("PostgreSQL JDBC driver missing from the class path", e);
        }
    }

}
