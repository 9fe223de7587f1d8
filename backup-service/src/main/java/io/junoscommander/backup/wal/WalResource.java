package io.junoscommander.backup.wal;

import io.junoscommander.support.security.Roles;
import io.smallrye.mutiny.Uni;
import jakarta.annotation.security.RolesAllowed;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.MediaType;

/** The continuous WAL archive: whether and where its receiver runs, how far it trails, the last segment archived. */
@Path("/api/v1/backups/wal")
@Produces(MediaType.APPLICATION_JSON)
public class WalResource {

    private final WalStatus status;

    WalResource(WalStatus status) {
        this.status = status;
    }

    @GET
    @RolesAllowed(Roles.VIEWER)
    public Uni<WalStatusView> get() {
        return status.current();
    }
}
