package org.jvmm.qmp;

import java.io.IOException;
import java.nio.file.Path;
import java.util.IdentityHashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import org.jvmm.hw.display.ScreenDump;
import org.jvmm.hw.pci.PciDevfn;
import org.jvmm.hw.pci.PciFunction;
import org.jvmm.hw.vfio.VfioPciDevice;
import org.jvmm.kvm.VcpuExit;
import org.jvmm.machine.x86.X86ToyMachine;
import org.jvmm.memory.MemoryTreeFormatter;
import org.jvmm.pci.PciAddress;
import org.jvmm.pci.host.HostPciPlatform;

/**
 * The x86-toy machine under the monitor. Its vCPU thread passes {@link #gate} on every exit
 * (give it to {@link X86ToyMachine#run} as the exit observer): stop kicks the vCPU out of the guest
 * and holds it there until cont; device_add and device_del hold it the same way while the memory
 * map, the VFIO container's mappings and the interrupt routes change, then let it go on.
 */
public final class X86ToyMonitored implements MonitoredMachine {
    private final X86ToyMachine machine;
    private final HostPciPlatform platform;
    private final Map<String, VfioPciDevice> byId = new LinkedHashMap<>();
    private final CountDownLatch started = new CountDownLatch(1);
    private final Object gateLock = new Object();
    private boolean held;
    private boolean parked;
    private volatile boolean vcpuRunning;
    /** Set by the monitor's stop: a hold that device_add, device_del and reset must not lift. */
    private volatile boolean stopped;

    /**
     * @param platform the host platform the machine's devices come from (device_add takes its
     *     functions); the devices plugged at build time get their names as ids
     */
    public X86ToyMonitored(X86ToyMachine machine, HostPciPlatform platform, boolean startPaused) {
        this.machine = machine;
        this.platform = platform;
        for (VfioPciDevice d : machine.vfioDevices()) {
            byId.put(d.name(), d);
        }
        if (!startPaused) {
            started.countDown();
        }
    }

    /** Blocks until the first cont of a -S start (at once otherwise). */
    public void awaitStart() throws InterruptedException {
        started.await();
    }

    /** Called on the vCPU thread before each exit is handled: waits there while the monitor holds the vCPU. */
    public void gate(VcpuExit exit) {
        synchronized (gateLock) {
            vcpuRunning = true;
            while (held) {
                parked = true;
                gateLock.notifyAll();
                try {
                    gateLock.wait();
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    return;
                }
            }
            parked = false;
        }
    }

    /** The vCPU thread is about to start: from now on a hold waits for it at the gate. */
    public void runStarting() {
        vcpuRunning = true;
    }

    /** The run ended: nothing waits at the gate any more. */
    public void runEnded() {
        synchronized (gateLock) {
            vcpuRunning = false;
            parked = true;
            gateLock.notifyAll();
        }
    }

    /** Holds the vCPU outside the guest; returns once it waits at the gate (or runs no more). */
    private void hold() {
        synchronized (gateLock) {
            if (held) {
                return;
            }
            held = true;
            parked = false;
        }
        if (started.getCount() > 0) {
            return; // never started: nothing runs
        }
        machine.vcpu().kick();
        synchronized (gateLock) {
            while (!parked && vcpuRunning) {
                try {
                    gateLock.wait(50);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    return;
                }
                if (!parked && vcpuRunning) {
                    machine.vcpu().kick(); // it was between exits: kick again
                }
            }
        }
    }

    private void release() {
        synchronized (gateLock) {
            held = false;
            gateLock.notifyAll();
        }
    }

    @Override
    public String type() {
        return "x86-toy";
    }

    @Override
    public boolean kvm() {
        return true;
    }

    @Override
    public void pause() {
        stopped = true;
        hold();
    }

    @Override
    public void resume() {
        stopped = false;
        release();
        started.countDown();
    }

    /** Devices reset as at power-on; the vCPU is not rewound (x86-toy has no firmware to start again). */
    @Override
    public void reset() {
        hold();
        try {
            for (VfioPciDevice d : machine.vfioDevices()) {
                d.reset();
            }
        } finally {
            if (!stopped) {
                release();
            }
        }
    }

    private Map<PciFunction, String> ids() {
        Map<PciFunction, String> ids = new IdentityHashMap<>();
        byId.forEach((id, d) -> ids.put(d, id));
        return ids;
    }

    @Override
    public Object queryPci() {
        return PciReport.query(machine.layout().pciBus(), ids());
    }

    @Override
    public String infoMtree(boolean flat) {
        return PciReport.mtree(MemoryTreeFormatter.format(List.of(machine.layout().memory(), machine.layout().io())), flat);
    }

    @Override
    public String infoPci() {
        return PciReport.text(machine.layout().pciBus(), ids());
    }

    private List<Map<String, Object>> containers() {
        List<Map<String, Object>> all = new java.util.ArrayList<>();
        if (machine.vfio() != null) {
            all.add(IommuReport.container("type1-0", machine.vfio().container()));
        }
        for (org.jvmm.hw.vfio.VfioIommufdSpace s : machine.iommufds().values()) {
            all.add(IommuReport.iommufd(s));
        }
        return all;
    }

