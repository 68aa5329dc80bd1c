package org.jvmm.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * {@link Main#run} adds the journal and serve-device subcommands only where a command line may
 * name them: a machine run goes without, and help, errors and the subcommands themselves are as
 * they were when picocli always read them.
 */
class SubcommandsAreAddedWhereACommandLineMayNameThem {

    @Test
    void onlyAMachineRunThatNamesNoSubcommandGoesWithout() {
        assertEquals(false, Main.mayNameASubcommand(new String[] {}));
        assertEquals(false, Main.mayNameASubcommand(new String[] {"-M", "pseries", "-bios", "x.bin"}));
        assertEquals(false, Main.mayNameASubcommand(new String[] {"serve-devic", "x"}));
        assertEquals(true, Main.mayNameASubcommand(new String[] {"journal", "show", "dir"}));
        assertEquals(true, Main.mayNameASubcommand(new String[] {"serve-device", "edu,socket=s"}));
        assertEquals(true, Main.mayNameASubcommand(new String[] {"--help"}));
        assertEquals(true, Main.mayNameASubcommand(new String[] {"-V"}));
    }

    @Test
    void helpListsBothSubcommands() {
        CliRun r = CliRun.of("--help");
        assertEquals(0, r.status());
        List<String> lines = r.out().lines().toList();
        int commands = lines.indexOf("Commands:");
        assertTrue(commands > 0, r.out());
        assertEquals("  journal       Read a journal written with -journal DIR.", lines.get(commands + 1));
        assertTrue(lines.get(commands + 2).startsWith("  serve-device  Serve a host device of this process over vfio-user"),
                lines.get(commands + 2));
    }

    @Test
    void aMisspeltSubcommandIsRefusedAsAnUnmatchedArgument() {
        CliRun r = CliRun.of("serve-devic", "x");
        assertEquals(2, r.status());
        assertEquals("vmm: Unmatched arguments from index 0: 'serve-devic', 'x'", r.firstErrLine());
    }

    @Test
    void eachSubcommandStillRuns() {
        CliRun journal = CliRun.of("journal");
        assertEquals(2, journal.status());
        assertTrue(journal.out().startsWith("Usage: vmm journal [-hV] [COMMAND]"), journal.out());
        CliRun serve = CliRun.of("serve-device");
        assertEquals(2, serve.status());
        assertEquals("vmm: Missing required parameter: 'DEVICE'", serve.firstErrLine());
    }
}
