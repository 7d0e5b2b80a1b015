package dev.meridian.platform.linux.internal;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The CPU time (user + system) of one sandbox's processes, read on demand (never on the guest
 * path), as exactly as the kernel tells it cheaply:
 * <ul>
 *   <li>at the end, exactly: the exec helper reports the usage of its reaped children, which is
 *       the namespace init and every task it reaped, that is every task of the sandbox;</li>
 *   <li>while it runs, with a cgroup: the cgroup's {@code cpu.stat} {@code usage_usec}, the
 *       whole tree;</li>
 *   <li>while it runs, without one: from {@code /proc/PID/stat}, the namespace init's and the
 *       main program's own time plus that of the children each has reaped ({@code utime + stime
 *       + cutime + cstime}); descendants still running, or exited but not yet reaped, are not
 *       counted until they are reaped. Clock ticks of 10 ms.</li>
 * </ul>
 * The value never goes down: a process moving from running to reaped is counted in one of the
 * two reads, and the highest value seen is kept.
 */
final class GuestCpu {

    private static final long NANOS_PER_TICK = 1_000_000_000L / LinuxSyscalls.CLOCK_TICKS_PER_SECOND;
    /** Fields after the command's closing parenthesis: state is field 3 of stat(5). */
    private static final int FIRST_FIELD = 3;
    private static final int UTIME = 14;
    private static final int CSTIME = 17;
    private static final int STARTTIME = 22;

    private final StatFile init;
    private final StatFile guest;
    private final Path cgroupStat;
    private final AtomicLong highest = new AtomicLong();
    private volatile long total = -1;

    /**
     * @param initPid host pid of the namespace init
     * @param guestPid host pid of the main program
     * @param cgroup the sandbox's cgroup, or null
     */
    GuestCpu(int initPid, int guestPid, Path cgroup) {
        this.init = StatFile.of(initPid);
        this.guest = StatFile.of(guestPid);
        this.cgroupStat = cgroup == null ? null : cgroup.resolve("cpu.stat");
    }

    /** Nanoseconds so far, or in all once {@link #finish} was called. */
    long nanos() {
        long done = total;
        if (done >= 0) {
            return done;
        }
        long sample = cgroupStat != null ? cgroupNanos() : init.ticks() * NANOS_PER_TICK + guest.ticks() * NANOS_PER_TICK;
        // The init first, then the main program: one reaped in between is missed once, never counted twice.
        return highest.accumulateAndGet(sample, Math::max);
    }

    /**
     * Samples once more while the cgroup still exists (before the sandbox's resources are
     * released), for ends the helper could not report.
     */
    void sampleLast() {
        if (total < 0) {
            nanos();
        }
    }

    /** @param reportedNanos what the helper reported, or -1 if it could not (it was killed) */
    void finish(long reportedNanos) {
        total = Math.max(reportedNanos, highest.get());
    }

    private long cgroupNanos() {
        try {
            for (String line : Files.readAllLines(cgroupStat, StandardCharsets.US_ASCII)) {
                if (line.startsWith("usage_usec ")) {
                    return Long.parseLong(line.substring("usage_usec ".length()).strip()) * 1000;
                }
            }
        } catch (IOException | NumberFormatException e) {
            // The cgroup is gone (the sandbox ended): the highest value seen stands.
        }
        return 0;
    }

    /** One process's /proc stat, recognised by its start time so a reused pid is never read. */
    private static final class StatFile {
        private final Path stat;
        private final long startTime;

        private StatFile(Path stat, long startTime) {
            this.stat = stat;
            this.startTime = startTime;
        }

        static StatFile of(int pid) {
            Path stat = Path.of("/proc", Integer.toString(pid), "stat");
            long[] fields = read(stat);
            return new StatFile(stat, fields == null ? -1 : fields[STARTTIME - FIRST_FIELD]);
        }

        /** utime + stime + cutime + cstime, or 0 when it is gone (or is another process now). */
        long ticks() {
            long[] fields = read(stat);
            if (fields == null || fields[STARTTIME - FIRST_FIELD] != startTime) {
                return 0;
            }
            long ticks = 0;
            for (int field = UTIME; field <= CSTIME; field++) {
                ticks += fields[field - FIRST_FIELD];
            }
            return ticks;
        }

        /** The numeric fields from 3 (state reads as 0) to 22, or null if unreadable. */
        private static long[] read(Path stat) {
            String line;
            try {
                line = Files.readString(stat, StandardCharsets.ISO_8859_1);
            } catch (IOException e) {
                return null;
            }
            // The command may hold spaces and parentheses; it ends at the last ')'.
            String[] parts = line.substring(line.lastIndexOf(')') + 2).split(" ", STARTTIME - FIRST_FIELD + 2);
            if (parts.length <= STARTTIME - FIRST_FIELD) {
                return null;
            }
            long[] fields = new long[STARTTIME - FIRST_FIELD + 1];
            try {
                for (int i = 1; i < fields.length; i++) {
                    fields[i] = Long.parseLong(parts[i]);
                }
            } catch (NumberFormatException e) {
                return null;
            }
            return fields;
        }
    }
}
