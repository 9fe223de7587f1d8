package io.junoscommander.support.schedule;

import io.junoscommander.support.config.ServiceIdentity;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.quarkus.scheduler.Scheduled;
import io.smallrye.mutiny.Multi;
import io.smallrye.mutiny.Uni;
import io.vertx.mutiny.sqlclient.Pool;
import io.vertx.mutiny.sqlclient.Row;
import io.vertx.mutiny.sqlclient.Tuple;
import jakarta.enterprise.context.ApplicationScoped;
import java.time.OffsetDateTime;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.util.Arrays;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Supplier;
import org.jboss.logging.Logger;

/**
 * Named jobs that run once per cron period across all replicas of a service, e.g. a nightly backup or an hourly purge.
 *
 * <p>Every replica ticks (each {@code junoscommander.periodic-jobs.tick}, 1 s by default). On a tick, for each job whose
 * latest period (the latest cron time at or before now) this replica has not handled yet, it claims (job, period) in the
 * service's {@code job_fire} table with one insert under that primary key: the replica whose insert wins runs the action,
 * the others do nothing. The very first period ever seen for a job only arms it (recorded with {@code ran = false}), so a
 * fresh install does not fire every job at start; a period missed while every replica was down fires once when one comes
 * back (one catch-up, not one per missed period). The outcome ({@code finished_at}, {@code error}) is written to the row
 * and counted in {@code periodic_job_fires{job, outcome}} (outcome: armed, succeeded, failed).
 *
 * <p>Actions must not block: they start on the event loop (move blocking work with {@code runSubscriptionOn}). A replica
 * does not start a job again while its previous run there is still going; another replica may, if that run outlives the
 * next period. A failing action is logged and counted and never stops the ticker.
 */
@ApplicationScoped
public class PeriodicJobs {

    private static final Logger LOG = Logger.getLogger(PeriodicJobs.class);
    private static final int ERROR_MAX_CHARS = 2000;

    /** What a claim of one period came to, for the replica that made it. */
    public enum Claim {
        /** This claim won the period: the claimant runs the job. */
        RUN,
        /** The first period ever seen for the job: recorded, not run. */
        ARMED,
        /** Another claim had the period already. */
        TAKEN
    }

    private final Pool pool;
    private final MeterRegistry meters;
    private final PeriodicJobsConfig config;
    private final String instance;
    private final String table;
    private final Map<String, Job> jobs = new ConcurrentHashMap<>();

    PeriodicJobs(Pool pool, MeterRegistry meters, PeriodicJobsConfig config, ServiceIdentity identity) {
        this.pool = pool;
        this.meters = meters;
        this.config = config;
        this.instance = identity.instanceId();
        this.table = identity.schema() + ".job_fire";
    }

    /** Registers {@code job} to run once per period of {@code cron} (five fields, or six with seconds), read in UTC. */
    public void register(String job, String cron, Supplier<Uni<Void>> action) {
        register(job, cron, ZoneOffset.UTC, action);
    }

    /**
     * Registers {@code job} to run once per period of {@code cron} (five fields, or six with seconds), read in {@code zone}.
     *
     * @throws IllegalArgumentException for an invalid cron expression, naming the job
     * @throws IllegalStateException when a job of that name is registered already
     */
    public void register(String job, String cron, ZoneId zone, Supplier<Uni<Void>> action) {
        Objects.requireNonNull(job, "job");
        Objects.requireNonNull(zone, "zone");
        Objects.requireNonNull(action, "action");
        Cron parsed;
        try {
            parsed = Cron.parse(cron);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("periodic job " + job + ": not a valid cron expression '" + cron + "' (" + e.getMessage()
                    + ")", e);
        }
        Job registered = new Job(job, parsed, zone, action, meters);
        if (jobs.putIfAbsent(job, registered) != null) {
            throw new IllegalStateException("periodic job " + job + " is registered already");
        }
        LOG.infof("periodic job %s registered: '%s' in %s", job, parsed, zone);
    }

    @Scheduled(identity = "periodic-jobs", every = "${junoscommander.periodic-jobs.tick:1s}",
            concurrentExecution = Scheduled.ConcurrentExecution.SKIP)
    Uni<Void> tick() {
        return fireDue(OffsetDateTime.now(ZoneOffset.UTC));
    }

    /**
     * Claims, as this replica, the latest period at or before {@code now} of every job that has not handled it yet, and
     * starts the jobs whose claims won. Completes when the claims are done; the actions run on.
     */
    public Uni<Void> fireDue(OffsetDateTime now) {
        if (jobs.isEmpty()) {
            return Uni.createFrom().voidItem();
        }
        return Multi.createFrom().iterable(jobs.values()).onItem().transformToUniAndConcatenate(job -> fireDue(job, now)).collect()
                .last().replaceWithVoid();
    }

