package org.jvmm.iommu;

import java.util.function.Consumer;

/**
 * Where a domain sends recoverable I/O page faults (page requests): Linux's iopf handler of a
 * domain (for iommufd, the fault object a HWPT was allocated with). The handler answers every
 * request exactly once through {@code respond}, from any thread, possibly much later.
 */
public interface IopfHandler {
    void handle(PageRequest request, Consumer<PageResponseCode> respond);
}
