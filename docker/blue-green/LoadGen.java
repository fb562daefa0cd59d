import java.io.IOException;
import java.io.PrintWriter;
import java.net.InetAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.HttpTimeoutException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.Queue;
import java.util.TreeMap;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.Semaphore;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Load for the blue-green proof: a fixed rate of requests to one loopback base URL for a fixed
 * time, a mix of GET /health/ready, POST /api/jobs and GET /api/jobs/{id}; every answer that is
 * not the expected status (or no answer within the timeout) is a failed request. The ids of the
 * accepted jobs (201) go to a file, one a line, for the caller to check that none was lost.
 *
 * <pre>java LoadGen.java BASE_URL RATE_PER_S SECONDS IDS_FILE [STOP_FILE MAX_SECONDS]</pre>
 *
 * Runs SECONDS; with STOP_FILE, goes on after SECONDS until that file exists (the caller's
 * "upgrade done"), but never beyond MAX_SECONDS, so that the whole upgrade happens under load
 * however slow the machine.
 *
 * Bounded: at most RATE x MAX_SECONDS requests, at most 2048 in flight (a request that would exceed
 * that counts as failed instead of queueing), 30 s per request. Only loopback addresses are
 * accepted. Prints per-second progress to stderr and the summary to stdout:
 * {@code requests sent: N} and {@code failed requests: N}, then failures by kind.
 */
public final class LoadGen {

    private static final int MAX_IN_FLIGHT = 2048;
    private static final Duration TIMEOUT = Duration.ofSeconds(30);
    private static final Pattern ID = Pattern.compile("/api/jobs/(\\d+)");
    private static final Pattern BODY_ID = Pattern.compile("\"id\"\\s*:\\s*(\\d+)");

    private final HttpClient client;
    private final URI base;
    private final Semaphore inFlight = new Semaphore(MAX_IN_FLIGHT);
    private final AtomicLong sent = new AtomicLong();
    private final AtomicLong failed = new AtomicLong();
    private final AtomicLong done = new AtomicLong();
    private final AtomicLong retried = new AtomicLong();
    private final Map<String, AtomicLong> failures = new ConcurrentHashMap<>();
    private final Map<String, AtomicLong> byKind = new ConcurrentHashMap<>();
    private final CopyOnWriteArrayList<Long> ids = new CopyOnWriteArrayList<>();
    private final Queue<String> samples = new ConcurrentLinkedQueue<>();

    private LoadGen(URI base) {
        this.base = base;
        this.client = HttpClient.newBuilder()
                .version(HttpClient.Version.HTTP_1_1)
                .connectTimeout(Duration.ofSeconds(5))
                .executor(Executors.newFixedThreadPool(8))
                .build();
    }

    public static void main(String[] args) throws Exception {
        if (args.length != 4 && args.length != 6) {
            System.err.println("usage: java LoadGen.java BASE_URL RATE_PER_S SECONDS IDS_FILE [STOP_FILE MAX_SECONDS]");
            System.exit(2);
        }
        URI base = URI.create(args[0].replaceAll("/+$", ""));
        if (!InetAddress.getByName(base.getHost()).isLoopbackAddress()) {
            System.err.println("LoadGen: only loopback targets, not " + base.getHost());
            System.exit(2);
        }
        int rate = Integer.parseInt(args[1]);
        int seconds = Integer.parseInt(args[2]);
        Path stopFile = args.length == 6 ? Path.of(args[4]) : null;
        int maxSeconds = args.length == 6 ? Integer.parseInt(args[5]) : seconds;
        if (rate < 1 || rate > 1000 || seconds < 1 || maxSeconds < seconds || maxSeconds > 900) {
            System.err.println("LoadGen: rate 1..1000 per second, SECONDS <= MAX_SECONDS <= 900");
            System.exit(2);
        }
        LoadGen load = new LoadGen(base);
        load.run(rate, seconds, stopFile, maxSeconds);
        load.report(Path.of(args[3]));
        System.exit(0);
    }

    private void run(int rate, int seconds, Path stopFile, int maxSeconds) throws InterruptedException {
        long periodNanos = 1_000_000_000L / rate;
        long start = System.nanoTime();
        long minEnd = start + seconds * 1_000_000_000L;
        long maxEnd = start + maxSeconds * 1_000_000_000L;
        ScheduledExecutorService ticker = Executors.newSingleThreadScheduledExecutor();
        ticker.scheduleAtFixedRate(this::fire, 0, periodNanos, TimeUnit.NANOSECONDS);
        long lastSecond = -1;
        while (true) {
            Thread.sleep(100);
            long now = System.nanoTime();
            if (now >= maxEnd || (now >= minEnd && (stopFile == null || Files.exists(stopFile)))) {
                break;
            }
            long second = (now - start) / 1_000_000_000L;
            if (second != lastSecond && second % 5 == 0) {
                lastSecond = second;
                System.err.printf("LoadGen t=%ds sent=%d done=%d failed=%d in-flight=%d jobs=%d%n", second, sent.get(), done.get(),
                        failed.get(), MAX_IN_FLIGHT - inFlight.availablePermits(), ids.size());
            }
        }
        ticker.shutdown();
        ticker.awaitTermination(5, TimeUnit.SECONDS);
        // Every request gets its answer or its timeout before the summary.
        if (!inFlight.tryAcquire(MAX_IN_FLIGHT, TIMEOUT.toSeconds() + 5, TimeUnit.SECONDS)) {
            System.err.println("LoadGen: requests still in flight after the timeout");
        }
        System.err.printf("LoadGen finished in %.1f s%n", (System.nanoTime() - start) / 1e9);
        System.out.printf("load seconds: %d%n", (System.nanoTime() - start) / 1_000_000_000L);
    }

