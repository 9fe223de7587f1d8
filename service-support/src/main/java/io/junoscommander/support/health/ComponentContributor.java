package io.junoscommander.support.health;

import io.smallrye.mutiny.Uni;
import java.util.List;

/**
 * More components for {@code /health/detailed} from a service, e.g. the gateway's downstream services. They are shown
 * beside PostgreSQL and Redis; unless {@link #critical()}, a DOWN one does not turn the page's status DOWN (a service's
 * readiness must not follow its neighbours', or one failure cascades).
 */
public interface ComponentContributor {

    /** Each probe bounded by its own timeout; never fails (a failed probe is a DOWN report). */
    Uni<List<ComponentReport>> components();

    default boolean critical() {
        return false;
    }
}
