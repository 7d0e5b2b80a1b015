package dev.meridian.api;

import java.util.List;
import java.util.Objects;

/**
 * TCP port rules for a kernel access-control layer (Landlock on Linux): binding and connecting
 * TCP sockets is denied except to the granted ports. Address and protocol rules, which need the
 * sockaddr in guest memory, are the supervisor's.
 *
 * @param grants the allowed (direction, port) pairs
 */
public record NetworkRules(List<Grant> grants) {

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
        grants = List.copyOf(grants);
    }
}
