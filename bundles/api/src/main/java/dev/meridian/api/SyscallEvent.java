package dev.meridian.api;

/**
 * One notified system call on its way through the bus: a mutable flyweight that a South
 * platform fills from the kernel's notification, the North shim decodes and annotates with
 * captured guest memory, the policy engine gives a verdict, and the bus journals. Each
 * supervisor thread owns one instance and reuses it for every call, so nothing on the guest
 * path allocates.
 *
 * <p>Not thread-safe; never retain an instance beyond the callback that received it.
 */
public final class SyscallEvent {

    /** Upper bound on the bytes of guest memory captured for one call (all arguments). */
    public static final int CAPTURE_CAPACITY = 8192;
    public static final int MAX_ARGS = 6;

    // --- identity and raw registers, set by the platform ---
    private long sandboxId;
    private long notificationId;
    private int pid;
    private int tid;
    private int abi;
    private int number;
    private final long[] args = new long[MAX_ARGS];
    private long instructionPointer;
    private long receivedNanos;

    // --- guest memory captured by the shim: one slot per argument ---
    private final byte[] captureData = new byte[CAPTURE_CAPACITY];
    private int captureUsed;
    private final int[] captureOffset = new int[MAX_ARGS];
    private final int[] captureLength = new int[MAX_ARGS];
    private final boolean[] captureTruncated = new boolean[MAX_ARGS];
    private int captureMask;

    // --- verdict, set by the policy engine ---
    private VerdictAction action;
    private int errno;
    private int ruleId;
    private boolean memoryDependent;

    // --- outcome, set by the platform after it answered the kernel ---
    private boolean resultKnown;
    private boolean interrupted;
    private long returnValue;
    private long completedNanos;

    /** Clears everything but the sandbox id; called by the platform before each call. */
    public void reset(long notificationId, int pid, int abi, int number, long instructionPointer) {
        this.notificationId = notificationId;
        this.pid = pid;
        this.tid = pid;
        this.abi = abi;
        this.number = number;
        this.instructionPointer = instructionPointer;
        this.receivedNanos = System.nanoTime();
        this.captureUsed = 0;
        this.captureMask = 0;
        this.action = null;
        this.errno = 0;
        this.ruleId = -1;
        this.memoryDependent = false;
        this.resultKnown = false;
        this.interrupted = false;
        this.returnValue = 0;
        this.completedNanos = 0;
    }

    public SyscallEvent sandboxId(long id) { this.sandboxId = id; return this; }
    public long sandboxId() { return sandboxId; }
    public long notificationId() { return notificationId; }
    /** Thread-group id (the guest's process id as the host sees it). */
    public int pid() { return pid; }
    public void pid(int pid) { this.pid = pid; }
    /** The calling thread as the host sees it. */
    public int tid() { return tid; }
    public void tid(int tid) { this.tid = tid; }
    /** Identifies the calling convention (on Linux, the AUDIT_ARCH value). */
    public int abi() { return abi; }
    public int number() { return number; }
    public long arg(int index) { return args[index]; }
    public void arg(int index, long value) { args[index] = value; }
    public long instructionPointer() { return instructionPointer; }
    /**
     * {@link System#nanoTime} when the platform received the call. (Its wall-clock time is worked
     * out from this off the guest path, when the call is journaled: one clock read fewer per call.)
     */
    public long receivedNanos() { return receivedNanos; }

    // --- captures ---

    /** Raw capture storage; slot {@code i} lives at {@link #captureOffset(int)}. */
    public byte[] captureData() { return captureData; }
    public boolean hasCapture(int argIndex) { return (captureMask & (1 << argIndex)) != 0; }
    public int captureMask() { return captureMask; }
    public int captureOffset(int argIndex) { return captureOffset[argIndex]; }
    public int captureLength(int argIndex) { return captureLength[argIndex]; }
    public boolean captureTruncated(int argIndex) { return captureTruncated[argIndex]; }
    /** Bytes of capture storage still free. */
    public int captureFree() { return CAPTURE_CAPACITY - captureUsed; }
    /** Offset where the next capture's bytes go. */
    public int captureCursor() { return captureUsed; }

    /**
     * Records that {@code length} bytes written at {@link #captureCursor()} belong to argument
     * {@code argIndex}.
     */
    public void commitCapture(int argIndex, int length, boolean truncated) {
        if (length < 0 || length > captureFree()) {
            throw new IllegalArgumentException("capture of " + length + " bytes does not fit");
        }
        captureOffset[argIndex] = captureUsed;
        captureLength[argIndex] = length;
        captureTruncated[argIndex] = truncated;
        captureMask |= 1 << argIndex;
        captureUsed += length;
    }

    // --- verdict ---

    public void verdict(VerdictAction action, int errno, int ruleId, boolean memoryDependent) {
        this.action = action;
        this.errno = errno;
        this.ruleId = ruleId;
        this.memoryDependent = memoryDependent;
    }
    /** The verdict's action, or {@code null} if no one has decided yet. */
    public VerdictAction action() { return action; }
    public int errno() { return errno; }
    /** Index of the deciding rule in the policy's rule table; -1 if none. */
    public int ruleId() { return ruleId; }
    /** True when the decision looked at guest memory: such a call must never simply continue. */
    public boolean memoryDependent() { return memoryDependent; }

    // --- outcome ---

    /** Records what the guest got back when the supervisor answered the call itself. */
    public void result(long returnValue) {
        this.resultKnown = true;
        this.returnValue = returnValue;
    }
    public boolean resultKnown() { return resultKnown; }
    /**
     * Marks the call as abandoned by the guest before the supervisor's answer arrived (a signal
     * interrupted it, or the guest died): journaled, but not answered.
     */
    public void interrupted(boolean interrupted) { this.interrupted = interrupted; }
    public boolean interrupted() { return interrupted; }
    /** The value the guest saw: a result, or {@code -errno}. Meaningful if {@link #resultKnown()}. */
    public long returnValue() { return returnValue; }
    public void completed() { this.completedNanos = System.nanoTime(); }
    public long latencyNanos() { return completedNanos == 0 ? 0 : completedNanos - receivedNanos; }
}
