package dev.meridian.launcher.client;

import java.io.EOFException;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.ReadableByteChannel;

/**
 * Buffered reads from a blocking channel: lines for HTTP heads, exact byte counts for bodies and WebSocket frames.
 * Bytes read ahead stay here, so a WebSocket that follows an HTTP upgrade on the same channel loses none.
 */
final class ChannelInput {
    private final ReadableByteChannel channel;
    private final ByteBuffer buffer;

    ChannelInput(ReadableByteChannel channel, int bufferSize) {
        this.channel = channel;
        this.buffer = ByteBuffer.allocate(bufferSize).flip();
    }

    /** Reads more into the buffer; false at the end of the stream. */
    private boolean fill() throws IOException {
        buffer.compact();
        try {
            int n;
            do {
                n = channel.read(buffer);
            } while (n == 0);
            return n > 0;
        } finally {
            buffer.flip();
        }
    }

    /**
     * One line ended by CRLF (a bare LF is taken too), without the terminator, as ISO-8859-1 as HTTP heads are.
     *
     * @throws EOFException at the end of the stream
     * @throws IOException when the line is longer than {@code maxLength}
     */
    String readLine(int maxLength) throws IOException {
        StringBuilder line = new StringBuilder();
        while (true) {
            while (buffer.hasRemaining()) {
                byte b = buffer.get();
                if (b == '\n') {
                    int end = line.length();
                    if (end > 0 && line.charAt(end - 1) == '\r') {
                        line.setLength(end - 1);
                    }
                    return line.toString();
                }
                if (line.length() >= maxLength) {
                    throw new IOException("a header line is longer than " + maxLength + " bytes");
                }
                line.append((char) (b & 0xff));
            }
            if (!fill()) {
                throw new EOFException("the connection closed in the middle of a line");
            }
        }
    }

    /** Exactly {@code length} bytes. */
    void readFully(byte[] target, int offset, int length) throws IOException {
        int done = 0;
        while (done < length) {
            if (!buffer.hasRemaining() && !fill()) {
                throw new EOFException("the connection closed after " + done + " of " + length + " bytes");
            }
            int n = Math.min(buffer.remaining(), length - done);
            buffer.get(target, offset + done, n);
            done += n;
        }
    }

    byte[] readExactly(int length) throws IOException {
        byte[] bytes = new byte[length];
        readFully(bytes, 0, length);
        return bytes;
    }

    int readByte() throws IOException {
        if (!buffer.hasRemaining() && !fill()) {
            throw new EOFException("the connection closed");
        }
        return buffer.get() & 0xff;
    }

    /** Whether the stream ended before any byte of a new unit (a frame) was read. */
    boolean atEnd() throws IOException {
        return !buffer.hasRemaining() && !fill();
    }

    /** Everything up to the end of the stream, at most {@code maxLength} bytes. */
    byte[] readToEnd(int maxLength) throws IOException {
        java.io.ByteArrayOutputStream all = new java.io.ByteArrayOutputStream();
        do {
            if (all.size() + buffer.remaining() > maxLength) {
                throw new IOException("the response is larger than " + maxLength + " bytes");
            }
            all.write(buffer.array(), buffer.arrayOffset() + buffer.position(), buffer.remaining());
            buffer.position(buffer.limit());
        } while (fill());
        return all.toByteArray();
    }
}
