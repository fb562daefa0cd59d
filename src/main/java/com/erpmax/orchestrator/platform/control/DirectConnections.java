package com.erpmax.orchestrator.platform.control;

import com.erpmax.orchestrator.platform.entity.Role;

import java.net.InetAddress;
import java.net.UnknownHostException;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.util.Properties;

/**
 * Opens unpooled PostgreSQL sessions for the lock and the migrations. A pooled session
 * outlives {@code close()} and would strand a session advisory lock, so these never come
 * from the application's pool. Each session carries {@code application_name}
 * {@code erpmax-<role>@<host>:<pid>} so that other instances can name the holder of the lock.
 */
public final class DirectConnections {

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
        // Our side of SessionKeepalive: a statement in flight when the database host vanished fails.
        properties.setProperty("tcpKeepAlive", "true");
        properties.setProperty("socketFactory", KeepaliveSockets.class.getName());
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
        return SessionKeepalive.requestedOn(connection);
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