    private Uni<Void> fireDue(Job job, OffsetDateTime now) {
        Optional<OffsetDateTime> latest = job.cron.latestAtOrBefore(job.zone, now);
        if (latest.isEmpty() || job.running.get() || job.handled != null && job.handled.isEqual(latest.get())) {
            return Uni.createFrom().voidItem();
        }
        OffsetDateTime period = latest.get();
        return claim(job.name, period, instance).invoke(claim -> {
            job.handled = period;
            if (job.claimFailing) {
                job.claimFailing = false;
                LOG.infof("periodic job %s: claims work again", job.name);
            }
            switch (claim) {
                case RUN -> run(job, period);
                case ARMED -> {
                    job.armed.increment();
                    LOG.infof("periodic job %s armed at %s: it runs from its next period on", job.name, period);
                }
                case TAKEN -> LOG.debugf("periodic job %s: %s was claimed by another replica", job.name, period);
                default -> throw new IllegalStateException(claim.name());
            }
        }).replaceWithVoid().onFailure().recoverWithItem(e -> {
            // the period stays unhandled, so the next tick claims it again: an outage of the database delays the fire
            if (!job.claimFailing) {
                job.claimFailing = true;
                LOG.warnf("periodic job %s: claiming %s failed, retrying each tick: %s", job.name, period, describe(e));
            }
            return null;
        });
    }

    /**
     * Claims {@code period} of {@code job} for the replica {@code claimant} with one insert under the key (job, period):
     * {@link Claim#RUN} when this insert won, {@link Claim#ARMED} when it won the first period ever seen for the job,
     * {@link Claim#TAKEN} when another claim had the period. The ticker calls this with this replica's instance id.
     */
    public Uni<Claim> claim(String job, OffsetDateTime period, String claimant) {
        return pool.preparedQuery("INSERT INTO " + table + " (job, period, fired_by, ran) SELECT $1::text, $2::timestamptz, $3::text,"
                + " EXISTS (SELECT 1 FROM " + table + " WHERE job = $1::text) ON CONFLICT DO NOTHING RETURNING ran")
                .execute(Tuple.of(job, period, claimant)).map(rows -> {
                    if (!rows.iterator().hasNext()) {
                        return Claim.TAKEN;
                    }
                    Row row = rows.iterator().next();
                    return row.getBoolean("ran") ? Claim.RUN : Claim.ARMED;
                });
    }

    private void run(Job job, OffsetDateTime period) {
        job.running.set(true);
        LOG.debugf("periodic job %s: running period %s", job.name, period);
        Uni.createFrom().<Void>deferred(job.action::get).onItemOrFailure().transformToUni((ignored, failure) -> {
            job.running.set(false);
            String error = null;
            if (failure == null) {
                job.succeeded.increment();
            } else {
                job.failed.increment();
                error = describe(failure);
                LOG.warnf("periodic job %s failed in period %s: %s", job.name, period, error);
            }
            return pool.preparedQuery("UPDATE " + table + " SET finished_at = now(), error = $3 WHERE job = $1 AND period = $2")
                    .execute(Tuple.tuple(Arrays.asList(job.name, period, error)))
                    .flatMap(done -> pool.preparedQuery("DELETE FROM " + table + " WHERE job = $1 AND period < $2")
                            .execute(Tuple.of(job.name, period.minus(config.history()))));
        }).subscribe().with(done -> { }, e -> {
            job.running.set(false);
            LOG.warnf("periodic job %s: outcome of period %s not recorded: %s", job.name, period, describe(e));
        });
    }

    /** The message of a failure (its type when it has none), bounded; the action decides what its messages carry. */
    private static String describe(Throwable e) {
        String message = e.getMessage() == null || e.getMessage().isBlank() ? e.getClass().getSimpleName() : e.getMessage();
        return message.length() > ERROR_MAX_CHARS ? message.substring(0, ERROR_MAX_CHARS) + "…" : message;
    }

    private static final class Job {
        private final String name;
        private final Cron cron;
        private final ZoneId zone;
        private final Supplier<Uni<Void>> action;
        private final Counter armed;
        private final Counter succeeded;
        private final Counter failed;
        private final AtomicBoolean running = new AtomicBoolean();
        /** The latest period this replica claimed, won or not. */
        private volatile OffsetDateTime handled;
        private volatile boolean claimFailing;

        Job(String name, Cron cron, ZoneId zone, Supplier<Uni<Void>> action, MeterRegistry meters) {
            this.name = name;
            this.cron = cron;
            this.zone = zone;
            this.action = action;
            this.armed = counter(meters, name, "armed");
            this.succeeded = counter(meters, name, "succeeded");
            this.failed = counter(meters, name, "failed");
        }

        private static Counter counter(MeterRegistry meters, String job, String outcome) {
            return Counter.builder("periodic.job.fires").description("periods of periodic jobs this replica armed or ran, by outcome")
                    .tag("job", job).tag("outcome", outcome).register(meters);
        }
    }
}
