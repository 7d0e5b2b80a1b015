package dev.meridian.api;

import java.nio.file.Path;

/**
 * The syscall bus: journals every notified call and its completion, and dispatches each call to
 * the North shim serving its ABI. An OSGi service.
 */
public interface SyscallBus {

    /**
     * Opens the gateway one sandbox's supervisor feeds its calls into, journaling to
     * {@code journalDirectory} (created if missing). Records the sandbox's start.
     *
     * @throws JournalException naming the cause when the journal cannot be written there
     */
    SyscallGateway open(Path journalDirectory, long sandboxId, SandboxSpec spec, Policy policy)
            throws JournalException;

    /**
     * Opens a journal for reading.
     *
     * @throws JournalException when the directory holds no readable journal
     */
    JournalReader reader(Path journalDirectory) throws JournalException;

    /** The shim currently serving {@code abi}, or {@code null} when none is registered. */
    NorthShim shimFor(int abi);
}
