package io.junoscommander.device.nativeimage;

import io.quarkus.runtime.annotations.RegisterForReflection;

/**
 * For the {@code native} profile: what Apache MINA SSHD and the EdDSA provider create by class name. SSHD's
 * {@code SecurityUtils} instantiates its security provider registrars reflectively and the default IO service factory
 * (NIO2) likewise; the JCA instantiates a provider's key factory, key pair generator and signature engine by name. The
 * provider itself must also be known to the image builder ({@code -H:AdditionalSecurityProviders}, application.properties).
 * Names rather than class literals: the BouncyCastle registrar is absent on purpose (no BouncyCastle provider in this
 * service), and these are implementation classes the code never touches directly.
 */
@RegisterForReflection(classNames = {
    "org.apache.sshd.common.util.security.SunJCESecurityProviderRegistrar",
    "org.apache.sshd.common.util.security.eddsa.EdDSASecurityProviderRegistrar",
    "org.apache.sshd.common.io.nio2.Nio2ServiceFactoryFactory",
    "net.i2p.crypto.eddsa.EdDSASecurityProvider",
    "net.i2p.crypto.eddsa.KeyFactory",
    "net.i2p.crypto.eddsa.KeyPairGenerator",
    "net.i2p.crypto.eddsa.EdDSAEngine"})
public final class SshReflection {

    private SshReflection() {
    }
}
