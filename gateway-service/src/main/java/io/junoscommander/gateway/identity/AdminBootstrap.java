package io.junoscommander.gateway.identity;

import io.junoscommander.gateway.GatewayConfig;
import io.junoscommander.gateway.security.PasswordHasher;
import io.junoscommander.support.security.Roles;
import io.quarkus.runtime.StartupEvent;
import io.quarkus.vertx.VertxContextSupport;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Optional;
import org.jboss.logging.Logger;

/**
 * At start: when {@code ADMIN_USERNAME} names no user yet, creates it as admin with {@code ADMIN_PASSWORD} (or the content of
 * {@code ADMIN_PASSWORD_FILE}, a mounted secret). Safe with several replicas starting at once (insert-if-absent); an existing
 * user is never changed, so rotating the variable does not reset a password changed since.
 */
@ApplicationScoped
public class AdminBootstrap {

    private static final Logger LOG = Logger.getLogger(AdminBootstrap.class);
    private static final Duration WAIT = Duration.ofSeconds(30);

    private final GatewayConfig.Admin admin;
    private final UserRepository users;
    private final PasswordHasher hasher;

    AdminBootstrap(GatewayConfig config, UserRepository users, PasswordHasher hasher) {
        this.admin = config.admin();
        this.users = users;
        this.hasher = hasher;
    }

    void onStart(@Observes StartupEvent event) {
        Optional<String> username = admin.username().filter(name -> !name.isBlank());
        Optional<String> password = password();
        if (username.isEmpty() || password.isEmpty()) {
            LOG.info("no ADMIN_USERNAME/ADMIN_PASSWORD given: no first admin is created");
            return;
        }
        try {
            // Hibernate Reactive needs a Vert.x context: the start event runs on the main thread
            boolean exists = VertxContextSupport.subscribeAndAwait(() -> users.find(username.get()).ifNoItem().after(WAIT).fail())
                    .isPresent();
            if (exists) {
                return;
            }
            String hash = hasher.hash(password.get());
            boolean created = VertxContextSupport.subscribeAndAwait(() -> users.insert(username.get(), hash, Roles.ADMIN)
                    .ifNoItem().after(WAIT).fail()).isPresent();
            if (created) {
                LOG.infof("first admin '%s' created", username.get());
            }
        } catch (Error e) {
            throw e;
        } catch (Throwable e) {
            LOG.errorf("could not create the first admin '%s': %s", username.get(), e.getMessage());
        }
    }

    private Optional<String> password() {
        Optional<String> file = admin.passwordFile().filter(name -> !name.isBlank());
        if (file.isPresent()) {
            try {
                return Optional.of(Files.readString(Path.of(file.get())).strip()).filter(p -> !p.isEmpty());
            } catch (IOException e) {
                LOG.errorf("ADMIN_PASSWORD_FILE %s cannot be read: %s", file.get(), e.getMessage());
                return Optional.empty();
            }
        }
        return admin.password().filter(p -> !p.isEmpty());
    }
}
