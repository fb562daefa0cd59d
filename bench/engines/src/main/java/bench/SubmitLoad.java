package bench;

import java.io.BufferedInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import java.util.concurrent.locks.LockSupport;

/**
 * Open-model load on {@code POST /api/jobs}: request i is due at start + i / RATE and is queued
 * then whatever happened to earlier ones; its latency is measured from that due time, so a
 * stalled server cannot hide its queueing (no coordinated omission). Errors: any status other
 * than 201, a connection failure, or no answer within 10 s. A WARMUP_S phase at WARMUP_RATE runs
 * first and is not counted.
 *
 * <p>The client is deliberately lean: SENDERS threads, each with one keep-alive HTTP/1.1
 * connection, take due requests from a queue. It shares the 2 cores with the server it measures;
 * the JDK's HttpClient, used before, took half a core at 500 requests/s, CPU the server then lacked.
 * A request waiting in the queue for a free sender is waiting, and its latency says so.
 */
final class SubmitLoad {

    private static final int SENDERS = 256;
    private static final int TIMEOUT_MILLIS = 10_000;

    private SubmitLoad() {
    }

    static void main(String[] args) throws Exception {
        URI uri = URI.create(args[0].replaceAll("/$", "") + "/api/jobs");
        int rate = Integer.parseInt(args[1]);
        int seconds = Integer.parseInt(args[2]);
        int warmupRate = Integer.parseInt(args[3]);
        int warmupSeconds = Integer.parseInt(args[4]);
        Client client = new Client(uri);
        if (warmupSeconds > 0) {
            run(client, warmupRate, warmupSeconds);
        }
        Outcome outcome = run(client, rate, seconds);
        if (System.getenv("BENCH_SUBMIT_TRACE") != null) {
            traceBySecond(outcome, rate);
        }
        long[] ok = Arrays.stream(outcome.counted).filter(l -> l >= 0).sorted().toArray();
        System.out.println(String.format("RESULT rate=%d seconds=%d sent=%d ok=%d errors=%d p50_ms=%.2f p99_ms=%.2f max_ms=%.2f send_lag_max_ms=%.2f first_error=%s",
                rate, seconds, outcome.counted.length, ok.length, outcome.counted.length - ok.length,
                percentile(ok, 50), percentile(ok, 99), ok.length == 0 ? Double.NaN : ok[ok.length - 1] / 1e6,
                outcome.maxSendLagNanos / 1e6, outcome.firstError.get() == null ? "-" : outcome.firstError.get().replace(' ', '_')));
        System.exit(0);
    }

    private static final class Outcome {
        long[] latencyNanos;
        /** {@link #latencyNanos} as it was when the run ended; -1 for every request without a 201 by then. */
        long[] counted;
        final AtomicReference<String> firstError = new AtomicReference<>();
        long maxSendLagNanos;
        CountDownLatch finished;

        void failed(String error) {
            firstError.compareAndSet(null, error);
            finished.countDown();
        }
    }

    /** One request due at {@code dueNanos}, recorded at {@code index} of {@code outcome}. */
    private record Due(Outcome outcome, int index, long dueNanos) {
    }

    private static Outcome run(Client client, int rate, int seconds) throws InterruptedException {
        int total = rate * seconds;
        Outcome outcome = new Outcome();
        outcome.latencyNanos = new long[total];
        Arrays.fill(outcome.latencyNanos, -1);
        outcome.finished = new CountDownLatch(total);
        double interval = 1e9 / rate;
        long start = System.nanoTime() + 50_000_000L;
        for (int i = 0; i < total; i++) {
            long due = start + (long) (i * interval);
            long wait;
            while ((wait = due - System.nanoTime()) > 0) {
                LockSupport.parkNanos(wait);
            }
            outcome.maxSendLagNanos = Math.max(outcome.maxSendLagNanos, System.nanoTime() - due);
            client.queue.add(new Due(outcome, i, due));
        }
        if (!outcome.finished.await(20, TimeUnit.SECONDS)) {
            System.err.println("submit: " + outcome.finished.getCount() + " requests still unanswered 20 s after the last send");
        }
        // Answers arriving after this point are not counted: every request is an answer or an error, once.
        outcome.counted = outcome.latencyNanos.clone();
        return outcome;
    }

    /** SENDERS blocking keep-alive connections fed from one queue. */
    private static final class Client {
        final BlockingQueue<Due> queue = new LinkedBlockingQueue<>();
        private final InetSocketAddress address;
        private final byte[] request;

