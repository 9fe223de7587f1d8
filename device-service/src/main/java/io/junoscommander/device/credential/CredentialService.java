package io.junoscommander.device.credential;

import io.junoscommander.support.persistence.Rows;
import io.junoscommander.support.problem.ProblemException;
import io.smallrye.mutiny.Uni;
import jakarta.enterprise.context.ApplicationScoped;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.jboss.logging.Logger;

/** The vault: encrypts on the way in, decrypts only for an SSH login, re-encrypts under a new master key. */
@ApplicationScoped
public class CredentialService {

    private static final Logger SECURITY = Logger.getLogger("security");

    private final CredentialRepository repository;
    private final SecretCipher cipher;

    CredentialService(CredentialRepository repository, SecretCipher cipher) {
        this.repository = repository;
        this.cipher = cipher;
    }

    /** Plain secrets for one login; lives only as long as the SSH authentication that needs it. */
    public record Secrets(String username, String password, String privateKey, String passphrase) {
        @Override
        public String toString() {
            return "Secrets[username=" + username + ", ***]";
        }
    }

    public String activeKeyId() {
        return cipher.activeKeyId();
    }

    public Uni<Credential> create(CredentialRequest request) {
        return repository.insert(seal(UUID.randomUUID(), request)).onFailure(Rows::isUniqueViolation)
                .transform(e -> ProblemException.conflict("a credential named '" + request.name() + "' already exists"));
    }

    public Uni<Credential> replace(UUID id, CredentialRequest request) {
        return repository.update(seal(id, request)).onFailure(Rows::isUniqueViolation)
                .transform(e -> ProblemException.conflict("a credential named '" + request.name() + "' already exists"))
                .map(updated -> updated.orElseThrow(() -> ProblemException.notFound("credential " + id)));
    }

    public Uni<Void> delete(UUID id) {
        return repository.devicesUsing(id).flatMap(count -> {
            if (count > 0) {
                return Uni.createFrom().failure(ProblemException.conflict("credential " + id + " is used by " + count + " device(s)"));
            }
            return repository.delete(id).map(deleted -> {
                if (!deleted) {
                    throw ProblemException.notFound("credential " + id);
                }
                return null;
            });
        });
    }

    /** Plain secrets of several credentials, read in one query; an id with no credential is a 404 naming it. */
    public Uni<Map<UUID, Secrets>> secrets(List<UUID> ids) {
        return repository.findAll(ids).map(found -> {
            Map<UUID, Secrets> opened = new HashMap<>();
            found.forEach(credential -> opened.put(credential.id(), open(credential)));
            ids.stream().filter(id -> !opened.containsKey(id)).findFirst().ifPresent(missing -> {
                throw ProblemException.notFound("credential " + missing);
            });
            return opened;
        });
    }

    Secrets open(Credential c) {
        return new Secrets(c.username(), open(c, "password", c.passwordSecret()), open(c, "private_key", c.privateKeySecret()),
                open(c, "passphrase", c.passphraseSecret()));
    }

    /** Re-encrypts every secret not under the active key, in one transaction; returns how many credentials moved. */
    public Uni<Integer> reencryptUnderActiveKey() {
        String active = cipher.activeKeyId();
        return repository.resealNotUnderKey(active, stale -> {
            Secrets plain = open(stale);
            return seal(stale.id(), new CredentialRequest(stale.name(), stale.username(), plain.password(), plain.privateKey(),
                    plain.passphrase()));
        }).invoke(count -> SECURITY.infof("credential re-encryption: %d credential(s) moved to key %s", count, active));
    }

    private Credential seal(UUID id, CredentialRequest r) {
        return new Credential(id, r.name(), r.username(), cipher.activeKeyId(), seal(id, "password", r.password()),
                seal(id, "private_key", blankToNull(r.privateKey())), seal(id, "passphrase", r.passphrase()), null, null);
    }

    private byte[] seal(UUID id, String field, String plaintext) {
        return plaintext == null || plaintext.isEmpty() ? null : cipher.encrypt(plaintext, Credential.binding(id, field));
    }

    private String open(Credential c, String field, byte[] blob) {
        return blob == null ? null : cipher.decrypt(c.keyId(), blob, Credential.binding(c.id(), field));
    }

    private static String blankToNull(String value) {
        return value == null || value.isBlank() ? null : value;
    }
}
