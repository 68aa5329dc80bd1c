package org.jvmm.cli;

import java.util.ArrayList;
import java.util.List;
import org.jvmm.machine.x86.X86ToyBuilder;
import picocli.CommandLine.Option;

/**
 * The iommufd options of the command line, as QEMU spells them: {@code -object iommufd,id=ID}
 * declares an iommufd backend (/dev/iommu), and {@code -device vfio-pci,host=..,iommufd=ID} gives
 * the function to the guest through its VFIO cdev bound to that backend instead of a VFIO
 * container. A picocli mixin of {@link Main}.
 */
@picocli.CommandLine.Command(addMethodSubcommands = false) // a mixin: no method of it is a subcommand
public final class IommufdOptions {
    @Option(names = {"-object", "--object"}, paramLabel = "OBJ", converter = DeviceOption.Converter.class,
            description = "A backend object: iommufd,id=ID (an iommufd /dev/iommu that -device vfio-pci,...,iommufd=ID uses "
                    + "instead of a VFIO container). Repeatable.")
    List<DeviceOption> objects = new ArrayList<>();

    /** Declares each -object with the builder; a type other than iommufd or a missing id is a usage error. */
    void declare(X86ToyBuilder builder) {
        for (DeviceOption o : objects) {
            String where = o.where("-object");
            if (!o.driver().equals("iommufd")) {
                throw new UsageException(where + ": invalid object type: " + o.driver() + " (known: iommufd)");
            }
            o.checkKnown("-object", List.of("id"));
            String id = o.require("-object", "id");
            try {
                builder.iommufd(id);
            } catch (IllegalArgumentException e) {
                throw new UsageException(e.getMessage());
            }
        }
    }

    /** The iommufd a -device names, or null for a VFIO container. */
    static String iommufdOf(DeviceOption device) {
        return device.has("iommufd") ? device.get("iommufd", "") : null;
    }
}
