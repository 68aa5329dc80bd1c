package org.jvmm.vfio.iommu;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.List;

/**
 * struct vfio_iommu_type1_info (24 bytes) after VFIO_IOMMU_GET_INFO, with its capability chain.
 *
 * <p>{@code chain} is what the kernel built; {@code caps} is what reached the user: the chain
 * when {@code argsz} was large enough (then {@code capOffset} is 24), otherwise empty with
 * {@code argsz} raised to the size needed and {@code capOffset} 0. {@code flags} has
 * VFIO_IOMMU_INFO_CAPS whenever the chain is non-empty.
 */
public record Type1Info(int argsz, int givenArgsz, int flags, long iovaPgsizes, int capOffset,
        List<Type1InfoCapability> chain, List<Type1InfoCapability> caps) implements IommuInfo {

    /** sizeof(struct vfio_iommu_type1_info). */
    public static final int SIZE = 24;

    public Type1Info {
        chain = List.copyOf(chain);
        caps = List.copyOf(caps);
    }

    /** Bytes the chain occupies (each capability padded to 8). */
    public static int chainBytes(List<Type1InfoCapability> chain) {
        int n = 0;
        for (Type1InfoCapability c : chain) {
            n += (c.byteSize() + 7) & ~7;
        }
        return n;
    }

    public <T extends Type1InfoCapability> T capability(Class<T> kind) {
        for (Type1InfoCapability c : caps) {
            if (kind.isInstance(c)) {
                return kind.cast(c);
            }
        }
        return null;
    }

    @Override
    public byte[] encode() {
        int needed = SIZE + (caps.isEmpty() ? 0 : chainBytes(caps));
        ByteBuffer out = ByteBuffer.allocate(Math.max(needed, SIZE)).order(ByteOrder.LITTLE_ENDIAN);
        out.putInt(argsz).putInt(flags).putLong(iovaPgsizes).putInt(capOffset).putInt(0);
        int at = SIZE;
        for (int i = 0; i < caps.size(); i++) {
            Type1InfoCapability c = caps.get(i);
            int padded = (c.byteSize() + 7) & ~7;
            out.position(at);
            out.putShort((short) c.id()).putShort((short) c.version()).putInt(i + 1 < caps.size() ? at + padded : 0);
            c.encodeBody(out);
            at += padded;
        }
        byte[] all = out.array();
        int copy = Math.min(givenArgsz, all.length);
        byte[] result = new byte[copy];
        System.arraycopy(all, 0, result, 0, copy);
        return result;
    }
}