    @Override
    public String infoIommu() {
        return IommuReport.text(containers());
    }

    @Override
    public Object queryIommu() {
        return containers();
    }

    @Override
    public Object queryFaults() {
        return IommuReport.faults(platform.faults().faults());
    }

    @Override
    public Object queryExits() {
        return IommuReport.exits(machine.exits());
    }

    /** The devices with a host function (a mediated device has none: its parent driver keeps no such counters). */
    private List<CounterReport.Device> counted() {
        List<CounterReport.Device> out = new java.util.ArrayList<>();
        byId.forEach((id, d) -> {
            if (d.vfioDevice() != null && d.vfioDevice().address() != null) {
                out.add(new CounterReport.Device(id, platform.function("x-query", d.vfioDevice().address())));
            }
        });
        return out;
    }

    @Override
    public Object queryDma() {
        return CounterReport.dma(counted());
    }

    /** The devices' messages (x86-toy's interrupt controller is KVM's; it keeps no per-line counts here). */
    @Override
    public Object queryIrq() {
        return CounterReport.irq(counted(), null);
    }

    /** vfio-pci,host=DDDD:BB:DD.F[,addr=SLOT][,x-no-mmap=on|off], plugged with the vCPU held. */
    @Override
    public void deviceAdd(String driver, String id, Map<String, String> props) {
        String hostText = props.remove("host");
        String addr = props.remove("addr");
        String noMmapText = props.remove("x-no-mmap");
        if (!props.isEmpty()) {
            String p = props.keySet().iterator().next();
            throw QmpError.generic("Property 'vfio-pci." + p + "' not found");
        }
        if (hostText == null) {
            throw QmpError.generic("vfio-pci: No provided host device - Use host=DDDD:BB:DD.F");
        }
        if (id != null && byId.containsKey(id)) {
            throw QmpError.generic("Duplicate device ID '" + id + "' for device");
        }
        PciAddress host;
        try {
            host = PciAddress.parse(hostText);
        } catch (IllegalArgumentException e) {
            throw QmpError.generic("Property 'vfio-pci.host' doesn't take value '" + hostText + "'");
        }
        boolean noMmap = switch (noMmapText == null ? "off" : noMmapText) {
            case "on", "true" -> true;
            case "off", "false" -> false;
            default -> throw QmpError.generic("Parameter 'x-no-mmap' expects 'on' or 'off'");
        };
        int slot = addr == null ? freeSlot() : slot(addr);
        if (machine.layout().pciBus().function(new PciDevfn(slot, 0)) != null) {
            throw QmpError.generic("PCI: slot " + slot + " function 0 not available for vfio-pci, in use by "
                    + machine.layout().pciBus().function(new PciDevfn(slot, 0)).name());
        }
        hold();
        try {
            VfioPciDevice d = machine.addVfioPci(platform, host, slot, noMmap);
            byId.put(id != null ? id : d.name(), d);
        } catch (IllegalArgumentException | IllegalStateException e) {
            throw QmpError.generic(e.getMessage()); // names the operation and the host function
        } finally {
            if (!stopped) {
                release();
            }
        }
    }

    @Override
    public void deviceDel(String id) {
        VfioPciDevice d = byId.get(id);
        if (d == null) {
            throw QmpError.deviceNotFound(id);
        }
        hold();
        try {
            machine.removeVfioPci(d);
            byId.remove(id);
        } finally {
            if (!stopped) {
                release();
            }
        }
    }

    /**
     * QMP screendump of the first display given with display=on (ui/console.c's qmp_screendump):
     * QEMU's answers when there is no console, for a format outside its enum, and for a file that
     * cannot be written.
     */
    @Override
    public void screendump(String filename, String format) {
        if (machine.displays().isEmpty()) {
            throw QmpError.generic("There is no console to take a screendump from");
        }
        ScreenDump.Format f = switch (format) {
            case "ppm" -> ScreenDump.Format.PPM;
            case "png" -> ScreenDump.Format.PNG;
            default -> throw QmpError.generic("Parameter 'format' does not accept value '" + format + "'");
        };
        try {
            machine.screendump(Path.of(filename), f);
        } catch (IllegalStateException e) {
            throw QmpError.generic(e.getMessage());
        } catch (IOException | java.nio.file.InvalidPathException e) {
            throw QmpError.generic("failed to open file '" + filename + "': " + e.getMessage());
        }
    }

    private int freeSlot() {
        for (int s = 1; s < 32; s++) {
            if (machine.layout().pciBus().function(new PciDevfn(s, 0)) == null) {
                return s;
            }
        }
        throw QmpError.generic("PCI: no slot/function available for vfio-pci, all in use");
    }

    private static int slot(String addr) {
        try {
            int s = addr.startsWith("0x") ? Integer.parseInt(addr.substring(2), 16) : Integer.parseInt(addr);
            if (s >= 1 && s < 32) {
                return s;
            }
        } catch (NumberFormatException e) {
            // answered below
        }
        throw QmpError.generic("Property 'vfio-pci.addr' doesn't take value '" + addr + "'");
    }
}
