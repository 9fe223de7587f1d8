package io.junoscommander.backup.storage;

import io.junoscommander.backup.config.BackupConfig;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import org.jboss.logging.Logger;
import software.amazon.awssdk.auth.credentials.DefaultCredentialsProvider;
import software.amazon.awssdk.core.exception.SdkException;
import software.amazon.awssdk.core.sync.RequestBody;
import software.amazon.awssdk.core.checksums.RequestChecksumCalculation;
import software.amazon.awssdk.core.checksums.ResponseChecksumValidation;
import software.amazon.awssdk.http.urlconnection.UrlConnectionHttpClient;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.s3.S3Client;
import software.amazon.awssdk.services.s3.S3ClientBuilder;
import software.amazon.awssdk.services.s3.S3Configuration;
import software.amazon.awssdk.services.s3.model.CompletedPart;
import software.amazon.awssdk.services.s3.model.NoSuchKeyException;
import software.amazon.awssdk.services.s3.model.S3Exception;
import software.amazon.awssdk.services.s3.model.S3Object;

/**
 * Backups as objects in an S3 bucket (AWS or any S3-compatible server given by {@code BACKUP_S3_ENDPOINT}, reached with
 * path-style addresses). Large objects stream: they go up as a multipart upload of {@link #DEFAULT_PART_SIZE} parts read
 * one at a time into a single buffer (an upload that fails is aborted, so no half object and no orphaned parts remain),
 * and {@link #open} streams the object's body. Credentials come from the SDK's default chain ({@code AWS_ACCESS_KEY_ID}
 * and {@code AWS_SECRET_ACCESS_KEY}, a profile, or the pod's web identity).
 */
public final class S3Storage implements BackupStorage, AutoCloseable {

    public static final int DEFAULT_PART_SIZE = 16 << 20;
    /** S3 allows at most this many parts in one upload. */
    private static final int MAX_PARTS = 10_000;
    private static final Logger LOG = Logger.getLogger(S3Storage.class);

    private final S3Client s3;
    private final String bucket;
    private final String prefix;
    private final int partSize;
    private final int listPageSize;

    /** {@code listPageSize} below S3's 1,000 lets a test see the listing span pages. */
    S3Storage(S3Client s3, String bucket, String prefix, int partSize, int listPageSize) {
        this.s3 = s3;
        this.bucket = bucket;
        this.prefix = normalizePrefix(prefix);
        this.partSize = partSize;
        this.listPageSize = listPageSize;
    }

    /** The target {@code BACKUP_S3_*} describes. */
    public static S3Storage create(BackupConfig.S3 config) {
        String bucket = config.bucket().orElseThrow(() -> new IllegalArgumentException("BACKUP_S3_BUCKET is not set"));
        return new S3Storage(client(config.endpoint().filter(e -> !e.isBlank()).orElse(null), config.region()), bucket,
                config.prefix().orElse(""), DEFAULT_PART_SIZE, 1000);
    }

    /** A target of its own (a restore tool, a test) with the default part size. */
    public static S3Storage create(String endpoint, String region, String bucket, String prefix) {
        return new S3Storage(client(endpoint, region), bucket, prefix, DEFAULT_PART_SIZE, 1000);
    }

    /** A client for AWS ({@code endpoint} null) or an S3-compatible server at {@code endpoint} (path-style). */
    public static S3Client client(String endpoint, String region) {
        S3ClientBuilder builder = S3Client.builder().region(Region.of(region))
                .credentialsProvider(DefaultCredentialsProvider.builder().build())
                .httpClientBuilder(UrlConnectionHttpClient.builder().connectionTimeout(Duration.ofSeconds(10))
                        .socketTimeout(Duration.ofMinutes(2)));
        if (endpoint != null) {
            URI uri = URI.create(endpoint);
            if (uri.getScheme() == null || uri.getHost() == null) {
                throw new IllegalArgumentException("BACKUP_S3_ENDPOINT must be a URL such as https://minio.example:9000");
            }
            // S3-compatible servers differ in what they support of AWS's streaming extensions: s3rver stores an aws-chunked
            // body as it arrives, chunk signatures and all. Plain bodies (signed whole) and checksums only where the API
            // requires them work everywhere.
            builder.endpointOverride(uri).forcePathStyle(true).requestChecksumCalculation(RequestChecksumCalculation.WHEN_REQUIRED)
                    .responseChecksumValidation(ResponseChecksumValidation.WHEN_REQUIRED)
                    .serviceConfiguration(S3Configuration.builder().chunkedEncodingEnabled(false).build());
        }
        return builder.build();
    }

    @Override
    public String kind() {
        return "s3";
    }

    @Override
    public String describe() {
        return "s3://" + bucket + "/" + prefix;
    }

    @Override
    public boolean encrypted() {
        return false;
    }

    public String bucket() {
        return bucket;
    }

    /** The bucket key of a storage key: the configured prefix and the key. */
    public String bucketKey(String key) {
        return prefix + key;
    }

