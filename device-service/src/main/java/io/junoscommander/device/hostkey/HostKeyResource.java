package io.junoscommander.device.hostkey;

import io.junoscommander.support.problem.ProblemException;
import io.junoscommander.support.security.Roles;
import io.smallrye.mutiny.Uni;
import jakarta.annotation.security.RolesAllowed;
import jakarta.validation.constraints.NotBlank;
import jakarta.validation.constraints.NotNull;
import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.DELETE;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.PUT;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;
import java.security.PublicKey;
import java.util.UUID;
import org.apache.sshd.common.config.keys.KeyUtils;
import org.apache.sshd.common.config.keys.PublicKeyEntry;
import org.jboss.logging.Logger;

/** A device's SSH host key: see it, pin one in advance (strict), or forget it so the next connection learns it again. */
@Path("/api/v1/devices/{id}/host-key")
@Produces(MediaType.APPLICATION_JSON)
public class HostKeyResource {

    private static final Logger SECURITY = Logger.getLogger("security");

    private final HostKeyRepository repository;

    HostKeyResource(HostKeyRepository repository) {
        this.repository = repository;
    }

    /** An OpenSSH public key line, e.g. {@code ecdsa-sha2-nistp256 AAAA...}. */
    public record PinRequest(@NotBlank String publicKey) {
    }

    @GET
    @RolesAllowed(Roles.VIEWER)
    public Uni<HostKeyRepository.HostKey> get(@PathParam("id") UUID id) {
        return repository.find(id).map(found -> found.orElseThrow(() -> ProblemException.notFound("host key of device " + id)));
    }

    @PUT
    @Consumes(MediaType.APPLICATION_JSON)
    @RolesAllowed(Roles.ADMIN)
    public Uni<HostKeyRepository.HostKey> pin(@PathParam("id") UUID id, @NotNull PinRequest request) {
        PublicKey key;
        try {
            key = PublicKeyEntry.parsePublicKeyEntry(request.publicKey().strip()).resolvePublicKey(null, null, null);
        } catch (Exception e) {
            throw ProblemException.badRequest("publicKey", "not an OpenSSH public key line");
        }
        if (key == null) {
            throw ProblemException.badRequest("publicKey", "not an OpenSSH public key line");
        }
        String fingerprint = KeyUtils.getFingerPrint(key);
        return repository.pin(id, KeyUtils.getKeyType(key), fingerprint, PublicKeyEntry.toString(key))
                .onFailure(e -> e instanceof io.vertx.pgclient.PgException pg && "23503".equals(pg.getSqlState()))
                .transform(e -> ProblemException.notFound("device " + id))
                .invoke(pinned -> SECURITY.infof("host key pinned for device %s: %s", id, fingerprint));
    }

    @DELETE
    @RolesAllowed(Roles.ADMIN)
    public Uni<Response> forget(@PathParam("id") UUID id) {
        return repository.forget(id).map(deleted -> {
            if (!deleted) {
                throw ProblemException.notFound("host key of device " + id);
            }
            SECURITY.infof("host key forgotten for device %s; the next connection learns it again", id);
            return Response.noContent().build();
        });
    }
}
