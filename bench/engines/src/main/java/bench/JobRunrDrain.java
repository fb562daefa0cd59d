package bench;

import com.zaxxer.hikari.HikariDataSource;
import org.jobrunr.configuration.JobRunr;
import org.jobrunr.configuration.JobRunrConfiguration;
import org.jobrunr.jobs.lambdas.JobRequest;
import org.jobrunr.jobs.lambdas.JobRequestHandler;
import org.jobrunr.scheduling.BackgroundJobRequest;
import org.jobrunr.server.BackgroundJobServer;
import org.jobrunr.server.BackgroundJobServerConfiguration;
import org.jobrunr.storage.sql.common.SqlStorageProviderFactory;

import java.sql.Connection;
import java.time.Duration;
import java.util.stream.LongStream;

/**
 * JobRunr (free) drain on its PostgreSQL storage: WORKERS workers, poll interval POLL_S (5 s is
 * the smallest JobRunr accepts for SQL storage). JOBS no-op job requests are bulk-enqueued
 * ({@code BackgroundJobRequest.enqueue(Stream)}) while processing is paused; timed from resuming
 * until all of them are SUCCEEDED. A WARMUP batch runs first, untimed.
 */
final class JobRunrDrain {

    private JobRunrDrain() {
    }

    /** The no-op job. */
    public static final class Noop implements JobRequest {
        public long n;

        public Noop() {
        }

        public Noop(long n) {
            this.n = n;
        }

        @Override
        public Class<NoopHandler> getJobRequestHandler() {
            return NoopHandler.class;
        }
    }

    public static final class NoopHandler implements JobRequestHandler<Noop> {
        @Override
        public void run(Noop request) {
        }
    }

    static void main(String[] args) throws Exception {
        String url = args[0];
        long jobs = Long.parseLong(args[1]);
        long warmup = Long.parseLong(args[2]);
        int workers = Integer.parseInt(args[3]);
        int pollSeconds = Integer.parseInt(args[4]);
        long timeout = Long.parseLong(args[5]);

        try (HikariDataSource pool = Pg.pool(url, workers + 8, "jobrunr-bench")) {
            JobRunrConfiguration.JobRunrConfigurationResult result = JobRunr.configure()
                    .useStorageProvider(SqlStorageProviderFactory.using(pool))
                    .useJobActivator(new org.jobrunr.server.JobActivator() {
                        @Override
                        public <T> T activateJob(Class<T> type) {
                            try {
                                return type.getDeclaredConstructor().newInstance();
                            } catch (ReflectiveOperationException e) {
                                throw new IllegalStateException(e);
                            }
                        }
                    })
                    .useBackgroundJobServer(BackgroundJobServerConfiguration.usingStandardBackgroundJobServerConfiguration()
                            .andWorkerCount(workers)
                            .andPollInterval(Duration.ofSeconds(pollSeconds)))
                    .initialize();
            BackgroundJobServer server = JobRunr.getBackgroundJobServer();
            String succeeded = "SELECT count(*) FROM jobrunr_jobs WHERE state = 'SUCCEEDED'";
            try (Connection connection = Pg.connect(url)) {
                if (warmup > 0) {
                    BackgroundJobRequest.enqueue(LongStream.range(0, warmup).mapToObj(Noop::new));
                    Pg.awaitCount(connection, succeeded, warmup, false, timeout, "jobrunr warm-up");
                }
                server.pauseProcessing();
                long enqueueStart = System.nanoTime();
                BackgroundJobRequest.enqueue(LongStream.range(0, jobs).mapToObj(Noop::new));
                long enqueueEnd = System.nanoTime();
                if (Pg.analyze()) {
                    Pg.execute(connection, "ANALYZE jobrunr_jobs");
                }
                server.resumeProcessing();
                long start = System.nanoTime();
                long end = Pg.awaitCount(connection, succeeded, warmup + jobs, false, timeout, "jobrunr");
                System.out.println(Pg.result("jobrunr", jobs, start, end, String.format("workers=%d poll_s=%d enqueue_s=%.1f",
                        workers, pollSeconds, (enqueueEnd - enqueueStart) / 1e9)));
            } finally {
                server.stop();
            }
        }
    }
}
