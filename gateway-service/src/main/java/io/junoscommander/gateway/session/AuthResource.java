package io.junoscommander.gateway.session;

import io.junoscommander.gateway.GatewayConfig;
import io.junoscommander.gateway.audit.AuditRecorder;
import io.junoscommander.gateway.identity.User;
import io.junoscommander.gateway.identity.UserService;
import io.junoscommander.gateway.security.GatewayPrincipal;
import io.junoscommander.gateway.security.PasswordHasher;
import io.junoscommander.gateway.security.SecurityLog;
import io.junoscommander.gateway.security.Tokens;
import io.junoscommander.support.problem.ProblemException;
import io.junoscommander.support.security.Roles;
import io.quarkus.security.identity.SecurityIdentity;
import io.smallrye.mutiny.Uni;
import io.vertx.ext.web.RoutingContext;
import jakarta.annotation.security.PermitAll;
import jakarta.annotation.security.RolesAllowed;
import jakarta.validation.Valid;
import jakarta.validation.constraints.NotBlank;
import jakarta.validation.constraints.NotNull;
import jakarta.validation.constraints.Size;
import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.DELETE;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.QueryParam;
import jakarta.ws.rs.core.Context;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.NewCookie;
import jakarta.ws.rs.core.Response;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import org.eclipse.microprofile.openapi.annotations.Operation;
import org.eclipse.microprofile.openapi.annotations.tags.Tag;

/** Login, logout, who am I, sessions, own password. */
@Path("/api/v1/auth")
@Produces(MediaType.APPLICATION_JSON)
@Tag(name = "auth", description = "Sessions and the caller's own account")
public class AuthResource {

    private final UserService users;
    private final SessionStore sessions;
    private final LoginThrottle throttle;
    private final PasswordHasher hasher;
    private final GatewayConfig config;
    private final SecurityIdentity identity;

    AuthResource(UserService users, SessionStore sessions, LoginThrottle throttle, PasswordHasher hasher, GatewayConfig config,
            SecurityIdentity identity) {
        this.users = users;
        this.sessions = sessions;
        this.throttle = throttle;
        this.hasher = hasher;
        this.config = config;
        this.identity = identity;
    }

    public record LoginRequest(@NotBlank @Size(max = 64) String username, @NotNull @Size(max = 1024) String password) {
    }

    public record LoginResponse(String token, Instant expiresAt, String username, String role) {
    }

    public record Me(String username, String role, List<String> roles, String credential) {
    }

    public record PasswordChange(@NotNull String currentPassword, @NotNull String newPassword) {
    }

    @POST
    @Path("/login")
    @PermitAll
    @Consumes(MediaType.APPLICATION_JSON)
    @Operation(summary = "Log in (open): returns an opaque session token, also set as the JC_SESSION cookie. "
            + "401 invalid-credentials; 429 login-locked with Retry-After after repeated failures")
    public Uni<Response> login(@Valid @NotNull LoginRequest request, @Context RoutingContext context) {
        String address = context.request().remoteAddress() == null ? "unknown" : context.request().remoteAddress().hostAddress();
        String username = request.username().strip();
        context.put(AuditRecorder.ACTOR, username);
        return throttle.lockedFor(username, address).flatMap(locked -> {
            if (!locked.isZero()) {
                SecurityLog.LOG.warnf("login refused user=%s address=%s reason=locked retryAfterSeconds=%d", SecurityLog.safe(username),
                        address, seconds(locked));
                return Uni.createFrom().failure(lockedProblem(locked));
            }
            return users.find(username).flatMap(found -> UserService.offloaded(() -> check(found, request.password())))
                    .flatMap(user -> user.isPresent() ? succeed(user.get(), address, context)
                            : fail(username, address, found(username)));
        });
    }

    private Optional<User> check(Optional<User> found, String password) {
        if (found.isEmpty()) {
            hasher.verifyDummy(password);
            return Optional.empty();
        }
        return found.get().enabled() && hasher.verify(password, found.get().passwordHash()) ? found : Optional.empty();
    }

    private Uni<Response> succeed(User user, String address, RoutingContext context) {
        String token = Tokens.newSessionToken();
        return sessions.create(token, user.username(), user.role(), address, context.request().getHeader("User-Agent"))
                .call(expiresAt -> throttle.succeeded(user.username())).map(expiresAt -> {
                    SecurityLog.LOG.infof("login user=%s address=%s", user.username(), address);
                    NewCookie cookie = new NewCookie.Builder(config.session().cookieName()).value(token).path("/").httpOnly(true)
                            .secure(true).sameSite(NewCookie.SameSite.STRICT).maxAge((int) config.session().ttl().toSeconds()).build();
                    return Response.ok(new LoginResponse(token, expiresAt, user.username(), user.role())).cookie(cookie).build();
                });
    }

    private Uni<Response> fail(String username, String address, Uni<String> reason) {
        return reason.flatMap(why -> throttle.fail(username, address).flatMap(failure -> {
            SecurityLog.LOG.warnf("login failed user=%s address=%s reason=%s userFailures=%d addressFailures=%d locked=%s",
                    SecurityLog.safe(username), address, why, failure.userFailures(), failure.addressFailures(), failure.locked());
            ProblemException problem = new ProblemException(401, "invalid-credentials", "Invalid credentials",
                    "Unknown user, wrong password or disabled account", List.of());
            Uni<Response> refused = Uni.createFrom().failure(problem);
            return failure.delay().isZero() ? refused : refused.onFailure().call(e -> Uni.createFrom().voidItem()
                    .onItem().delayIt().by(failure.delay()));
        }));
    }

