package bench;

import java.util.Arrays;
import java.util.Locale;

/**
 * Entry point of the benchmark engines used by bench/run.sh. Each command prints its figures as
 * one line starting with {@code RESULT} (key=value pairs) on stdout; progress goes to stderr.
 *
 * <pre>
 *   erpmax-drain URL JOBS OUTBOX(true|false) TIMEOUT_S
 *   ceiling      URL JOBS BATCH THREADS TIMEOUT_S
 *   dbscheduler  URL JOBS WARMUP THREADS LOWER_FRACTION UPPER_FRACTION POLL_MS TIMEOUT_S
 *   jobrunr      URL JOBS WARMUP WORKERS POLL_S TIMEOUT_S
 *   submit       BASE_URL RATE SECONDS WARMUP_RATE WARMUP_S
 *   amqp-delete  AMQP_URI QUEUE...
 * </pre>
 */
public final class Main {

    private Main() {
    }

    public static void main(String[] args) throws Exception {
        Locale.setDefault(Locale.ROOT);
        if (args.length == 0) {
            throw new IllegalArgumentException("usage: see bench.Main");
        }
        String[] rest = Arrays.copyOfRange(args, 1, args.length);
        switch (args[0]) {
            case "erpmax-drain" -> ErpmaxDrain.main(rest);
            case "ceiling" -> Ceiling.main(rest);
            case "dbscheduler" -> DbSchedulerDrain.main(rest);
            case "jobrunr" -> JobRunrDrain.main(rest);
            case "submit" -> SubmitLoad.main(rest);
            case "amqp-delete" -> AmqpAdmin.delete(rest);
            default -> throw new IllegalArgumentException("unknown command " + args[0]);
        }
        System.exit(0);
    }
}