    @Override
    public void put(String key, Path source) throws IOException {
        try (InputStream content = Files.newInputStream(source)) {
            put(key, content);
        }
    }

    /** One PUT for content smaller than a part; a multipart upload, one part in memory at a time, for more. */
    @Override
    public void put(String key, InputStream content) throws IOException {
        String objectKey = bucketKey(key);
        byte[] part = new byte[partSize];
        int filled = content.readNBytes(part, 0, partSize);
        if (filled < partSize) {
            try {
                s3.putObject(b -> b.bucket(bucket).key(objectKey).contentType("application/octet-stream"), body(part, filled));
            } catch (SdkException e) {
                throw failure("upload of " + key, e);
            }
            return;
        }
        String uploadId;
        try {
            uploadId = s3.createMultipartUpload(b -> b.bucket(bucket).key(objectKey).contentType("application/octet-stream")).uploadId();
        } catch (SdkException e) {
            throw failure("upload of " + key, e);
        }
        try {
            List<CompletedPart> parts = new ArrayList<>();
            int length = filled;
            while (length > 0) {
                int number = parts.size() + 1;
                if (number > MAX_PARTS) {
                    throw new IOException("upload of " + key + " exceeds " + MAX_PARTS + " parts of " + partSize + " bytes");
                }
                String etag = s3.uploadPart(b -> b.bucket(bucket).key(objectKey).uploadId(uploadId).partNumber(number), body(part, length))
                        .eTag();
                parts.add(CompletedPart.builder().partNumber(number).eTag(etag).build());
                length = content.readNBytes(part, 0, partSize);
            }
            s3.completeMultipartUpload(b -> b.bucket(bucket).key(objectKey).uploadId(uploadId).multipartUpload(m -> m.parts(parts)));
        } catch (IOException | RuntimeException e) {
            abort(objectKey, uploadId, e);
            throw e instanceof SdkException sdk ? failure("upload of " + key, sdk) : e instanceof IOException io ? io
                    : new IOException("upload of " + key + " failed: " + e.getMessage(), e);
        }
    }

    @Override
    public InputStream open(String key) throws IOException {
        try {
            return s3.getObject(b -> b.bucket(bucket).key(bucketKey(key)));
        } catch (NoSuchKeyException e) {
            throw new NoSuchFileException(key);
        } catch (SdkException e) {
            throw failure("download of " + key, e);
        }
    }

    @Override
    public boolean exists(String key) throws IOException {
        try {
            s3.headObject(b -> b.bucket(bucket).key(bucketKey(key)));
            return true;
        } catch (NoSuchKeyException e) {
            return false;
        } catch (S3Exception e) {
            if (e.statusCode() == 404) {
                return false;
            }
            throw failure("lookup of " + key, e);
        } catch (SdkException e) {
            throw failure("lookup of " + key, e);
        }
    }

    /** Every page of the listing (S3 answers at most 1,000 keys a page). */
    @Override
    public List<StoredObject> list(String keyPrefix) throws IOException {
        List<StoredObject> objects = new ArrayList<>();
        try {
            for (S3Object object : s3.listObjectsV2Paginator(b -> b.bucket(bucket).prefix(prefix + keyPrefix).maxKeys(listPageSize))
                    .contents()) {
                objects.add(new StoredObject(object.key().substring(prefix.length()), object.size(), object.lastModified()));
            }
        } catch (SdkException e) {
            throw failure("listing of " + keyPrefix, e);
        }
        objects.sort(Comparator.comparing(StoredObject::key));
        return objects;
    }

    @Override
    public void delete(String key) throws IOException {
        try {
            s3.deleteObject(b -> b.bucket(bucket).key(bucketKey(key)));
        } catch (SdkException e) {
            throw failure("deletion of " + key, e);
        }
    }

    @Override
    public void close() {
        s3.close();
    }

    /** The part as a body the SDK can read twice (once to sign it, once to send it) without copying it. */
    private static RequestBody body(byte[] buffer, int length) {
        return RequestBody.fromContentProvider(() -> new ByteArrayInputStream(buffer, 0, length), length, "application/octet-stream");
    }

    private void abort(String objectKey, String uploadId, Exception cause) {
        try {
            s3.abortMultipartUpload(b -> b.bucket(bucket).key(objectKey).uploadId(uploadId));
        } catch (SdkException e) {
            LOG.warnf("could not abort the failed multipart upload of %s (the bucket's lifecycle rule must clean it): %s", objectKey,
                    e.getMessage());
            cause.addSuppressed(e);
        }
    }

    private IOException failure(String what, SdkException e) {
        return new IOException(what + " in " + describe() + " failed: " + e.getMessage(), e);
    }

    static String normalizePrefix(String prefix) {
        String trimmed = prefix.strip();
        while (trimmed.startsWith("/")) {
            trimmed = trimmed.substring(1);
        }
        while (trimmed.endsWith("/")) {
            trimmed = trimmed.substring(0, trimmed.length() - 1);
        }
        return trimmed.isEmpty() ? "" : trimmed + "/";
    }
}