    /** Why a login failed, for the security log only (the caller always gets the same answer). */
    private Uni<String> found(String username) {
        return users.find(username).map(user -> user.isEmpty() ? "unknown-user" : user.get().enabled() ? "wrong-password" : "disabled")
                .onFailure().recoverWithItem("unknown");
    }

    @POST
    @Path("/logout")
    @RolesAllowed(Roles.VIEWER)
    @Operation(summary = "End the current session (viewer+); clears the cookie. 503 session-store-unavailable with Retry-After "
            + "while Redis is unreachable: not done, retry (the replica that answered refuses the session at once)")
    public Uni<Response> logout() {
        GatewayPrincipal principal = GatewayPrincipal.of(identity);
        Uni<Boolean> revoked = principal != null && GatewayPrincipal.SESSION.equals(principal.credential())
                ? sessions.revoke(principal.credentialId()) : Uni.createFrom().item(false);
        return revoked.map(ignored -> Response.noContent().cookie(new NewCookie.Builder(config.session().cookieName()).value("")
                .path("/").httpOnly(true).secure(true).sameSite(NewCookie.SameSite.STRICT).maxAge(0).build()).build());
    }

    @GET
    @Path("/me")
    @RolesAllowed(Roles.VIEWER)
    @Operation(summary = "Who is calling (viewer+): user, role, expanded roles, credential kind")
    public Me me() {
        GatewayPrincipal principal = GatewayPrincipal.of(identity);
        return new Me(principal.username(), principal.role(), Roles.ALL.stream().filter(principal.roles()::contains).toList(),
                principal.credential());
    }

    @POST
    @Path("/password")
    @RolesAllowed(Roles.VIEWER)
    @Consumes(MediaType.APPLICATION_JSON)
    @Operation(summary = "Change your own password (viewer+); your other sessions end")
    public Uni<Response> changePassword(@Valid @NotNull PasswordChange change) {
        GatewayPrincipal principal = GatewayPrincipal.of(identity);
        String keep = GatewayPrincipal.SESSION.equals(principal.credential()) ? principal.credentialId() : null;
        return users.changeOwnPassword(principal.username(), change.currentPassword(), change.newPassword(), keep)
                .map(ignored -> Response.noContent().build());
    }

    @GET
    @Path("/sessions")
    @RolesAllowed(Roles.VIEWER)
    @Operation(summary = "Your sessions (viewer+); ?username= someone else's (admin)")
    public Uni<List<SessionView>> listSessions(@QueryParam("username") String username) {
        GatewayPrincipal principal = GatewayPrincipal.of(identity);
        String whose = subject(principal, username);
        return sessions.list(whose).map(found -> found.stream().map(s -> SessionView.of(s, s.id().equals(principal.credentialId())))
                .toList());
    }

    @DELETE
    @Path("/sessions")
    @RolesAllowed(Roles.VIEWER)
    @Operation(summary = "End all your other sessions (viewer+); ?username= all of someone else's (admin)")
    public Uni<RevokedCount> revokeSessions(@QueryParam("username") String username) {
        GatewayPrincipal principal = GatewayPrincipal.of(identity);
        String whose = subject(principal, username);
        String keep = whose.equals(principal.username()) ? principal.credentialId() : null;
        return sessions.revokeAll(whose, keep).invoke(n -> SecurityLog.LOG.infof("sessions revoked user=%s by=%s count=%d", whose,
                principal.username(), n)).map(RevokedCount::new);
    }

    @DELETE
    @Path("/sessions/{id}")
    @RolesAllowed(Roles.VIEWER)
    @Operation(summary = "End one session by id (viewer+ for your own; admin for anyone's). 404 when unknown")
    public Uni<Response> revokeSession(@PathParam("id") String id) {
        GatewayPrincipal principal = GatewayPrincipal.of(identity);
        if (!id.matches("[0-9a-f]{64}")) {
            throw ProblemException.notFound("session " + id);
        }
        return sessions.owner(id).flatMap(owner -> {
            if (owner.isEmpty() || !(owner.get().equals(principal.username()) || principal.has(Roles.ADMIN))) {
                return Uni.createFrom().failure(ProblemException.notFound("session " + id));
            }
            return sessions.revoke(id).invoke(ok -> SecurityLog.LOG.infof("session revoked user=%s by=%s", owner.get(),
                    principal.username())).map(ok -> Response.noContent().build());
        });
    }

    /** How many sessions ended. */
    public record RevokedCount(int revoked) {
    }

    /** A session as its owner sees it. {@code id} is the SHA-256 of the token, which does not reveal the token. */
    public record SessionView(String id, String username, String role, Instant createdAt, Instant lastSeenAt, Instant expiresAt,
            String clientAddress, String userAgent, boolean current) {
        static SessionView of(SessionStore.Session s, boolean current) {
            return new SessionView(s.id(), s.username(), s.role(), s.createdAt(), s.lastSeenAt(), s.expiresAt(), s.clientAddress(),
                    s.userAgent(), current);
        }
    }

    private static String subject(GatewayPrincipal principal, String username) {
        if (username == null || username.isBlank() || username.equals(principal.username())) {
            return principal.username();
        }
        if (!principal.has(Roles.ADMIN)) {
            throw new io.quarkus.security.ForbiddenException();
        }
        return username;
    }

    static ProblemException lockedProblem(Duration locked) {
        return new ProblemException(429, "login-locked", "Too many failed logins",
                "Too many failed logins for this user or address; try again in " + seconds(locked) + " s", List.of())
                .withHeader("Retry-After", Long.toString(seconds(locked)));
    }

    private static long seconds(Duration duration) {
        return Math.max(1, (duration.toMillis() + 999) / 1000);
    }
}