    /** One request of the mix: 40 % POST a job, 40 % GET a known job, 20 % readiness. */
    private void fire() {
        int dice = ThreadLocalRandom.current().nextInt(100);
        String kind;
        HttpRequest request;
        int expected;
        if (dice < 40 || ids.isEmpty()) {
            kind = "POST /api/jobs";
            String body = "{\"type\":\"echo\",\"payload\":{\"n\":" + sent.get() + ",\"from\":\"blue-green\"}}";
            // An idempotency key makes the one retry below safe: a repeat returns the same job.
            request = HttpRequest.newBuilder(base.resolve("/api/jobs")).timeout(TIMEOUT)
                    .header("Content-Type", "application/json").header("Idempotency-Key", UUID.randomUUID().toString())
                    .POST(HttpRequest.BodyPublishers.ofString(body)).build();
            expected = 201;
        } else if (dice < 80) {
            kind = "GET /api/jobs/{id}";
            long id = ids.get(ThreadLocalRandom.current().nextInt(ids.size()));
            request = HttpRequest.newBuilder(base.resolve("/api/jobs/" + id)).timeout(TIMEOUT).GET().build();
            expected = 200;
        } else {
            kind = "GET /health/ready";
            request = HttpRequest.newBuilder(base.resolve("/health/ready")).timeout(TIMEOUT).GET().build();
            expected = 200;
        }
        sent.incrementAndGet();
        byKind.computeIfAbsent(kind, k -> new AtomicLong()).incrementAndGet();
        if (!inFlight.tryAcquire()) {
            fail(kind, "more than " + MAX_IN_FLIGHT + " in flight", null);
            return;
        }
        send(kind, request, expected, true);
    }

    /**
     * Sends once; a connection closed without an answer (an idle keep-alive connection that the
     * proxy closed as the request went out, as nginx's old workers do at a reload) is retried once,
     * as HTTP clients do: GETs are idempotent and POSTs carry an Idempotency-Key. A timeout is
     * never retried.
     */
    private void send(String kind, HttpRequest request, int expected, boolean mayRetry) {
        client.sendAsync(request, HttpResponse.BodyHandlers.ofString()).whenComplete((response, error) -> {
            boolean finished = true;
            try {
                Throwable cause = error == null ? null : error.getCause() != null ? error.getCause() : error;
                if (cause instanceof IOException && !(cause instanceof HttpTimeoutException) && mayRetry) {
                    retried.incrementAndGet();
                    finished = false;
                    send(kind, request, expected, false);
                } else if (cause != null) {
                    fail(kind, cause.getClass().getSimpleName(), String.valueOf(cause.getMessage()));
                } else if (response.statusCode() != expected && !(expected == 201 && !mayRetry && response.statusCode() == 200)) {
                    fail(kind, "HTTP " + response.statusCode(), response.body());
                } else if (expected == 201) {
                    Matcher m = ID.matcher(response.headers().firstValue("Location").orElse(""));
                    Matcher b = BODY_ID.matcher(response.body());
                    if (m.find()) {
                        ids.addIfAbsent(Long.parseLong(m.group(1)));
                    } else if (b.find()) {
                        ids.addIfAbsent(Long.parseLong(b.group(1)));
                    } else {
                        fail(kind, "no job id in the answer", response.body());
                    }
                }
            } finally {
                if (finished) {
                    done.incrementAndGet();
                    inFlight.release();
                }
            }
        });
    }

    private void fail(String kind, String why, String detail) {
        failed.incrementAndGet();
        failures.computeIfAbsent(kind + ": " + why, k -> new AtomicLong()).incrementAndGet();
        if (samples.size() < 10 && detail != null) {
            samples.add(kind + ": " + why + ": " + detail.substring(0, Math.min(300, detail.length())));
        }
    }

    private void report(Path idsFile) throws IOException {
        try (PrintWriter out = new PrintWriter(Files.newBufferedWriter(idsFile))) {
            for (long id : ids) {
                out.println(id);
            }
        }
        System.out.println("requests sent: " + sent.get());
        System.out.println("failed requests: " + failed.get());
        System.out.println("jobs accepted: " + ids.size());
        System.out.println("retried once after the connection closed unanswered: " + retried.get());
        new TreeMap<>(byKind).forEach((k, v) -> System.out.println("  sent " + k + ": " + v));
        new TreeMap<>(failures).forEach((k, v) -> System.out.println("  failed " + k + ": " + v));
        samples.forEach(s -> System.out.println("  sample " + s));
    }
}
