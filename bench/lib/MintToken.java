import io.junoscommander.support.security.InternalTokenMinter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyFactory;
import java.security.PrivateKey;
import java.security.spec.PKCS8EncodedKeySpec;
import java.util.Base64;
import java.util.List;

/**
 * Prints an internal token of the admin as the gateway mints it (InternalTokenMinter.sign, ES256, 60 s), signed with the
 * PKCS#8 EC private key in PEM form at args[0]: the shell benchmarks' direct calls to a service. Run on the gateway's test
 * class path (bench/lib/gateway-over-device.sh writes it): java -cp "$(cat gateway-service/target/bench.classpath)" bench/lib/MintToken.java KEY
 */
public final class MintToken {

    public static void main(String[] args) throws Exception {
        String base64 = Files.readString(Path.of(args[0])).replaceAll("-----(BEGIN|END) [A-Z ]+-----", "").replaceAll("\\s", "");
        PrivateKey key = KeyFactory.getInstance("EC").generatePrivate(new PKCS8EncodedKeySpec(Base64.getDecoder().decode(base64)));
        System.out.println(InternalTokenMinter.sign(key, "admin", List.of("admin"), InternalTokenMinter.LIFETIME));
    }
}
