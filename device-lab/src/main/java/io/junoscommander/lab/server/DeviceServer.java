package io.junoscommander.lab.server;

import io.junoscommander.lab.cli.CliSession;
import io.junoscommander.lab.fault.DeviceFaults;
import io.junoscommander.lab.fault.FaultKind;
import java.io.IOException;
import java.security.KeyPair;
import java.security.PublicKey;
import java.util.List;
import java.util.function.BiFunction;
import org.apache.sshd.common.config.keys.KeyUtils;
import org.apache.sshd.common.io.nio2.Nio2ServiceFactoryFactory;
import org.apache.sshd.common.keyprovider.KeyPairProvider;
import org.apache.sshd.common.session.Session;
import org.apache.sshd.common.session.SessionListener;
import org.apache.sshd.common.util.threads.ThreadUtils;
import org.apache.sshd.core.CoreModuleProperties;
import org.apache.sshd.server.SshServer;

/** The MINA SSHD server of one simulated device, wired to the lab's shared threads, counters and the device's faults. */
public final class DeviceServer implements AutoCloseable {

    /** What a device server needs to know; {@code port} 0 picks a free port; the host keys are offered in this order. */
    public record Settings(String deviceName, String host, int port, List<KeyPair> hostKeys, String username, String password,
            List<PublicKey> authorizedKeys) {
    }

    private final SshServer server;

    /**
     * @param cliFactory opens a CLI for (login user, terminal rows) on each shell or exec channel
     */
    public DeviceServer(Settings settings, SharedResources shared, SessionCounter counter, DeviceFaults faults,
            BiFunction<String, Integer, CliSession> cliFactory) {
        server = SshServer.setUpDefaultServer();
        server.setHost(settings.host());
        server.setPort(settings.port());
        server.setKeyPairProvider(KeyPairProvider.wrap(settings.hostKeys()));
        // Without TCP_NODELAY every small response waits for the peer's delayed ACK (measured: 3x slower).
        CoreModuleProperties.TCP_NODELAY.set(server, true);
        server.setIoServiceFactoryFactory(new Nio2ServiceFactoryFactory(() -> ThreadUtils.noClose(shared.ioPool())));
        server.setScheduledExecutorService(shared.scheduler(), false);
        server.setPasswordAuthenticator((username, password, session) -> !faults.has(FaultKind.WRONG_PASSWORD)
                && settings.username().equals(username) && settings.password().equals(password));
        if (!settings.authorizedKeys().isEmpty()) {
            server.setPublickeyAuthenticator((username, key, session) -> settings.username().equals(username)
                    && settings.authorizedKeys().stream().anyMatch(authorized -> KeyUtils.compareKeys(authorized, key)));
        }
        server.setShellFactory(channel -> new CliShellCommand(shared.cliWorkers(), cliFactory, faults));
        server.setCommandFactory((channel, command) -> new CliExecCommand(command, shared.cliWorkers(), cliFactory, faults));
        String name = settings.deviceName();
        counter.register(name);
        server.addSessionListener(new SessionListener() {
            @Override
            public void sessionCreated(Session session) {
                counter.opened(name);
            }

            @Override
            public void sessionClosed(Session session) {
                counter.closed(name);
            }
        });
    }

    public void start() throws IOException {
        server.start();
    }

    /** The bound port (the chosen one when the settings asked for 0). */
    public int port() {
        return server.getPort();
    }

    @Override
    public void close() throws IOException {
        server.stop(true);
    }
}
