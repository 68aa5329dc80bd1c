package org.jvmm.pci;

/**
 * The interrupt wires a PCI function drives: its INTx pin (level) and message-signalled vectors.
 * The host side decides where they go (vfio-pci forwards them to the user's eventfds).
 * Callable from any thread.
 */
public interface InterruptSink {

    /** Drives the INTx line: asserted (true) or deasserted. */
    void setIntx(boolean asserted);

    /** True when MSI is enabled on the function (the device then signals messages, not INTx). */
    boolean msiEnabled();

    /** True when MSI-X is enabled on the function. */
    boolean msixEnabled();

    /** Sends MSI or MSI-X message {@code vector}. Ignored when neither is enabled. */
    void signalMsi(int vector);
}
