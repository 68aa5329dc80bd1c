/** ivshmem-plain (1af4:1110), from QEMU docs/specs/ivshmem-spec.rst. */
package org.jvmm.devices.ivshmem;
