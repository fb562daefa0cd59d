package com.erpmax.orchestrator.platform.control;

import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Socket;

import javax.net.SocketFactory;

import jdk.net.ExtendedSocketOptions;

/**
 * The client side of {@link SessionKeepalive}: the PostgreSQL driver's sockets (its
 * {@code socketFactory}) probe a silent database host after {@value SessionKeepalive#IDLE_S} s
 * and give up on it {@value SessionKeepalive#PEER_GONE_AFTER_S} s after it went silent, where the
 * operating system's defaults wait 2 hours. A statement in flight when its database host vanished
 * (a fail-over without a reset) then fails instead of holding its thread, a request's or the
 * schema gate's, for those hours; a statement that is merely slow (long migration DDL) is not
 * touched, as a socket timeout would cut it. Instantiated by the driver by name.
 */
public final class KeepaliveSockets extends SocketFactory {

    @Override
    public Socket createSocket() throws IOException {
        Socket socket = new Socket();
        socket.setKeepAlive(true);
        // Where the platform lacks them, the operating system's own keepalive times stay.
        if (socket.supportedOptions().contains(ExtendedSocketOptions.TCP_KEEPIDLE)) {
            socket.setOption(ExtendedSocketOptions.TCP_KEEPIDLE, SessionKeepalive.IDLE_S);
            socket.setOption(ExtendedSocketOptions.TCP_KEEPINTERVAL, SessionKeepalive.INTERVAL_S);
            socket.setOption(ExtendedSocketOptions.TCP_KEEPCOUNT, SessionKeepalive.COUNT);
        }
        return socket;
    }

    @Override
    public Socket createSocket(String host, int port) throws IOException {
        return connected(new InetSocketAddress(host, port), null);
    }

    @Override
    public Socket createSocket(String host, int port, InetAddress localHost, int localPort) throws IOException {
        return connected(new InetSocketAddress(host, port), new InetSocketAddress(localHost, localPort));
    }

    @Override
    public Socket createSocket(InetAddress host, int port) throws IOException {
        return connected(new InetSocketAddress(host, port), null);
    }

    @Override
    public Socket createSocket(InetAddress address, int port, InetAddress localAddress, int localPort) throws IOException {
        return connected(new InetSocketAddress(address, port), new InetSocketAddress(localAddress, localPort));
    }

    private Socket connected(InetSocketAddress remote, InetSocketAddress local) throws IOException {
        Socket socket = createSocket();
        if (local != null) {
            socket.bind(local);
        }
        socket.connect(remote);
        return socket;
    }
}
