package dev.meridian.control.internal;

import dev.meridian.api.BundleInfo;
import dev.meridian.api.ExitStatus;
import dev.meridian.api.SandboxIds;
import dev.meridian.api.SandboxInfo;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.Locale;

/** The JSON shapes of docs/control-api.md: sandbox info, exit status, bundle info. */
final class SandboxJson {

    private static final DateTimeFormatter TIME = DateTimeFormatter.ofPattern("uuuu-MM-dd'T'HH:mm:ss.SSS'Z'")
            .withZone(ZoneOffset.UTC);

    private SandboxJson() {
    }

    static JsonObject info(SandboxInfo info, long nowMillis) {
        return new JsonObject()
                .put("id", SandboxIds.format(info.id()))
                .put("state", info.state().name().toLowerCase(Locale.ROOT))
                .put("command", new JsonArray(info.command()))
                .put("policy", info.policy())
                .put("pid", info.hostPid() == 0 ? null : info.hostPid())
                .put("createdAt", time(info.createdMillis()))
                .put("startedAt", time(info.startedMillis()))
                .put("endedAt", time(info.endedMillis()))
                .put("wallMillis", info.wallMillis(nowMillis))
                .put("cpuMillis", info.cpuNanos() / 1_000_000)
                .put("syscalls", info.syscalls())
                .put("denials", info.denials())
                .put("exit", info.exit() == null ? null : exit(info.exit()));
    }

    static JsonObject exit(ExitStatus status) {
        return new JsonObject().put("code", status.code()).put("signal", status.signal())
                .put("status", status.shellStatus());
    }

    static JsonObject bundle(BundleInfo bundle) {
        return new JsonObject()
                .put("id", bundle.id())
                .put("symbolicName", bundle.symbolicName())
                .put("version", bundle.version())
                .put("state", bundle.state())
                .put("location", bundle.location())
                .put("deployed", bundle.deployed());
    }

    static String time(long epochMillis) {
        return epochMillis == 0 ? null : TIME.format(Instant.ofEpochMilli(epochMillis));
    }
}
