package dev.meridian.cli.internal;

import dev.meridian.api.JournalEntry;
import dev.meridian.api.NorthShim;
import dev.meridian.api.SandboxIds;
import dev.meridian.api.SyscallBus;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;

/** How the command line shows journaled calls: strace-like lines, JSON lines or CSV rows. */
final class EntryFormat {

    private final SyscallBus bus;

    EntryFormat(SyscallBus bus) {
        this.bus = bus;
    }

    String syscallName(JournalEntry entry) {
        NorthShim shim = bus.shimFor(entry.abi());
        String name = shim == null ? null : shim.syscallName(entry.number());
        return name != null ? name : "syscall_" + entry.number();
    }

    /** {@code [pid 1234] openat(AT_FDCWD, "/etc/hosts", O_RDONLY) = ?} */
    String traceLine(JournalEntry entry) {
        return "[pid " + entry.tid() + "] " + text(entry);
    }

    String text(JournalEntry entry) {
        NorthShim shim = bus.shimFor(entry.abi());
        if (shim != null) {
            return shim.render(entry);
        }
        // No shim for this ABI any more: show the raw registers rather than nothing.
        StringBuilder raw = new StringBuilder(syscallName(entry)).append('(');
        for (int i = 0; i < 6; i++) {
            raw.append(i == 0 ? "" : ", ").append("0x").append(Long.toHexString(entry.arg(i)));
        }
        return raw.append(") = ?").toString();
    }

    /** The CSV header: the fields of {@link #json} in that order, the six arguments as columns of their own. */
    static final String CSV_HEADER = "sandbox,seq,time,pid,tid,syscall,nr,arg0,arg1,arg2,arg3,arg4,arg5,verdict,"
            + "errno,rule,interrupted,result,latency_ns,text";

    /** One CSV row (RFC 4180: quoted where needed, without the line end); an empty field is a JSON null. */
    String csv(JournalEntry entry) {
        List<String> fields = new ArrayList<>(20);
        fields.add(SandboxIds.format(entry.sandboxId()));
        fields.add(Long.toString(entry.sequence()));
        fields.add(Instant.ofEpochMilli(entry.wallClockMillis()).toString());
        fields.add(Integer.toString(entry.pid()));
        fields.add(Integer.toString(entry.tid()));
        fields.add(syscallName(entry));
        fields.add(Integer.toString(entry.number()));
        for (int i = 0; i < 6; i++) {
            fields.add("0x" + Long.toHexString(entry.arg(i)));
        }
        fields.add(entry.completed() ? entry.action().name().toLowerCase() : "");
        fields.add(Integer.toString(entry.errno()));
        fields.add(entry.rule() == null ? "" : entry.rule());
        fields.add(Boolean.toString(entry.interrupted()));
        fields.add(entry.resultKnown() ? Long.toString(entry.returnValue()) : "");
        fields.add(Long.toString(entry.latencyNanos()));
        fields.add(text(entry));
        StringBuilder row = new StringBuilder(256);
        for (String field : fields) {
            if (!row.isEmpty()) {
                row.append(',');
            }
            if (field.indexOf(',') >= 0 || field.indexOf('"') >= 0 || field.indexOf('\n') >= 0
                    || field.indexOf('\r') >= 0) {
                row.append('"').append(field.replace("\"", "\"\"")).append('"');
            } else {
                row.append(field);
            }
        }
        return row.toString();
    }

    String json(JournalEntry entry) {
        List<String> args = new ArrayList<>(6);
        for (int i = 0; i < 6; i++) {
            args.add("0x" + Long.toHexString(entry.arg(i)));
        }
        return new Json()
                .field("sandbox", SandboxIds.format(entry.sandboxId()))
                .field("seq", entry.sequence())
                .field("time", Instant.ofEpochMilli(entry.wallClockMillis()).toString())
                .field("pid", entry.pid())
                .field("tid", entry.tid())
                .field("syscall", syscallName(entry))
                .field("nr", entry.number())
                .field("args", args)
                .field("text", text(entry))
                .field("verdict", entry.completed() ? entry.action().name().toLowerCase() : null)
                .field("errno", entry.errno())
                .field("rule", entry.rule())
                .field("interrupted", entry.interrupted())
                .nullableField("result", entry.resultKnown() ? entry.returnValue() : null)
                .field("latency_ns", entry.latencyNanos())
                .end();
    }
}
