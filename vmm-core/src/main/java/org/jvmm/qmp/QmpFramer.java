package org.jvmm.qmp;

import io.netty.buffer.ByteBuf;
import io.netty.channel.ChannelHandlerContext;
import io.netty.handler.codec.ByteToMessageDecoder;
import java.nio.charset.StandardCharsets;
import java.util.List;

/**
 * Cuts a client's byte stream into JSON texts as QEMU's JSON streamer does (qobject/json-streamer.c):
 * an object or array ends where its brackets balance outside strings, whatever the line breaks (an
 * object split over lines, two in one write, no newline at all); anything else at the top level (a
 * bare string, number or keyword, a stray bracket) is a text of its own, so the monitor answers it
 * and the client carries on. Netty's JsonObjectDecoder frames objects the same way but, given a
 * top-level scalar, marks itself corrupt and drops everything the client sends afterwards: QEMU
 * answers "QMP input must be a JSON object" and keeps the connection, so this framer does too.
 *
 * <p>A text longer than {@code maxLength} bytes, or nested deeper than QEMU's 1024, is answered as
 * a parse error and skipped (QEMU's MAX_TOKEN_SIZE and MAX_NESTING play this part).
 */
final class QmpFramer extends ByteToMessageDecoder {
    /** A text that could not be framed: the monitor answers it with this description. */
    record Unframed(String desc) {
    }

    static final int MAX_NESTING = 1024;

    private final int maxLength;
    private int depth;
    private boolean inString;
    private boolean escape;
    private boolean scalar;
    private int scanned; // bytes of the current text already looked at, from readerIndex

    QmpFramer(int maxLength) {
        this.maxLength = maxLength;
    }

    @Override
    protected void decode(ChannelHandlerContext ctx, ByteBuf in, List<Object> out) {
        while (true) {
            int start = in.readerIndex();
            int end = in.writerIndex();
            if (scanned == 0) {
                while (start < end && isSpace(in.getByte(start))) {
                    start++;
                }
                in.readerIndex(start);
                if (start == end) {
                    return;
                }
            }
            int i = start + scanned;
            boolean complete = false;
            for (; i < end && !complete; i++) {
                byte b = in.getByte(i);
                if (scanned == 0 && i == start && depth == 0) {
                    scalar = b != '{' && b != '[';
                }
                if (scalar) {
                    if (i > start && (isSpace(b) || b == '{' || b == '[' || b == '}' || b == ']')) {
                        complete = true;
                        i--; // the delimiter starts the next text
                    } else if (b == '"' && i > start && !escape && in.getByte(start) == '"') {
                        complete = true;
                    }
                    escape = b == '\\' && !escape;
                    if (!complete && (b == '}' || b == ']') && i == start) {
                        complete = true; // a stray closing bracket is a text of its own
                    }
                    continue;
                }
                if (inString) {
                    if (escape) {
                        escape = false;
                    } else if (b == '\\') {
                        escape = true;
                    } else if (b == '"') {
                        inString = false;
                    }
                } else if (b == '"') {
                    inString = true;
                } else if (b == '{' || b == '[') {
                    if (++depth > MAX_NESTING) {
                        skip(in, out, "JSON parse error, nesting too deep");
                        return;
                    }
                } else if (b == '}' || b == ']') {
                    complete = --depth == 0;
                }
            }
            int length = i - start;
            if (!complete) {
                if (scalar && length > 0 && !ctx.channel().isActive()) {
                    complete = true; // the stream ended after a bare scalar
                } else {
                    scanned = length;
                    if (length > maxLength) {
                        skip(in, out, "JSON parse error, input exceeds " + maxLength + " bytes");
                    }
                    return;
                }
            }
            if (length > maxLength) {
                in.readerIndex(start + length);
                out.add(new Unframed("JSON parse error, input exceeds " + maxLength + " bytes"));
                resetText();
                continue;
            }
            out.add(in.toString(start, length, StandardCharsets.UTF_8));
            in.readerIndex(start + length);
            resetText();
        }
    }

    private void skip(ByteBuf in, List<Object> out, String desc) {
        in.skipBytes(in.readableBytes());
        out.add(new Unframed(desc));
        resetText();
    }

    private void resetText() {
        depth = 0;
        inString = false;
        escape = false;
        scalar = false;
        scanned = 0;
    }

    private static boolean isSpace(byte b) {
        return b == ' ' || b == '\n' || b == '\r' || b == '\t';
    }
}
