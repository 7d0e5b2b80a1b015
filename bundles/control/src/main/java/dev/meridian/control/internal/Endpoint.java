package dev.meridian.control.internal;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Every endpoint of the control API (docs/control-api.md): method, path template, what body it takes and which query
 * parameters it knows. The dispatcher and the test that holds openapi.json to the routes both read this table.
 */
enum Endpoint {
    HEALTH("GET", "/v1/health", Body.NONE),
    READY("GET", "/v1/ready", Body.NONE),
    OPENAPI("GET", "/v1/openapi.json", Body.NONE),
    METRICS("GET", "/metrics", Body.NONE),
    TRAFFIC("GET", "/v1/traffic", Body.NONE),
    CREATE_SANDBOX("POST", "/v1/sandboxes", Body.JSON),
    LIST_SANDBOXES("GET", "/v1/sandboxes", Body.NONE, "all"),
    SANDBOX_INFO("GET", "/v1/sandboxes/{id}", Body.NONE),
    START_SANDBOX("POST", "/v1/sandboxes/{id}/start", Body.EMPTY_JSON),
    SIGNAL_SANDBOX("POST", "/v1/sandboxes/{id}/signal", Body.JSON),
    KILL_SANDBOX("POST", "/v1/sandboxes/{id}/kill", Body.EMPTY_JSON),
    WAIT_SANDBOX("GET", "/v1/sandboxes/{id}/wait", Body.NONE, "timeout"),
    REMOVE_SANDBOX("DELETE", "/v1/sandboxes/{id}", Body.NONE),
    ATTACH("GET", "/v1/sandboxes/{id}/attach", Body.WEBSOCKET),
    EVENTS("GET", "/v1/sandboxes/{id}/events", Body.WEBSOCKET, List.of("syscall", "verdict")),
    TRACE("GET", "/v1/trace", Body.WEBSOCKET, List.of("sandbox", "syscall", "verdict")),
    LIST_BUNDLES("GET", "/v1/bundles", Body.NONE),
    DEPLOY_BUNDLE("PUT", "/v1/bundles/{symbolicName}", Body.JAR),
    REMOVE_BUNDLE("DELETE", "/v1/bundles/{symbolicName}", Body.NONE),
    LIST_POLICIES("GET", "/v1/policies", Body.NONE),
    GET_POLICY("GET", "/v1/policies/{name}", Body.NONE),
    STORE_POLICY("PUT", "/v1/policies/{name}", Body.YAML);

    /** What a request may carry. */
    enum Body {
        /** Nothing. */
        NONE,
        /** A JSON object. */
        JSON,
        /** Nothing, or a JSON object with no fields (clients that always send {@code {}}). */
        EMPTY_JSON,
        /** Policy text. */
        YAML,
        /** A bundle jar, up to the bundle limit. */
        JAR,
        /** No body: a WebSocket upgrade. */
        WEBSOCKET
    }

    final String method;
    final String template;
    final Body body;
    final Set<String> queryParameters;
    /** Query parameters that take a list: given as a comma list, repeated, or both. */
    final Set<String> listParameters;
    private final String[] segments;

    Endpoint(String method, String template, Body body, String... queryParameters) {
        this(method, template, body, Set.of(queryParameters), Set.of());
    }

    Endpoint(String method, String template, Body body, List<String> listParameters) {
        this(method, template, body, Set.copyOf(listParameters), Set.copyOf(listParameters));
    }

    private Endpoint(String method, String template, Body body, Set<String> queryParameters,
            Set<String> listParameters) {
        this.method = method;
        this.template = template;
        this.body = body;
        this.queryParameters = queryParameters;
        this.listParameters = listParameters;
        this.segments = template.substring(1).split("/");
    }

    /** The path parameters if {@code path} fits this endpoint's template, else null. */
    Map<String, String> match(String[] pathSegments) {
        if (pathSegments.length != segments.length) {
            return null;
        }
        Map<String, String> parameters = Map.of();
        for (int i = 0; i < segments.length; i++) {
            String segment = segments[i];
            if (segment.startsWith("{")) {
                if (pathSegments[i].isEmpty()) {
                    return null;
                }
                if (parameters.isEmpty()) {
                    parameters = new java.util.HashMap<>();
                }
                parameters.put(segment.substring(1, segment.length() - 1), pathSegments[i]);
            } else if (!segment.equals(pathSegments[i])) {
                return null;
            }
        }
        return parameters;
    }

    /** What a request for {@code path} found. */
    record Match(Endpoint endpoint, Map<String, String> parameters, List<String> allowedMethods) {
    }

    /**
     * The endpoint for {@code method} and {@code path}; with a null endpoint and the methods the path takes when the
     * path is known but not the method; null when the path is unknown.
     */
    static Match find(String method, String path) {
        if (!path.startsWith("/")) {
            return null;
        }
        String[] pathSegments = path.substring(1).split("/", -1);
        List<String> allowed = new ArrayList<>();
        for (Endpoint endpoint : values()) {
            Map<String, String> parameters = endpoint.match(pathSegments);
            if (parameters == null) {
                continue;
            }
            if (endpoint.method.equals(method)) {
                return new Match(endpoint, parameters, List.of());
            }
            if (!allowed.contains(endpoint.method)) {
                allowed.add(endpoint.method);
            }
        }
        return allowed.isEmpty() ? null : new Match(null, Map.of(), List.copyOf(allowed));
    }
}
