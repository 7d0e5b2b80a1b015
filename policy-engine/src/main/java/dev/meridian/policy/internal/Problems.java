package dev.meridian.policy.internal;

import dev.meridian.api.PolicyException;
import java.util.ArrayList;
import java.util.List;

/** Collects every problem found in the policies being loaded, so that one run reports them all. */
final class Problems {

    private final List<String> messages = new ArrayList<>();

    void add(Position at, String cause) {
        messages.add(at + ": " + cause);
    }

    boolean isEmpty() {
        return messages.isEmpty();
    }

    int count() {
        return messages.size();
    }

    /** One line per problem, in the order found. */
    void throwIfAny() throws PolicyException {
        if (!messages.isEmpty()) {
            throw new PolicyException(String.join("\n", messages));
        }
    }
}
