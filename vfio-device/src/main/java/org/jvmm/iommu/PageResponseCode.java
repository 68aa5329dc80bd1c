package org.jvmm.iommu;

/**
 * The answer to a device's page request (PCIe PRG Response codes; iommufd's
 * {@code enum iommufd_page_response_code} for the first two).
 */
public enum PageResponseCode {
    /** The page is there now: the device retries the access (IOMMUFD_PAGE_RESP_SUCCESS, 0). */
    SUCCESS,
    /** The request cannot be served: the device does not retry (IOMMUFD_PAGE_RESP_INVALID, 1). */
    INVALID,
    /** Response Failure: the device disables its PRI (not a code user space may send through iommufd). */
    FAILURE
}
