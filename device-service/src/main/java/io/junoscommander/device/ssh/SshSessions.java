package io.junoscommander.device.ssh;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import io.quarkus.runtime.ShutdownEvent;
import io.quarkus.runtime.StartupEvent;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.net.ConnectException;
import java.net.NoRouteToHostException;
import java.net.UnknownHostException;
import java.nio.channels.UnresolvedAddressException;
import java.nio.charset.StandardCharsets;
import java.security.KeyPair;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import io.junoscommander.device.hostkey.HostKeyCheck;
import org.apache.sshd.client.SshClient;
import org.apache.sshd.client.config.hosts.HostConfigEntryResolver;
import org.apache.sshd.client.future.ConnectFuture;
import org.apache.sshd.client.session.ClientSession;
import org.apache.sshd.common.AttributeRepository;
import org.apache.sshd.common.NamedResource;
import org.apache.sshd.common.config.keys.FilePasswordProvider;
import org.apache.sshd.common.keyprovider.KeyIdentityProvider;
import org.apache.sshd.common.util.security.SecurityUtils;
import org.apache.sshd.core.CoreModuleProperties;
import org.jboss.logging.Logger;

/**
 * One shared MINA {@link SshClient} and the authenticated sessions it keeps per device: reused while they are fresh,
 * closed after the idle timeout. Limits how many operations run on one device at once.
 */
@ApplicationScoped
public class SshSessions {

    private static final Logger LOG = Logger.getLogger(SshSessions.class);

    private final SshConfig config;
    private final MeterRegistry meters;
    private final Map<String, PooledSession> sessions = new ConcurrentHashMap<>();
    private final Map<java.util.UUID, Semaphore> deviceLimits = new ConcurrentHashMap<>();
    private final AtomicInteger activeOperations = new AtomicInteger();
    private final Timer connectTimer;
    private SshClient client;
    private ScheduledExecutorService evictor;

    SshSessions(SshConfig config, MeterRegistry meters) {
        this.config = config;
        this.meters = meters;
        this.connectTimer = Timer.builder("ssh.connect.duration").description("SSH connect and authentication")
                .publishPercentileHistogram().register(meters);
        meters.gauge("ssh.sessions.open", sessions, Map::size);
        meters.gauge("ssh.operations.active", activeOperations);
    }

    void start(@Observes StartupEvent event) {
        client = SshClient.setUpDefaultClient();
        // Nagle's algorithm doubles the time of short request/response exchanges (measured); turn it off
        CoreModuleProperties.TCP_NODELAY.set(client, true);
        CoreModuleProperties.IDLE_TIMEOUT.set(client, config.sessionIdleTimeout().plusSeconds(30));
        SshAlgorithms.preferCheapest(client);
        client.addSessionListener(SshAlgorithms.knownHostKeyFirst());
        client.setServerKeyVerifier(new HostKeyCheck("strict".equalsIgnoreCase(config.hostKeyPolicy())));
        // a device is reached with its credential and address only: not with whatever keys or ~/.ssh/config the service's
        // user has (SSHD's defaults would read both, on every connect)
        client.setKeyIdentityProvider(KeyIdentityProvider.EMPTY_KEYS_PROVIDER);
        client.setHostConfigEntryResolver(HostConfigEntryResolver.EMPTY);
        client.start();
        evictor = Executors.newSingleThreadScheduledExecutor(runnable -> {
            Thread thread = new Thread(runnable, "ssh-session-evictor");
            thread.setDaemon(true);
            return thread;
        });
        evictor.scheduleWithFixedDelay(this::closeIdle, 5, 5, TimeUnit.SECONDS);
    }

    void stop(@Observes ShutdownEvent event) {
        if (evictor != null) {
            evictor.shutdownNow();
        }
        sessions.values().forEach(PooledSession::close);
        sessions.clear();
        if (client != null) {
            client.stop();
        }
    }

