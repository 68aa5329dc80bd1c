package org.jvmm.host.sys;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@link ProcessFds#openedSince}: a descriptor opened after the snapshot is named, and none once it is closed. */
class ProcessFdsOpenedSinceNamesOnlyNewDescriptors {

    @Test
    void aFileOpenedAfterTheSnapshotIsNamedUntilItIsClosed(@TempDir Path dir) throws Exception {
        Path file = Files.createFile(dir.resolve("held"));
        Map<Integer, String> before = ProcessFds.snapshot();
        try (FileChannel ch = FileChannel.open(file)) {
            Map<Integer, String> opened = ProcessFds.openedSince(before);
            assertTrue(opened.containsValue(file.toRealPath().toString()), opened.toString());
        }
        assertEquals(Map.of(), ProcessFds.openedSince(before));
    }
}
