package org.jvmm.host;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.jvmm.host.sys.EventFd;
import org.jvmm.host.sys.ProcessFds;
import org.junit.jupiter.api.Test;

class EventFdTest {

    @Test
    void signalThenTestAndClearRoundTrips() {
        long before = ProcessFds.count();
        try (EventFd e = EventFd.create()) {
            assertEquals(before + 1, ProcessFds.count());
            assertFalse(e.testAndClear());
            e.signal();
            e.signal();
            assertEquals(2, e.readCount());
            assertFalse(e.testAndClear());
            e.signal();
            assertTrue(e.testAndClear());
            assertFalse(e.testAndClear());
        }
        assertEquals(before, ProcessFds.count());
    }

    @Test
    void closingTwiceIsABugThatShows() {
        EventFd e = EventFd.create();
        e.close();
        assertThrows(IllegalStateException.class, e::close);
        assertThrows(IllegalStateException.class, e::signal);
    }
}
