package io.junoscommander.device.hostkey;

import io.smallrye.mutiny.Uni;
import io.smallrye.mutiny.subscription.UniEmitter;
import jakarta.enterprise.context.ApplicationScoped;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.apache.sshd.common.config.keys.KeyUtils;
import org.apache.sshd.common.config.keys.PublicKeyEntry;
import org.jboss.logging.Logger;

/**
 * Stores the host keys devices presented on first use (TOFU). A fan-out over new devices learns one key per device; they
 * are written together: the first key is written at once, and the keys that arrive while a write is under way go in the
 * next one (one statement for all of them), so a thousand new devices cost a handful of statements rather than a thousand.
 * Each caller's {@link Uni} completes once its key is stored.
 */
@ApplicationScoped
public class HostKeyLearning {

    private static final Logger LOG = Logger.getLogger(HostKeyLearning.class);

    private record Pending(HostKeyRepository.Learned key, UniEmitter<? super Void> done) {
    }

    private final HostKeyRepository repository;
    private final Object lock = new Object();
    private List<Pending> waiting = new ArrayList<>();
    private boolean writing;

    HostKeyLearning(HostKeyRepository repository) {
        this.repository = repository;
    }

    /** Records the key (OpenSSH form) a device presented; a key that cannot be read is logged and skipped. */
    public Uni<Void> learn(UUID deviceId, String deviceName, String presentedKey) {
        HostKeyRepository.Learned key;
        try {
            var publicKey = PublicKeyEntry.parsePublicKeyEntry(presentedKey).resolvePublicKey(null, null, null);
            key = new HostKeyRepository.Learned(deviceId, KeyUtils.getKeyType(publicKey), KeyUtils.getFingerPrint(publicKey), presentedKey);
        } catch (Exception e) {
            LOG.warnf("could not read host key of %s: %s", deviceName, e.getMessage());
            return Uni.createFrom().voidItem();
        }
        return Uni.createFrom().<Void>emitter(done -> enqueue(new Pending(key, done)))
                .onFailure().invoke(e -> LOG.warnf("could not store host key of %s: %s", deviceName, e.getMessage()))
                .onFailure().recoverWithNull();
    }

    private void enqueue(Pending pending) {
        synchronized (lock) {
            waiting.add(pending);
            if (writing) {
                return;
            }
            writing = true;
        }
        writeWaiting();
    }

    /** Writes what waits, then what arrived meanwhile, until nothing waits. */
    private void writeWaiting() {
        List<Pending> batch;
        synchronized (lock) {
            batch = waiting;
            waiting = new ArrayList<>();
            if (batch.isEmpty()) {
                writing = false;
                return;
            }
        }
        // one row per device: a device seen twice in a batch keeps its first key, as one after the other would
        Map<UUID, HostKeyRepository.Learned> rows = new LinkedHashMap<>();
        batch.forEach(pending -> rows.putIfAbsent(pending.key().deviceId(), pending.key()));
        repository.learn(new ArrayList<>(rows.values())).subscribe().with(stored -> {
            batch.forEach(pending -> pending.done().complete(null));
            writeWaiting();
        }, failure -> {
            batch.forEach(pending -> pending.done().fail(failure));
            writeWaiting();
        });
    }
}
