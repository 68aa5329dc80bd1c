package org.jvmm.journal;

/**
 * One journalled event: a category, a kind within it, up to four numbers and a text. The time
 * ({@code nanos} since the journal opened) is not part of what a replay compares.
 *
 * @param index the event's place in the journal, from 0
 */
public record JournalEvent(long index, long nanos, JournalCategory category, String kind, long a, long b, long c, long d,
        String text) {

    /** The event without its place and time: what {@code journal verify} compares. */
    public String content() {
        return category.cliName() + " " + kind + " " + Long.toHexString(a) + " " + Long.toHexString(b) + " "
                + Long.toHexString(c) + " " + Long.toHexString(d) + " " + text;
    }

    /** One readable line. */
    public String format() {
        String fields = switch (category) {
            case EXIT -> kind + (text.isEmpty() ? "" : " " + text);
            case MMIO -> kind + " 0x" + Long.toHexString(a) + " size " + b + " = 0x" + Long.toHexString(c);
            case HCALL -> kind + " 0x" + Long.toHexString(a) + " (0x" + Long.toHexString(b) + ", 0x" + Long.toHexString(c) + ", 0x"
                    + Long.toHexString(d) + ") -> " + text;
            case DMA -> kind + " iova 0x" + Long.toHexString(a) + " size 0x" + Long.toHexString(b) + (c == 0 ? "" : " errno " + c);
            case IOMMU -> kind + " " + text + " iova 0x" + Long.toHexString(a) + " size 0x" + Long.toHexString(b);
            case BAR -> kind + " " + text + " BAR" + a;
            case IRQ -> switch (kind) {
                case "msi" -> "msi " + text + " vector " + a;
                case "intx" -> "intx " + text + " asserted";
                default -> kind + " gsi " + a + " address 0x" + Long.toHexString(b) + " data 0x" + Long.toHexString(c);
            };
            case MEMSLOT -> kind + " gpa 0x" + Long.toHexString(a) + " size 0x" + Long.toHexString(b);
            case QMP, GUEST_ERROR, RUN -> kind + " " + text;
            case VTD -> kind + " sid 0x" + Long.toHexString(a) + " pasid " + b + " address 0x" + Long.toHexString(c) + " value 0x"
                    + Long.toHexString(d);
        };
        return String.format("%8d %12.6f %-11s %s", index, nanos / 1e9, category.cliName(), fields);
    }
}
