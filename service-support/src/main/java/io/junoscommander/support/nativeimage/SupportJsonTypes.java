package io.junoscommander.support.nativeimage;

import io.junoscommander.support.health.ComponentReport;
import io.junoscommander.support.health.DetailedHealthRoute;
import io.junoscommander.support.problem.Problem;
import io.quarkus.runtime.annotations.RegisterForReflection;

/**
 * For the {@code native} profile: records that Jackson writes outside a REST method's declared return type (problem+json
 * bodies built by mappers and route handlers, {@code /health/detailed} written by a management route), so Quarkus REST
 * does not register them by itself. A native image reads record components by reflection; unregistered, they would
 * serialize as {@code {}}.
 */
@RegisterForReflection(targets = {Problem.class, Problem.FieldError.class, DetailedHealthRoute.DetailedHealth.class,
        ComponentReport.class})
public final class SupportJsonTypes {

    private SupportJsonTypes() {
    }
}
