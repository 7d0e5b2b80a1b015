package dev.meridian.cli.internal;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.AccessDeniedException;
import java.nio.file.FileSystemException;
import java.nio.file.NoSuchFileException;

/** Turns I/O exceptions into the short reasons a user expects ("Permission denied"). */
final class IoErrors {

    private IoErrors() {
    }

    static String describe(Exception e) {
        Throwable cause = e instanceof UncheckedIOException u ? u.getCause() : e;
        if (cause instanceof AccessDeniedException) {
            return "Permission denied";
        }
        if (cause instanceof NoSuchFileException) {
            return "No such file or directory";
        }
        if (cause instanceof FileSystemException fs && fs.getReason() != null) {
            return fs.getReason();
        }
        if (cause instanceof IOException && cause.getMessage() != null) {
            return cause.getMessage();
        }
        return cause.toString();
    }
}
