package io.junoscommander.device.credential;

import jakarta.validation.constraints.AssertTrue;
import jakarta.validation.constraints.NotBlank;
import jakarta.validation.constraints.Pattern;
import jakarta.validation.constraints.Size;

/** Create or replace a credential: a username and a password and/or a private key (PEM, OpenSSH format) with its passphrase. */
public record CredentialRequest(
        @NotBlank @Size(max = 128) @Pattern(regexp = "[A-Za-z0-9][A-Za-z0-9._-]*", message = "letters, digits, '.', '_', '-'")
        String name,
        @NotBlank @Size(max = 128) String username,
        @Size(max = 1024) String password,
        @Size(max = 16384) String privateKey,
        @Size(max = 1024) String passphrase) {

    @AssertTrue(message = "a password or a private key is required")
    public boolean isSecretPresent() {
        return (password != null && !password.isEmpty()) || (privateKey != null && !privateKey.isBlank());
    }

    @AssertTrue(message = "a passphrase needs a private key")
    public boolean isPassphraseWithKey() {
        return passphrase == null || passphrase.isEmpty() || (privateKey != null && !privateKey.isBlank());
    }

    /** Secrets never reach a log through toString. */
    @Override
    public String toString() {
        return "CredentialRequest[name=" + name + ", username=" + username + ", password=" + (password == null ? "none" : "***")
                + ", privateKey=" + (privateKey == null ? "none" : "***") + "]";
    }
}
