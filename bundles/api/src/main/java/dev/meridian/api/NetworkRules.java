package dev.meridian.api;

import java.util.EnumSet;
import java.util.List;
import java.util.Objects;
import java.util.Set;

/**
 * TCP port rules for a kernel access-control layer (Landlock on Linux): binding and connecting
 * TCP sockets, in the directions {@link #handled}, is denied except to the granted ports; the
 * other direction is not restricted here. Address and protocol rules, which need the sockaddr in
 * guest memory, are the supervisor's.
 *
 * @param handled the directions the rules restrict (Landlock's handled_access_net); never empty
 * @param grants the allowed (direction, port) pairs, each in a handled direction
 */
public record NetworkRules(Set<Direction> handled, List<Grant> grants) {

    public enum Direction { BIND, CONNECT }

    /** @param ruleId the policy rule this came from */
    public record Grant(Direction direction, int port, int ruleId) {
        public Grant {
            Objects.requireNonNull(direction, "direction");
            if (port < 0 || port > 65535) {
                throw new IllegalArgumentException("TCP port out of range: " + port);
            }
        }
    }

    public NetworkRules {
        handled = Set.copyOf(handled);
        grants = List.copyOf(grants);
        if (handled.isEmpty()) {
            throw new IllegalArgumentException("network rules that handle no direction restrict nothing: use null");
        }
        for (Grant grant : grants) {
            if (!handled.contains(grant.direction())) {
                throw new IllegalArgumentException("a " + grant.direction() + " grant in rules that do not handle " + grant.direction());
            }
        }
    }

    /** Rules that restrict both directions. */
    public NetworkRules(List<Grant> grants) {
        this(EnumSet.allOf(Direction.class), grants);
    }
}
