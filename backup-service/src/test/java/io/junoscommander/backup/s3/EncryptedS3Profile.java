package io.junoscommander.backup.s3;

import io.junoscommander.infra.S3Server;
import io.quarkus.test.junit.QuarkusTestProfile;
import java.security.SecureRandom;
import java.util.Base64;
import java.util.Map;

/**
 * The service writing to a real S3-compatible server (s3rver) under a key prefix, with client-side encryption, configured
 * through the same environment variable names an operator sets. Quarkus loads this class in more than one class loader,
 * so what the test must share with the service (the server, the bucket, the key) lives in system properties, not statics.
 */
public class EncryptedS3Profile implements QuarkusTestProfile {

    static final String BUCKET = "jc-backups-test";
    static final String PREFIX = "cluster-a";

    @Override
    public Map<String, String> getConfigOverrides() {
        return Map.of("BACKUP_S3_BUCKET", BUCKET, "BACKUP_S3_ENDPOINT", endpoint(), "BACKUP_S3_REGION", "us-east-1",
                "BACKUP_S3_PREFIX", PREFIX + "/", "BACKUP_ENCRYPTION_KEY", key());
    }

    /** Starts the JVM's s3rver with the bucket once; the SDK's default chain reads the credentials from system properties. */
    static synchronized String endpoint() {
        String endpoint = System.getProperty("jc.test.s3.endpoint");
        if (endpoint == null) {
            S3Server s3 = S3Server.shared();
            s3.createBucket(BUCKET);
            System.setProperty("aws.accessKeyId", s3.accessKeyId());
            System.setProperty("aws.secretAccessKey", s3.secretAccessKey());
            endpoint = s3.endpoint();
            System.setProperty("jc.test.s3.endpoint", endpoint);
        }
        return endpoint;
    }

    /** The service's BACKUP_ENCRYPTION_KEY: random, one per test JVM. */
    static synchronized String key() {
        String key = System.getProperty("jc.test.backup-key");
        if (key == null) {
            key = newKey();
            System.setProperty("jc.test.backup-key", key);
        }
        return key;
    }

    static String newKey() {
        byte[] key = new byte[32];
        new SecureRandom().nextBytes(key);
        return Base64.getEncoder().encodeToString(key);
    }
}
