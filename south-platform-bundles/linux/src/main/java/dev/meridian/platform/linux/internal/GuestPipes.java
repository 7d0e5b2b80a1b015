package dev.meridian.platform.linux.internal;

import dev.meridian.api.GuestStdio;
import java.io.FilterOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;

/**
 * The pipes of a {@link dev.meridian.api.Stdio#PIPE} guest: the exec helper's, which its
 * namespace init and the guest inherit. The JDK closes its ends when the helper exits (the whole
 * sandbox is gone then), keeping output nobody read yet for whoever reads it later.
 */
final class GuestPipes implements GuestStdio {

    private final OutputStream input;
    private final InputStream output;
    private final InputStream errors;

    GuestPipes(Process helper) {
        this.input = new Unbuffered(helper.getOutputStream());
        this.output = helper.getInputStream();
        this.errors = helper.getErrorStream();
    }

    @Override
    public OutputStream input() {
        return input;
    }

    @Override
    public InputStream output() {
        return output;
    }

    @Override
    public InputStream errors() {
        return errors;
    }

    /** Pipes have no window. */
    @Override
    public void resize(int rows, int columns) {
    }

    /** The JDK buffers a process's stdin: an interactive guest must see each write at once. */
    private static final class Unbuffered extends FilterOutputStream {
        Unbuffered(OutputStream out) {
            super(out);
        }

        @Override
        public void write(int b) throws IOException {
            out.write(b);
            out.flush();
        }

        @Override
        public void write(byte[] bytes, int offset, int length) throws IOException {
            out.write(bytes, offset, length);
            out.flush();
        }
    }
}
