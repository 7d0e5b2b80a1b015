package dev.meridian.control.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.meridian.api.BundleRejectedException;
import dev.meridian.api.PolicyException;
import dev.meridian.api.SandboxException;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.JsonObject;
import java.io.IOException;
import java.io.InputStream;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.CompletionException;
import org.junit.jupiter.api.Test;

class ErrorsAndRoutesTest {

    @Test
    void failuresMapToTheDocumentedStatusesAndCodes() {
        ApiException missing = Errors.map(new CompletionException(new SandboxException(
                SandboxException.Kind.PROGRAM_NOT_FOUND, "no such program: nope")));
        assertEquals(422, missing.status());
        assertEquals("sandbox_failed", missing.code());
        assertEquals("program_not_found", missing.details().get("reason"));
        ApiException platform = Errors.map(new SandboxException(SandboxException.Kind.PLATFORM_UNAVAILABLE, "none"));
        assertEquals(503, platform.status());
        assertEquals("unavailable", platform.code());
        assertEquals("policy_invalid", Errors.map(new PolicyException("x.yaml:1:1: unknown key")).code());
        assertEquals("bundle_rejected", Errors.map(new BundleRejectedException("does not resolve")).code());
        assertEquals(503, Errors.map(new UnsupportedOperationException("not yet")).status());
        // A fault is no error the API expects: it becomes a 500 without a stack trace, and is logged.
        assertNull(Errors.map(new NullPointerException()));
        assertEquals("NullPointerException", Errors.describe(new NullPointerException()));
    }

    @Test
    void pathsMatchTheirEndpointOrNameTheAllowedMethods() {
        Endpoint.Match info = Endpoint.find("GET", "/v1/sandboxes/0123456789abcdef");
        assertEquals(Endpoint.SANDBOX_INFO, info.endpoint());
        assertEquals(Map.of("id", "0123456789abcdef"), info.parameters());
        assertEquals(Endpoint.WAIT_SANDBOX, Endpoint.find("GET", "/v1/sandboxes/x/wait").endpoint());
        Endpoint.Match wrongMethod = Endpoint.find("PATCH", "/v1/sandboxes/x");
        assertNull(wrongMethod.endpoint());
        assertEquals(List.of("GET", "DELETE"), wrongMethod.allowedMethods());
        assertEquals(List.of("GET"), Endpoint.find("POST", "/v1/health").allowedMethods());
        assertNull(Endpoint.find("GET", "/v1/nothing"));
        assertNull(Endpoint.find("GET", "/v1/sandboxes/"));
        assertNull(Endpoint.find("GET", "/v1/sandboxes/x/wait/more"));
    }

    /** The OpenAPI document and the routes describe the same API: every path and method in both. */
    @Test
    void theOpenApiDocumentCoversEveryRouteAndNoOther() throws IOException {
        JsonObject document;
        try (InputStream in = ControlApi.class.getResourceAsStream("openapi.json")) {
            assertNotNull(in, "openapi.json is a resource of the bundle");
            document = new JsonObject(Buffer.buffer(in.readAllBytes()));
        }
        assertEquals("3.1.0", document.getString("openapi"));
        Set<String> documented = new TreeSet<>();
        JsonObject paths = document.getJsonObject("paths");
        for (String path : paths.fieldNames()) {
            for (String method : paths.getJsonObject(path).fieldNames()) {
                documented.add(method.toUpperCase() + " " + path);
                JsonObject operation = paths.getJsonObject(path).getJsonObject(method);
                assertTrue(operation.containsKey("responses"), method + " " + path + " documents its responses");
            }
        }
        Set<String> routed = new TreeSet<>();
        for (Endpoint endpoint : Endpoint.values()) {
            routed.add(endpoint.method + " " + endpoint.template);
            // Every query parameter the route knows is documented.
            JsonObject operation = paths.getJsonObject(endpoint.template).getJsonObject(endpoint.method.toLowerCase());
            for (String parameter : endpoint.queryParameters) {
                assertTrue(operation.getJsonArray("parameters").stream().anyMatch(p ->
                        parameter.equals(((JsonObject) p).getString("name"))), endpoint + " documents ?" + parameter);
            }
        }
        assertEquals(routed, documented);
    }

    @Test
    void aBundleJarMustDeclareItsSymbolicName() throws IOException {
        java.io.ByteArrayOutputStream bytes = new java.io.ByteArrayOutputStream();
        java.util.jar.Manifest manifest = new java.util.jar.Manifest();
        manifest.getMainAttributes().putValue("Manifest-Version", "1.0");
        manifest.getMainAttributes().putValue("Bundle-SymbolicName", "dev.example.thing;singleton:=true");
        try (java.util.jar.JarOutputStream jar = new java.util.jar.JarOutputStream(bytes, manifest)) {
            jar.putNextEntry(new java.util.zip.ZipEntry("a.txt"));
        }
        assertEquals("dev.example.thing", ControlApi.symbolicNameOf(bytes.toByteArray()));
        ApiException notAJar = org.junit.jupiter.api.Assertions.assertThrows(ApiException.class,
                () -> ControlApi.symbolicNameOf("hello".getBytes()));
        assertEquals("bundle_rejected", notAJar.code());
    }
}