    /** A session for the target and the right to use it; close the lease when done. */
    public Lease acquire(DeviceTarget target) {
        Semaphore limit = deviceLimits.computeIfAbsent(target.deviceId(), id -> new Semaphore(config.perDeviceConcurrency(), true));
        try {
            if (!limit.tryAcquire(config.commandTimeout().toMillis(), TimeUnit.MILLISECONDS)) {
                throw new SshFailure(ErrorKind.TIMEOUT, "the device is busy with other operations");
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new SshFailure(ErrorKind.TIMEOUT, "interrupted while waiting for the device");
        }
        activeOperations.incrementAndGet();
        try {
            PooledSession pooled = sessions.get(target.sessionKey());
            if (pooled == null || !pooled.isUsable()) {
                if (pooled != null) {
                    sessions.remove(target.sessionKey(), pooled);
                    pooled.close();
                }
                pooled = new PooledSession(connect(target));
                PooledSession raced = sessions.putIfAbsent(target.sessionKey(), pooled);
                if (raced != null && raced.isUsable()) {
                    pooled.close();
                    pooled = raced;
                } else if (raced != null) {
                    sessions.put(target.sessionKey(), pooled);
                }
                return new Lease(pooled, limit, true);
            }
            return new Lease(pooled, limit, false);
        } catch (RuntimeException e) {
            activeOperations.decrementAndGet();
            limit.release();
            throw e;
        }
    }

    private ClientSession connect(DeviceTarget target) {
        long start = System.nanoTime();
        HostKeyCheck.Attempt attempt = new HostKeyCheck.Attempt(target.deviceId(), target.name(), target.host(), target.port(),
                target.knownHostKey());
        ClientSession session = null;
        try {
            ConnectFuture future = client.connect(target.username(), target.host(), target.port(),
                    AttributeRepository.ofKeyValuePair(HostKeyCheck.ATTEMPT, attempt));
            if (!future.await(config.connectTimeout().toMillis())) {
                future.cancel();
                throw new SshFailure(ErrorKind.TIMEOUT, "connect timed out after " + config.connectTimeout().toSeconds() + " s");
            }
            if (future.getException() != null) {
                throw classifyConnect(future.getException());
            }
            session = future.getSession();
            if (target.password() != null) {
                session.addPasswordIdentity(target.password());
            }
            if (target.privateKey() != null) {
                for (KeyPair pair : loadKeys(target)) {
                    session.addPublicKeyIdentity(pair);
                }
            }
            var auth = session.auth();
            if (!auth.await(config.authTimeout().toMillis())) {
                throw attempt.rejected() ? new SshFailure(ErrorKind.HOST_KEY_MISMATCH, attempt.rejection())
                        : new SshFailure(ErrorKind.TIMEOUT, "authentication timed out after " + config.authTimeout().toSeconds() + " s");
            }
            if (!auth.isSuccess()) {
                if (attempt.rejected()) {
                    throw new SshFailure(ErrorKind.HOST_KEY_MISMATCH, attempt.rejection());
                }
                throw new SshFailure(ErrorKind.AUTH_FAILED, "the device refused the login of user '" + target.username() + "'");
            }
            connectTimer.record(System.nanoTime() - start, TimeUnit.NANOSECONDS);
            return session;
        } catch (SshFailure failure) {
            closeQuietly(session);
            if (attempt.rejected() && failure.kind() != ErrorKind.HOST_KEY_MISMATCH) {
                throw new SshFailure(ErrorKind.HOST_KEY_MISMATCH, attempt.rejection());
            }
            throw failure;
        } catch (IOException | RuntimeException e) {
            closeQuietly(session);
            if (attempt.rejected()) {
                throw new SshFailure(ErrorKind.HOST_KEY_MISMATCH, attempt.rejection());
            }
            throw classifyConnect(e);
        }
    }

    public static SshFailure classifyConnect(Throwable e) {
        for (Throwable cause = e; cause != null; cause = cause.getCause()) {
            if (cause instanceof ConnectException || cause instanceof NoRouteToHostException || cause instanceof UnknownHostException
                    || cause instanceof UnresolvedAddressException) {
                return new SshFailure(ErrorKind.UNREACHABLE, "cannot connect: " + describe(cause));
            }
            if (cause instanceof java.util.concurrent.TimeoutException || cause instanceof java.net.SocketTimeoutException) {
                return new SshFailure(ErrorKind.TIMEOUT, "timed out: " + describe(cause));
            }
        }
        String message = e.getMessage() == null ? "" : e.getMessage();
        if (message.contains("No more authentication methods")) {
            return new SshFailure(ErrorKind.AUTH_FAILED, "the device refused the login");
        }
        if (message.toLowerCase(java.util.Locale.ROOT).contains("timeout")) {
            return new SshFailure(ErrorKind.TIMEOUT, "timed out: " + message);
        }
        return new SshFailure(ErrorKind.UNREACHABLE, "connection failed: " + describe(e));
    }

    private static String describe(Throwable e) {
        return e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage();
    }

    private static Iterable<KeyPair> loadKeys(DeviceTarget target) throws IOException {
        try {
            Iterable<KeyPair> pairs = SecurityUtils.loadKeyPairIdentities(null, NamedResource.ofName("credential of " + target.name()),
                    new ByteArrayInputStream(target.privateKey().getBytes(StandardCharsets.UTF_8)),
                    FilePasswordProvider.of(target.passphrase()));
            if (pairs == null) {
                throw new SshFailure(ErrorKind.AUTH_FAILED, "the credential's private key could not be read");
            }
            return pairs;
        } catch (java.security.GeneralSecurityException e) {
            throw new SshFailure(ErrorKind.AUTH_FAILED, "the credential's private key could not be read (wrong passphrase?)");
        }
    }

    private void closeIdle() {
        long now = System.nanoTime();
        sessions.forEach((key, pooled) -> {
            if (pooled.inUse.get() == 0 && now - pooled.lastUsed > config.sessionIdleTimeout().toNanos() || !pooled.isUsable()) {
                if (sessions.remove(key, pooled)) {
                    pooled.close();
                }
            }
        });
    }

    /** Forgets and closes a session that misbehaved (timeout, broken channel) so the next operation reconnects. */
    public void discard(Lease lease) {
        sessions.values().remove(lease.pooled);
        lease.pooled.close();
    }

    public Counter errorCounter(ErrorKind kind) {
        return meters.counter("ssh.errors", "kind", kind.wireName());
    }

    private static void closeQuietly(ClientSession session) {
        if (session != null) {
            session.close(true);
        }
    }

    /** An authenticated session plus bookkeeping. */
    static final class PooledSession {
        final ClientSession session;
        final AtomicInteger inUse = new AtomicInteger();
        volatile long lastUsed = System.nanoTime();

        PooledSession(ClientSession session) {
            this.session = session;
        }

        boolean isUsable() {
            return session.isOpen() && !session.isClosing() && session.isAuthenticated();
        }

        void close() {
            session.close(true);
        }
    }

    /** The right to use a session for one operation. */
    public final class Lease implements AutoCloseable {
        final PooledSession pooled;
        private final Semaphore limit;
        private final boolean fresh;
        private boolean released;

        Lease(PooledSession pooled, Semaphore limit, boolean fresh) {
            this.pooled = pooled;
            this.limit = limit;
            this.fresh = fresh;
            pooled.inUse.incrementAndGet();
        }

        public ClientSession session() {
            return pooled.session;
        }

        /** Whether this operation opened the session (a cold start) rather than reusing one. */
        public boolean fresh() {
            return fresh;
        }

        /** The host key presented when this session was opened, in OpenSSH form. */
        public String presentedHostKey() {
            HostKeyCheck.Attempt attempt = HostKeyCheck.attempt(pooled.session);
            return attempt == null ? null : attempt.presentedKey();
        }

        public String presentedFingerprint() {
            HostKeyCheck.Attempt attempt = HostKeyCheck.attempt(pooled.session);
            return attempt == null ? null : attempt.presentedFingerprint();
        }

        @Override
        public void close() {
            if (released) {
                return;
            }
            released = true;
            pooled.lastUsed = System.nanoTime();
            if (pooled.inUse.decrementAndGet() == 0 && config.sessionIdleTimeout().isZero()) {
                // reuse switched off: one session per operation
                sessions.values().remove(pooled);
                pooled.close();
            }
            activeOperations.decrementAndGet();
            limit.release();
        }
    }
}
