package io.junoscommander.support.security;

import java.util.List;
import java.util.Set;

/**
 * The three roles. They nest: an admin can do what an operator can, an operator what a viewer can. The gateway puts the
 * expanded set in the internal token, so a service checks just the one role a route needs.
 */
public final class Roles {

    public static final String VIEWER = "viewer";
    public static final String OPERATOR = "operator";
    public static final String ADMIN = "admin";

    public static final List<String> ALL = List.of(VIEWER, OPERATOR, ADMIN);

    private Roles() {
    }

    /** {@code admin} -> admin, operator, viewer; unknown names are dropped. */
    public static Set<String> expand(Iterable<String> granted) {
        int highest = -1;
        for (String role : granted) {
            highest = Math.max(highest, ALL.indexOf(role));
        }
        return Set.copyOf(ALL.subList(0, highest + 1));
    }
}
