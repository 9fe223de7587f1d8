package io.junoscommander.device.credential;

import io.quarkus.hibernate.reactive.panache.PanacheEntityBase;
import jakarta.persistence.Column;
import jakarta.persistence.Entity;
import jakarta.persistence.Id;
import jakarta.persistence.Table;
import java.time.OffsetDateTime;
import java.util.UUID;

/** A row of {@code device.credential}: metadata in clear, secrets as ciphertexts under {@code keyId}. */
@Entity
@Table(name = "credential")
public class CredentialEntity extends PanacheEntityBase {

    @Id
    public UUID id;

    @Column(nullable = false, unique = true)
    public String name;

    @Column(nullable = false)
    public String username;

    @Column(name = "key_id", nullable = false)
    public String keyId;

    @Column(name = "password_secret")
    public byte[] passwordSecret;

    @Column(name = "private_key_secret")
    public byte[] privateKeySecret;

    @Column(name = "passphrase_secret")
    public byte[] passphraseSecret;

    @Column(name = "created_at", nullable = false)
    public OffsetDateTime createdAt;

    @Column(name = "updated_at", nullable = false)
    public OffsetDateTime updatedAt;

    /** Takes what a sealed credential holds (name, login and secrets under their key); id and times stay. */
    void apply(Credential sealed) {
        name = sealed.name();
        username = sealed.username();
        keyId = sealed.keyId();
        passwordSecret = sealed.passwordSecret();
        privateKeySecret = sealed.privateKeySecret();
        passphraseSecret = sealed.passphraseSecret();
    }

    Credential credential() {
        return new Credential(id, name, username, keyId, passwordSecret, privateKeySecret, passphraseSecret, createdAt, updatedAt);
    }

    @Override
    public String toString() {
        return "CredentialEntity[" + id + ", " + name + "]";
    }
}