        Client(URI uri) {
            address = new InetSocketAddress(uri.getHost(), uri.getPort());
            byte[] body = "{\"type\":\"echo\",\"payload\":{}}".getBytes(StandardCharsets.US_ASCII);
            request = ("POST " + uri.getRawPath() + " HTTP/1.1\r\nHost: " + uri.getHost() + ":" + uri.getPort()
                    + "\r\nContent-Type: application/json\r\nAccept: application/json\r\nContent-Length: " + body.length
                    + "\r\n\r\n" + new String(body, StandardCharsets.US_ASCII)).getBytes(StandardCharsets.US_ASCII);
            for (int i = 0; i < SENDERS; i++) {
                Thread sender = new Thread(this::sendLoop, "sender-" + i);
                sender.setDaemon(true);
                sender.start();
            }
        }

        private void sendLoop() {
            Connection connection = null;
            while (true) {
                Due due;
                try {
                    due = queue.take();
                } catch (InterruptedException e) {
                    return;
                }
                try {
                    if (connection == null) {
                        connection = new Connection(address);
                    }
                    int status = connection.exchange(request);
                    long latency = System.nanoTime() - due.dueNanos();
                    if (status == 201) {
                        due.outcome().latencyNanos[due.index()] = latency;
                        due.outcome().finished.countDown();
                    } else {
                        due.outcome().failed("HTTP " + status);
                    }
                    if (connection.closeRequested) {
                        connection.close();
                        connection = null;
                    }
                } catch (IOException e) {
                    due.outcome().failed(e.toString());
                    if (connection != null) {
                        connection.close();
                        connection = null;
                    }
                }
            }
        }
    }

    /** One HTTP/1.1 connection: writes a request, reads the status and skips the body (Content-Length or chunked). */
    private static final class Connection {
        private final Socket socket;
        private final OutputStream out;
        private final InputStream in;
        boolean closeRequested;

        Connection(InetSocketAddress address) throws IOException {
            socket = new Socket();
            socket.setTcpNoDelay(true);
            socket.connect(address, 5_000);
            socket.setSoTimeout(TIMEOUT_MILLIS);
            out = socket.getOutputStream();
            in = new BufferedInputStream(socket.getInputStream(), 8192);
        }

        int exchange(byte[] request) throws IOException {
            out.write(request);
            out.flush();
            String statusLine = line();
            if (!statusLine.startsWith("HTTP/1.1 ") || statusLine.length() < 12) {
                throw new IOException("bad status line: " + statusLine);
            }
            int status = Integer.parseInt(statusLine.substring(9, 12));
            long length = -1;
            boolean chunked = false;
            for (String header = line(); !header.isEmpty(); header = line()) {
                String lower = header.toLowerCase(java.util.Locale.ROOT);
                if (lower.startsWith("content-length:")) {
                    length = Long.parseLong(lower.substring(15).trim());
                } else if (lower.startsWith("transfer-encoding:") && lower.contains("chunked")) {
                    chunked = true;
                } else if (lower.startsWith("connection:") && lower.contains("close")) {
                    closeRequested = true;
                }
            }
            if (chunked) {
                for (long size = Long.parseLong(line().split(";")[0].trim(), 16); size > 0;
                     size = Long.parseLong(line().split(";")[0].trim(), 16)) {
                    skip(size);
                    line();
                }
                line();
            } else if (length > 0) {
                skip(length);
            } else if (length < 0 && status != 204 && status != 304) {
                closeRequested = true; // the body runs until the server closes: not reusable
            }
            return status;
        }

        private String line() throws IOException {
            StringBuilder line = new StringBuilder(64);
            for (int c = in.read(); c != '\n'; c = in.read()) {
                if (c < 0) {
                    throw new IOException("connection closed by the server");
                }
                if (c != '\r') {
                    line.append((char) c);
                }
            }
            return line.toString();
        }

        private void skip(long bytes) throws IOException {
            for (long left = bytes; left > 0; ) {
                long skipped = in.skip(left);
                if (skipped <= 0) {
                    if (in.read() < 0) {
                        throw new IOException("connection closed by the server");
                    }
                    skipped = 1;
                }
                left -= skipped;
            }
        }

        void close() {
            try {
                socket.close();
            } catch (IOException e) {
                // closing a connection we give up on
            }
        }
    }

    /** With BENCH_SUBMIT_TRACE set, each second's slowest answer on stderr: when the tail happened. */
    private static void traceBySecond(Outcome outcome, int rate) {
        for (int from = 0; from < outcome.counted.length; from += rate) {
            long max = 0;
            int slow = 0;
            for (int i = from; i < Math.min(from + rate, outcome.counted.length); i++) {
                max = Math.max(max, outcome.counted[i]);
                slow += outcome.counted[i] > 25_000_000L ? 1 : 0;
            }
            System.err.printf("second %d: max %.1f ms, %d over 25 ms%n", from / rate, max / 1e6, slow);
        }
    }

    private static double percentile(long[] sorted, double p) {
        if (sorted.length == 0) {
            return Double.NaN;
        }
        int index = (int) Math.ceil(p / 100.0 * sorted.length) - 1;
        return sorted[Math.max(0, Math.min(sorted.length - 1, index))] / 1e6;
    }
}
