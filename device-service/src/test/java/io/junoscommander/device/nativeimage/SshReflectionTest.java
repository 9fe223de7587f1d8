package io.junoscommander.device.nativeimage;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatCode;

import io.quarkus.runtime.annotations.RegisterForReflection;
import java.security.Provider;
import org.junit.jupiter.api.Test;

/**
 * The native registrations name classes by string (no GraalVM here to build an image with them): a renamed or missing class
 * would only show up in a native executable at run time. This checks each name against the real classpath, and that the
 * EdDSA provider registered for the image builder serves the algorithms whose engine classes are registered.
 */
class SshReflectionTest {

    @Test
    void everyClassNamedForReflectionExistsOnTheServiceClasspath() {
        String[] names = SshReflection.class.getAnnotation(RegisterForReflection.class).classNames();
        assertThat(names).isNotEmpty();
        for (String name : names) {
            assertThatCode(() -> Class.forName(name, false, getClass().getClassLoader())).as(name).doesNotThrowAnyException();
        }
    }

    @Test
    void theEdDsaProviderServesItsEnginesFromTheRegisteredClasses() throws Exception {
        Provider provider = (Provider) Class.forName("net.i2p.crypto.eddsa.EdDSASecurityProvider").getDeclaredConstructor()
                .newInstance();
        assertThat(provider.getService("KeyFactory", "EdDSA").getClassName()).isEqualTo("net.i2p.crypto.eddsa.KeyFactory");
        assertThat(provider.getService("KeyPairGenerator", "EdDSA").getClassName()).isEqualTo("net.i2p.crypto.eddsa.KeyPairGenerator");
        assertThat(provider.getService("Signature", "NONEwithEdDSA").getClassName()).isEqualTo("net.i2p.crypto.eddsa.EdDSAEngine");
        assertThat(SshReflection.class.getAnnotation(RegisterForReflection.class).classNames())
                .contains("net.i2p.crypto.eddsa.KeyFactory", "net.i2p.crypto.eddsa.KeyPairGenerator", "net.i2p.crypto.eddsa.EdDSAEngine");
    }
}
