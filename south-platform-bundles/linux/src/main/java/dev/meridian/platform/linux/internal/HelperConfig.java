package dev.meridian.platform.linux.internal;

import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.Map;

/**
 * Encodes the config file the exec helper reads (version 1; meridian-exec.c documents the
 * format). The helper refuses section types it does not know, so a config carrying confinement
 * an old helper cannot apply fails instead of running the guest less confined.
 */
final class HelperConfig {

    static final byte[] MAGIC = {'M', 'X', 'E', 'C'};
    static final int VERSION = 1;
    static final int SECTION_REPORT_FIFO = 1;
    static final int SECTION_ENVIRONMENT = 2;
    static final int SECTION_SECCOMP_FILTER = 3;
    static final int SECTION_LANDLOCK = 4;
    static final int SECTION_SESSION = 6;
    static final int SESSION_NEW = 1;
    static final int SESSION_TERMINAL = 2;

    private HelperConfig() {
    }

    /**
     * @param supervisorPid the JVM's pid: the helper's parent, which it dies with
     * @param reportFifo where the helper reports (see {@link HelperReport})
     * @param environment the guest's environment (the helper itself runs with none)
     * @param filter the program the guest installs
     * @param seccompFlags the seccomp() flags to install it with
     * @param landlock the Landlock ruleset the guest installs before the filter, or null for none
     * @param isolation the isolation section's payload ({@link IsolationPlan#section})
     */
    static byte[] encode(long supervisorPid, Path reportFifo, Map<String, String> environment,
            SeccompProgram filter, int seccompFlags, LandlockRuleset landlock, byte[] isolation) {
        return encode(supervisorPid, reportFifo, environment, filter, seccompFlags, landlock, isolation, false, null);
    }

    /**
     * @param newSession whether the guest leaves the supervisor's session (setsid)
     * @param terminal the pts the guest gets as its standard streams and controlling terminal
     *     (needs {@code newSession}), or null
     */
    static byte[] encode(long supervisorPid, Path reportFifo, Map<String, String> environment,
            SeccompProgram filter, int seccompFlags, LandlockRuleset landlock, byte[] isolation, boolean newSession,
            Path terminal) {
        if (terminal != null && !newSession) {
            throw new IllegalArgumentException("a terminal needs a new session");
        }
        Sections sections = new Sections();
        sections.add(SECTION_REPORT_FIFO, reportFifo.toString().getBytes(StandardCharsets.UTF_8));

        ByteArrayOutputStream variables = new ByteArrayOutputStream();
        variables.writeBytes(littleEndian(4).putInt(environment.size()).array());
        environment.forEach((name, value) -> {
            variables.writeBytes((name + "=" + value).getBytes(StandardCharsets.UTF_8));
            variables.write(0);
        });
        sections.add(SECTION_ENVIRONMENT, variables.toByteArray());

        byte[] program = filter.toBytes();
        sections.add(SECTION_SECCOMP_FILTER, littleEndian(8 + program.length)
                .putInt(seccompFlags).putInt(filter.length()).put(program).array());
        if (landlock != null) {
            sections.add(SECTION_LANDLOCK, landlock.encode());
        }
        sections.add(IsolationPlan.SECTION_ISOLATION, isolation);
        if (newSession) {
            // Only when asked: a helper older than the section refuses it instead of ignoring it.
            byte[] path = terminal == null ? new byte[0] : terminal.toString().getBytes(StandardCharsets.UTF_8);
            sections.add(SECTION_SESSION, littleEndian(4 + path.length)
                    .putInt(SESSION_NEW | (terminal == null ? 0 : SESSION_TERMINAL)).put(path).array());
        }

        ByteBuffer header = littleEndian(16)
                .put(MAGIC)
                .putShort((short) VERSION)
                .putShort((short) 0)
                .putInt(Math.toIntExact(supervisorPid))
                .putInt(sections.count);
        ByteArrayOutputStream config = new ByteArrayOutputStream();
        config.writeBytes(header.array());
        config.writeBytes(sections.bytes.toByteArray());
        return config.toByteArray();
    }

    private static ByteBuffer littleEndian(int size) {
        return ByteBuffer.allocate(size).order(ByteOrder.LITTLE_ENDIAN);
    }

    private static final class Sections {
        final ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        int count;

        void add(int type, byte[] payload) {
            bytes.writeBytes(littleEndian(8).putInt(type).putInt(payload.length).array());
            bytes.writeBytes(payload);
            count++;
        }
    }
}
