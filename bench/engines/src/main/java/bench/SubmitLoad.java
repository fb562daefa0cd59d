package bench;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.Arrays;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.locks.LockSupport;

/**
 * Open-model load on {@code POST /api/jobs}: request i is due at start + i / RATE and is sent then
 * whatever happened to earlier ones; its latency is measured from that due time, so a stalled
 * server cannot hide its queueing (no coordinated omission). Errors: any status other than 201,
 * a connection failure, or no answer within 10 s. A WARMUP_S phase at WARMUP_RATE runs first and
 * is not counted.
 */
final class SubmitLoad {

    private static final byte[] BODY = "{\"type\":\"echo\",\"payload\":{}}".getBytes();

    private SubmitLoad() {
    }

    static void main(String[] args) throws Exception {
        URI uri = URI.create(args[0].replaceAll("/$", "") + "/api/jobs");
        int rate = Integer.parseInt(args[1]);
        int seconds = Integer.parseInt(args[2]);
        int warmupRate = Integer.parseInt(args[3]);
        int warmupSeconds = Integer.parseInt(args[4]);
        HttpClient client = HttpClient.newBuilder()
                .version(HttpClient.Version.HTTP_1_1)
                .connectTimeout(Duration.ofSeconds(5))
                .executor(Executors.newFixedThreadPool(4))
                .build();
        if (warmupSeconds > 0) {
            run(client, uri, warmupRate, warmupSeconds);
        }
        Outcome outcome = run(client, uri, rate, seconds);
        long[] ok = Arrays.stream(outcome.latencyNanos).filter(l -> l >= 0).sorted().toArray();
        System.out.println(String.format("RESULT rate=%d seconds=%d sent=%d ok=%d errors=%d p50_ms=%.2f p99_ms=%.2f max_ms=%.2f send_lag_max_ms=%.2f first_error=%s",
                rate, seconds, outcome.latencyNanos.length, ok.length, outcome.errors.get(),
                percentile(ok, 50), percentile(ok, 99), ok.length == 0 ? Double.NaN : ok[ok.length - 1] / 1e6,
                outcome.maxSendLagNanos / 1e6, outcome.firstError == null ? "-" : outcome.firstError.replace(' ', '_')));
    }

    private static final class Outcome {
        long[] latencyNanos;
        final AtomicInteger errors = new AtomicInteger();
        volatile String firstError;
        long maxSendLagNanos;
    }

    private static Outcome run(HttpClient client, URI uri, int rate, int seconds) throws InterruptedException {
        int total = rate * seconds;
        Outcome outcome = new Outcome();
        outcome.latencyNanos = new long[total];
        Arrays.fill(outcome.latencyNanos, -1);
        CountDownLatch finished = new CountDownLatch(total);
        double interval = 1e9 / rate;
        long start = System.nanoTime() + 50_000_000L;
        for (int i = 0; i < total; i++) {
            long due = start + (long) (i * interval);
            long wait;
            while ((wait = due - System.nanoTime()) > 0) {
                LockSupport.parkNanos(wait);
            }
            outcome.maxSendLagNanos = Math.max(outcome.maxSendLagNanos, System.nanoTime() - due);
            HttpRequest request = HttpRequest.newBuilder(uri)
                    .timeout(Duration.ofSeconds(10))
                    .header("Content-Type", "application/json")
                    .POST(HttpRequest.BodyPublishers.ofByteArray(BODY))
                    .build();
            int index = i;
            client.sendAsync(request, HttpResponse.BodyHandlers.discarding()).whenComplete((response, failure) -> {
                long latency = System.nanoTime() - due;
                if (failure == null && response.statusCode() == 201) {
                    outcome.latencyNanos[index] = latency;
                } else {
                    if (outcome.errors.getAndIncrement() == 0) {
                        outcome.firstError = failure != null ? failure.toString() : "HTTP " + response.statusCode();
                    }
                }
                finished.countDown();
            });
        }
        if (!finished.await(20, TimeUnit.SECONDS)) {
            System.err.println("submit: " + finished.getCount() + " requests still unanswered 20 s after the last send");
            outcome.errors.addAndGet((int) finished.getCount());
        }
        return outcome;
    }

    private static double percentile(long[] sorted, double p) {
        if (sorted.length == 0) {
            return Double.NaN;
        }
        int index = (int) Math.ceil(p / 100.0 * sorted.length) - 1;
        return sorted[Math.max(0, Math.min(sorted.length - 1, index))] / 1e6;
    }
}
