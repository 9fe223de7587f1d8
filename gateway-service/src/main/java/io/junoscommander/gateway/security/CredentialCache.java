package io.junoscommander.gateway.security;

import io.junoscommander.gateway.GatewayConfig;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.quarkus.security.identity.SecurityIdentity;
import jakarta.enterprise.context.ApplicationScoped;
import java.util.Comparator;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Predicate;

/**
 * The local cache of credentials (sessions and API tokens, keyed by the token's SHA-256) in each gateway replica, in front
 * of Redis and PostgreSQL. Bounded ({@code CREDENTIAL_CACHE_MAX_SIZE}); an entry is confirmed again in the background once
 * older than {@code CREDENTIAL_CACHE_REFRESH} and never served older than {@code CREDENTIAL_CACHE_TTL}. Invalidations
 * (logout, user changes, token revocation) arrive through Redis pub/sub
 * ({@link io.junoscommander.gateway.session.Invalidations}); after the subscription was lost, {@link #invalidateAll()}
 * makes every entry be confirmed again before its next use.
 */
@ApplicationScoped
public class CredentialCache {

    /** One cached credential: who it is, and when its store last confirmed it. */
    public static final class Entry {
        private final GatewayPrincipal principal;
        private final SecurityIdentity identity;
        private final long confirmedAt;
        private final long epoch;
        private final AtomicBoolean refreshing = new AtomicBoolean();

        Entry(GatewayPrincipal principal, SecurityIdentity identity, long confirmedAt, long epoch) {
            this.principal = principal;
            this.identity = identity;
            this.confirmedAt = confirmedAt;
            this.epoch = epoch;
        }

        public GatewayPrincipal principal() {
            return principal;
        }

        public SecurityIdentity identity() {
            return identity;
        }

        /** Claims the one background confirmation of this entry; false when one is already under way. */
        public boolean startRefresh() {
            return refreshing.compareAndSet(false, true);
        }

        public void refreshDone() {
            refreshing.set(false);
        }
    }

    /** What a lookup found. */
    public enum State {
        /** Not cached, or too old to serve: ask the store. */
        MISS,
        /** Confirmed recently: serve it. */
        FRESH,
        /** Serve it, and confirm it in the background. */
        REFRESH,
        /** Possibly invalidated while the subscription was down: confirm before use; serve only if the store is unreachable. */
        SUSPECT
    }

    private final Map<String, Entry> entries = new ConcurrentHashMap<>();
    private final int maxSize;
    private final long refreshNanos;
    private final long ttlNanos;
    /** Bumped by {@link #invalidateAll()}: entries of an older epoch are suspect. */
    private final AtomicLong epoch = new AtomicLong();
    /** Bumped by every invalidation: a load that started before one does not cache what it read. */
    private final AtomicLong invalidations = new AtomicLong();
    private final Counter hits;
    private final Counter misses;
    private final Counter staleServed;
    private final Counter invalidated;

    CredentialCache(GatewayConfig config, MeterRegistry meters) {
        this.maxSize = config.session().cache().maxSize();
        this.refreshNanos = config.session().cache().refresh().toNanos();
        this.ttlNanos = config.session().cache().ttl().toNanos();
        this.hits = meters.counter("gateway.credential.cache.lookups", "result", "hit");
        this.misses = meters.counter("gateway.credential.cache.lookups", "result", "miss");
        this.staleServed = meters.counter("gateway.credential.cache.lookups", "result", "stale-served");
        this.invalidated = meters.counter("gateway.credential.cache.invalidations");
        Gauge.builder("gateway.credential.cache.size", entries, Map::size).description("credentials cached in this replica")
                .register(meters);
    }

    /** The entry of this token hash and whether it may be served as is. */
    public State state(Entry entry) {
        if (entry == null) {
            return State.MISS;
        }
        long age = System.nanoTime() - entry.confirmedAt;
        if (age >= ttlNanos) {
            return State.MISS;
        }
        if (entry.epoch != epoch.get()) {
            return State.SUSPECT;
        }
        return age >= refreshNanos ? State.REFRESH : State.FRESH;
    }

    public Entry get(String hash) {
        return entries.get(hash);
    }

    /** The invalidation count to pass to {@link #put} once the store answered. */
    public long loadStarted() {
        return invalidations.get();
    }

    /** Caches what the store confirmed, unless an invalidation arrived since the load started. */
    public Entry put(String hash, GatewayPrincipal principal, SecurityIdentity identity, long loadStarted) {
        Entry entry = new Entry(principal, identity, System.nanoTime(), epoch.get());
        if (invalidations.get() != loadStarted) {
            return entry;
        }
        if (entries.size() >= maxSize && !entries.containsKey(hash)) {
            evict();
        }
        entries.put(hash, entry);
        return entry;
    }

    public void hit() {
        hits.increment();
    }

    public void miss() {
        misses.increment();
    }

    /** A credential served from the cache because its store could not be reached. */
    public void staleServed() {
        staleServed.increment();
    }

    /** Drops the credential of this token hash (its store no longer knows it). */
    public void remove(String hash) {
        invalidations.incrementAndGet();
        entries.remove(hash);
    }

    /** Drops the credential of this token hash only if it is still {@code entry}. */
    public void remove(String hash, Entry entry) {
        invalidations.incrementAndGet();
        entries.remove(hash, entry);
    }

    /** Logout or revocation of one session: by its hash. */
    public void invalidateSession(String hash) {
        invalidations.incrementAndGet();
        if (entries.remove(hash) != null) {
            invalidated.increment();
        }
    }

    /** A user changed (role, disabled, password, deleted, sessions revoked): every credential of theirs. */
    public void invalidateUser(String username) {
        invalidate(e -> e.principal.username().equals(username));
    }

    /** An API token revoked: by its id. */
    public void invalidateToken(String id) {
        invalidate(e -> GatewayPrincipal.API_TOKEN.equals(e.principal.credential()) && id.equals(e.principal.credentialId()));
    }

    /** Messages may have been missed: every entry must be confirmed by its store before its next use. */
    public void invalidateAll() {
        invalidations.incrementAndGet();
        epoch.incrementAndGet();
    }

    public int size() {
        return entries.size();
    }

    /** Drops what is too old to be served anyway (called periodically). */
    public void sweep() {
        long now = System.nanoTime();
        entries.entrySet().removeIf(e -> now - e.getValue().confirmedAt >= ttlNanos);
    }

    private void invalidate(Predicate<Entry> doomed) {
        invalidations.incrementAndGet();
        entries.entrySet().removeIf(e -> {
            if (doomed.test(e.getValue())) {
                invalidated.increment();
                return true;
            }
            return false;
        });
    }

    /** Expired entries go first; if that is not enough, the tenth confirmed longest ago. */
    private synchronized void evict() {
        long now = System.nanoTime();
        entries.entrySet().removeIf(e -> now - e.getValue().confirmedAt >= ttlNanos);
        if (entries.size() < maxSize) {
            return;
        }
        entries.entrySet().stream().sorted(Comparator.comparingLong(e -> e.getValue().confirmedAt)).limit(Math.max(1, maxSize / 10))
                .map(Map.Entry::getKey).toList().forEach(entries::remove);
    }
}
