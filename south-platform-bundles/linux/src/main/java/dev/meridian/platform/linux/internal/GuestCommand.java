package dev.meridian.platform.linux.internal;

import dev.meridian.api.SandboxException;
import dev.meridian.api.SandboxSpec;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;

/**
 * Checks a spec before anything is started, so the usual mistakes reach the user as one clear
 * line instead of a failed exec inside the sandbox.
 */
final class GuestCommand {

    /** The search path execvp(3) uses when the environment has no PATH. */
    static final String DEFAULT_PATH = "/bin:/usr/bin";

    private GuestCommand() {
    }

    /**
     * Finds the program as execvp(3) in the guest will: a name with a slash is a path (relative
     * to the working directory), otherwise it is searched in the guest's PATH.
     *
     * @return the file that will be executed
     * @throws SandboxException "no such program: NAME" or "not executable: PATH"
     */
    static Path resolveProgram(SandboxSpec spec) throws SandboxException {
        return resolveProgram(spec, GuestView.HOST);
    }

    /** As {@link #resolveProgram(SandboxSpec)}, in the guest's view of the files. */
    static Path resolveProgram(SandboxSpec spec, GuestView view) throws SandboxException {
        String name = spec.command().getFirst();
        Path directory = spec.workingDirectory();
        if (name.isEmpty()) {
            throw new SandboxException("no program to run: the command's first word is empty");
        }
        if (name.indexOf('/') >= 0) {
            Path program = view.toHost(directory.resolve(name));
            if (!Files.exists(program)) {
                throw new SandboxException(SandboxException.Kind.PROGRAM_NOT_FOUND, "no such program: " + name);
            }
            requireExecutable(program);
            return program;
        }
        Path notExecutable = null;
        String searchPath = spec.environment().getOrDefault("PATH", DEFAULT_PATH);
        for (String entry : searchPath.split(":", -1)) {
            Path candidate = view.toHost(directory.resolve(entry.isEmpty() ? "." : entry).resolve(name));
            if (Files.isRegularFile(candidate) && Files.isExecutable(candidate)) {
                return candidate;
            }
            if (notExecutable == null && Files.exists(candidate)) {
                notExecutable = candidate;
            }
        }
        if (notExecutable != null) {
            requireExecutable(notExecutable);
        }
        throw new SandboxException(SandboxException.Kind.PROGRAM_NOT_FOUND, "no such program: " + name);
    }

    private static void requireExecutable(Path program) throws SandboxException {
        if (Files.isDirectory(program)) {
            throw new SandboxException(SandboxException.Kind.PROGRAM_NOT_EXECUTABLE,
                    "not executable: " + program + " is a directory");
        }
        if (!Files.isRegularFile(program) || !Files.isExecutable(program)) {
            throw new SandboxException(SandboxException.Kind.PROGRAM_NOT_EXECUTABLE, "not executable: " + program);
        }
    }

    /** @throws SandboxException when the working directory is missing */
    static void checkWorkingDirectory(SandboxSpec spec, GuestView view) throws SandboxException {
        if (!Files.isDirectory(view.toHost(spec.workingDirectory()))) {
            throw new SandboxException("working directory does not exist" + (view == GuestView.HOST ? "" : " in the rootfs")
                    + ": " + spec.workingDirectory());
        }
    }

    /** @throws SandboxException when a variable cannot be passed to execve(2) */
    static void checkEnvironment(Map<String, String> environment) throws SandboxException {
        for (Map.Entry<String, String> variable : environment.entrySet()) {
            String name = variable.getKey();
            if (name.isEmpty() || name.indexOf('=') >= 0 || name.indexOf('\0') >= 0) {
                throw new SandboxException("invalid environment variable name: \"" + name + "\"");
            }
            if (variable.getValue().indexOf('\0') >= 0) {
                throw new SandboxException("environment variable " + name + " contains a NUL byte");
            }
        }
    }

    /** @throws SandboxException when an argument cannot be passed to execve(2) */
    static void checkArguments(SandboxSpec spec) throws SandboxException {
        for (String argument : spec.command()) {
            if (argument.indexOf('\0') >= 0) {
                throw new SandboxException("command argument contains a NUL byte: " + argument.replace('\0', '?'));
            }
        }
    }
}
