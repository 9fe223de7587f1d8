package io.junoscommander.device.ssh;

import java.util.UUID;

/**
 * Everything needed to reach one device: address, platform, decrypted login and the host key on record (if any). Lives
 * only for the operation; {@link #toString()} never shows a secret.
 */
public record DeviceTarget(UUID deviceId, String name, String host, int port, String platform, String username, String password,
        String privateKey, String passphrase, String knownHostKey, boolean hostKeyPinned) {

    public boolean isJunos() {
        return "junos".equals(platform);
    }

    /**
     * Sessions are shared only between operations with the same address and login (a key learned on first use does not
     * change it: the session was opened with that very key).
     */
    String sessionKey() {
        return deviceId + "|" + host + ":" + port + "|" + username + "|" + Integer.toHexString(java.util.Objects.hash(password,
                privateKey, passphrase, hostKeyPinned ? knownHostKey : null));
    }

    @Override
    public String toString() {
        return "DeviceTarget[" + name + " " + host + ":" + port + " " + platform + "]";
    }
}
