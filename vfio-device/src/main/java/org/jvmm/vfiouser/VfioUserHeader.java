package org.jvmm.vfiouser;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;

/**
 * The 16-byte header every vfio-user message starts with: message id (u16), command (u16),
 * message size including the header (u32), flags (u32), error (u32, an errno when the
 * {@link #FLAG_ERROR} bit is set in a reply). All fields are unsigned; they are kept in ints
 * and compared with the unsigned helpers.
 *
 * @param messageId the id a reply echoes from its command
 * @param command the command number ({@link VfioUserCommand#number()})
 * @param size the whole message's size in bytes, header included (u32)
 * @param flags type in bits 0-3 ({@link #TYPE_COMMAND}, {@link #TYPE_REPLY}), {@link #FLAG_NO_REPLY},
 *     {@link #FLAG_ERROR}
 * @param error the errno of an error reply, else 0
 */
public record VfioUserHeader(int messageId, int command, int size, int flags, int error) {
    public static final int SIZE = 16;
    public static final int TYPE_MASK = 0xf;
    public static final int TYPE_COMMAND = 0;
    public static final int TYPE_REPLY = 1;
    public static final int FLAG_NO_REPLY = 1 << 4;
    public static final int FLAG_ERROR = 1 << 5;

    /** A command header for a payload of {@code payloadSize} bytes. */
    public static VfioUserHeader command(int messageId, VfioUserCommand command, int payloadSize) {
        return new VfioUserHeader(messageId & 0xffff, command.number(), SIZE + payloadSize, TYPE_COMMAND, 0);
    }

    /** A command the server answers with nothing, failed or not (a posted write). */
    public static VfioUserHeader postedCommand(int messageId, VfioUserCommand command, int payloadSize) {
        return new VfioUserHeader(messageId & 0xffff, command.number(), SIZE + payloadSize, TYPE_COMMAND | FLAG_NO_REPLY, 0);
    }

    /** The successful reply to {@code request} carrying {@code payloadSize} bytes. */
    public static VfioUserHeader reply(VfioUserHeader request, int payloadSize) {
        return new VfioUserHeader(request.messageId, request.command, SIZE + payloadSize, TYPE_REPLY, 0);
    }

    /** The error reply to {@code request}: no payload, the error bit and the errno. */
    public static VfioUserHeader errorReply(VfioUserHeader request, int errno) {
        return new VfioUserHeader(request.messageId, request.command, SIZE, TYPE_REPLY | FLAG_ERROR, errno);
    }

    public int type() {
        return flags & TYPE_MASK;
    }

    public boolean isReply() {
        return type() == TYPE_REPLY;
    }

    public boolean isError() {
        return (flags & FLAG_ERROR) != 0;
    }

    public boolean noReply() {
        return (flags & FLAG_NO_REPLY) != 0;
    }

    /** The payload size: the message size less the header (size was checked at decode). */
    public int payloadSize() {
        return size - SIZE;
    }

    /** Writes the 16 bytes at the buffer's position, little-endian, advancing it. */
    public void encode(ByteBuffer out) {
        ByteBuffer b = out.order(ByteOrder.LITTLE_ENDIAN);
        b.putShort((short) messageId).putShort((short) command).putInt(size).putInt(flags).putInt(error);
    }

    public byte[] toBytes() {
        ByteBuffer b = ByteBuffer.allocate(SIZE);
        encode(b);
        return b.array();
    }

    /**
     * Reads a header from the buffer's position. Returns null when fewer than 16 bytes remain or
     * the size field is below 16 (unsigned): a message the receiver cannot frame.
     */
    public static VfioUserHeader decode(ByteBuffer in) {
        if (in.remaining() < SIZE) {
            return null;
        }
        ByteBuffer b = in.order(ByteOrder.LITTLE_ENDIAN);
        int id = Short.toUnsignedInt(b.getShort());
        int cmd = Short.toUnsignedInt(b.getShort());
        int size = b.getInt();
        int flags = b.getInt();
        int error = b.getInt();
        if (Integer.compareUnsigned(size, SIZE) < 0) {
            return null;
        }
        return new VfioUserHeader(id, cmd, size, flags, error);
    }
}
