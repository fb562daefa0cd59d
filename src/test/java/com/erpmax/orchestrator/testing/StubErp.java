package com.erpmax.orchestrator.testing;

import com.sun.net.httpserver.HttpServer;

import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A stand-in ERP endpoint on loopback. A path's answers are scripted: {@code script("/flaky",
 * 500, 503, 200)} answers 500, then 503, then 200 from then on. Records every request.
 */
public final class StubErp implements AutoCloseable {

    private final HttpServer server;
    private final Map<String, List<Integer>> scripts = new ConcurrentHashMap<>();
    private final Map<String, AtomicInteger> hits = new ConcurrentHashMap<>();
    private final ConcurrentLinkedQueue<String> requests = new ConcurrentLinkedQueue<>();

    public StubErp() throws IOException {
        server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 50);
        server.createContext("/", exchange -> {
            String path = exchange.getRequestURI().getPath();
            String body = new String(exchange.getRequestBody().readAllBytes(), StandardCharsets.UTF_8);
            requests.add(path + " " + exchange.getRequestHeaders().getFirst("Authorization") + " " + body);
            int hit = hits.computeIfAbsent(path, key -> new AtomicInteger()).getAndIncrement();
            List<Integer> script = scripts.getOrDefault(path, List.of(200));
            int status = script.get(Math.min(hit, script.size() - 1));
            byte[] answer = ("{\"stub\":\"" + path + "\",\"hit\":" + (hit + 1) + "}").getBytes(StandardCharsets.UTF_8);
            exchange.getResponseHeaders().add("Content-Type", "application/json");
            exchange.sendResponseHeaders(status, answer.length);
            exchange.getResponseBody().write(answer);
            exchange.close();
        });
        server.start();
    }

    public String url(String path) {
        return "http://127.0.0.1:" + server.getAddress().getPort() + path;
    }

    public void script(String path, Integer... statuses) {
        scripts.put(path, List.of(statuses));
    }

    public int hits(String path) {
        AtomicInteger count = hits.get(path);
        return count == null ? 0 : count.get();
    }

    public int totalHits() {
        return requests.size();
    }

    public List<String> requests() {
        return List.copyOf(requests);
    }

    @Override
    public void close() {
        server.stop(0);
    }
}
