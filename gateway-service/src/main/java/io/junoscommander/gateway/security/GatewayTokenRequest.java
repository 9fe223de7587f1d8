package io.junoscommander.gateway.security;

import io.quarkus.security.identity.request.BaseAuthenticationRequest;

/** A gateway bearer token (session or API token) to authenticate. */
public class GatewayTokenRequest extends BaseAuthenticationRequest {

    private final String token;

    public GatewayTokenRequest(String token) {
        this.token = token;
    }

    public String token() {
        return token;
    }
}
