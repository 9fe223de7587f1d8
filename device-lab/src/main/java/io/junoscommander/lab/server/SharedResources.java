package io.junoscommander.lab.server;

import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.apache.sshd.common.util.threads.CloseableExecutorService;
import org.apache.sshd.common.util.threads.ThreadUtils;

/**
 * Threads shared by every device server of one lab, so a thousand devices do not mean thousands of pools: the NIO2 IO
 * pool, the workers that run CLI sessions (they block on input), and one scheduler for MINA timers and commit-confirmed
 * rollbacks.
 */
public final class SharedResources implements AutoCloseable {

    private final CloseableExecutorService ioPool;
    private final ExecutorService cliWorkers;
    private final ScheduledThreadPoolExecutor scheduler;

    public SharedResources(int ioThreads) {
        this.ioPool = ThreadUtils.newFixedThreadPool("lab-io", ioThreads);
        this.cliWorkers = Executors.newCachedThreadPool(named("lab-cli"));
        this.scheduler = new ScheduledThreadPoolExecutor(2, named("lab-timer"));
        this.scheduler.setRemoveOnCancelPolicy(true);
    }

    CloseableExecutorService ioPool() {
        return ioPool;
    }

    ExecutorService cliWorkers() {
        return cliWorkers;
    }

    public ScheduledExecutorService scheduler() {
        return scheduler;
    }

    private static ThreadFactory named(String prefix) {
        AtomicInteger counter = new AtomicInteger();
        return runnable -> {
            Thread thread = new Thread(runnable, prefix + "-" + counter.incrementAndGet());
            thread.setDaemon(true);
            return thread;
        };
    }

    @Override
    public void close() {
        cliWorkers.shutdownNow();
        scheduler.shutdownNow();
        ioPool.shutdownNow();
        for (ExecutorService pool : List.of(cliWorkers, scheduler, ioPool)) {
            try {
                pool.awaitTermination(5, TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return;
            }
        }
    }
}
