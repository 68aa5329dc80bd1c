package org.jvmm.machine.config;

/**
 * An mdev parent of the simulated host, a sample vendor driver loaded with its module options
 * ({@code -host-device mtty}, {@code -host-device mbochs[,pool=MIB]},
 * {@code -host-device medu[,max-instances=N][,forget-unpin=on]}). A parent an {@code -mdev} needs
 * but no option gave is loaded with its defaults.
 *
 * @param poolMib mbochs's video memory pool in MiB (its {@code count} parameter), 0 for the others
 * @param maxInstances medu's instance limit, 0 for the others
 * @param forgetUnpin medu ignores dma_unmap (the fatal case of A-28)
 * @param origin the option as the user gave it, for messages
 */
public record MdevParentConfig(Driver driver, int poolMib, int maxInstances, boolean forgetUnpin, String origin) {
    /** The largest mbochs pool accepted, in MiB. */
    public static final int POOL_MAX_MIB = 4096;

    /** The sample vendor drivers a parent can be. */
    public enum Driver {
        MTTY("mtty"), MBOCHS("mbochs"), MEDU("medu");

        private final String spelling;

        Driver(String spelling) {
            this.spelling = spelling;
        }

        public String spelling() {
            return spelling;
        }

        /** The driver spelled {@code name}, or null. */
        public static Driver of(String name) {
            for (Driver d : values()) {
                if (d.spelling.equals(name)) {
                    return d;
                }
            }
            return null;
        }
    }

    /** @throws IllegalArgumentException naming the origin and the value out of range */
    public MdevParentConfig {
        if (driver == null || origin == null) {
            throw new IllegalArgumentException("mdev parent config: driver and origin are required");
        }
        if (driver == Driver.MBOCHS && (poolMib < 1 || poolMib > POOL_MAX_MIB)) {
            throw new IllegalArgumentException(origin + ": Parameter 'pool' expects MiB from 1 to " + POOL_MAX_MIB + ", not "
                    + poolMib);
        }
        if (driver == Driver.MEDU && (maxInstances < 1 || maxInstances > 64)) {
            throw new IllegalArgumentException(origin + ": Parameter 'max-instances' expects 1 to 64, not " + maxInstances);
        }
    }

    /** The driver with its defaults (mbochs 256 MiB, medu 4 instances that unpin). */
    public static MdevParentConfig defaults(Driver driver, String origin) {
        return new MdevParentConfig(driver, driver == Driver.MBOCHS ? 256 : 0, driver == Driver.MEDU ? 4 : 0, false, origin);
    }
}
