package com.aiinference;

import static org.assertj.core.api.Assertions.assertThat;

import com.aiinference.cli.ExitCodes;
import java.io.PrintWriter;
import java.io.StringWriter;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;

class MainTest {

    @Test
    void unknownOptionIsOneLineUsageErrorWithExitTwo() {
        CommandLine cl = Main.commandLine();
        StringWriter err = new StringWriter();
        cl.setErr(new PrintWriter(err));
        int code = cl.execute("--no-such-option");
        assertThat(code).isEqualTo(ExitCodes.USAGE);
        assertThat(err.toString()).startsWith("ai-inference: unknown option '--no-such-option'");
    }

    @Test
    void aMisspeltOptionGetsASuggestion() {
        CommandLine cl = Main.commandLine();
        StringWriter err = new StringWriter();
        cl.setErr(new PrintWriter(err));
        assertThat(cl.execute("loadtest", "--url", "http://127.0.0.1:1", "--user", "5")).isEqualTo(ExitCodes.USAGE);
        assertThat(err.toString()).startsWith("loadtest: unknown option '--user' (did you mean --users?)");
    }

    @Test
    void everyHelpPrintsWithoutAWarningAndEverySummaryIsWholeSentences() {
        java.io.PrintStream stderr = System.err;
        java.io.ByteArrayOutputStream warnings = new java.io.ByteArrayOutputStream();
        try {
            System.setErr(new java.io.PrintStream(warnings, true));
            for (String[] args : new String[][] {{"--help"}, {"loadtest", "--help"}, {"loadtest", "sweep", "--help"},
                    {"loadtest", "capacity", "--help"}, {"simulate", "--help"}, {"simulate", "ollama", "--help"},
                    {"simulate", "cluster", "--help"}, {"plan", "--help"}, {"verify", "--help"}, {"status", "--help"}}) {
                CommandLine cl = Main.commandLine();
                StringWriter out = new StringWriter();
                cl.setOut(new PrintWriter(out));
                assertThat(cl.execute(args)).isZero();
                String help = out.toString();
                if (help.contains("Commands:")) {
                    String list = help.substring(help.indexOf("Commands:"), help.indexOf("\n\n", help.indexOf("Commands:")));
                    // One entry a command; its summary (continuation lines joined) ends a sentence.
                    for (String entry : list.replaceAll("\n {6,}", " ").lines().skip(1).toList()) {
                        assertThat(entry.strip()).as(String.join(" ", args)).endsWith(".");
                    }
                }
            }
        } finally {
            System.setErr(stderr);
        }
        assertThat(warnings.toString()).doesNotContain("WARN");
    }

    @Test
    void helpExitsZero() {
        CommandLine cl = Main.commandLine();
        StringWriter out = new StringWriter();
        cl.setOut(new PrintWriter(out));
        assertThat(cl.execute("--help")).isZero();
        assertThat(out.toString()).contains("Exit codes:");
    }

    @Test
    void aNamedCommandIsBuiltAloneAndAnythingElseSeesEveryCommand() {
        assertThat(Main.commandLine("loadtest", "--url", "http://127.0.0.1:9/api/generate").getSubcommands().keySet())
                .containsExactly("loadtest");
        assertThat(Main.commandLine("simulate", "cluster").getSubcommands().keySet()).containsExactly("simulate");
        java.util.Set<String> all = Main.commandLine().getSubcommands().keySet();
        assertThat(all).contains("help", "plan", "loadtest", "verify", "status", "simulate", "worker");
        for (String[] args : new String[][] {{}, {"--help"}, {"help", "loadtest"}, {"loadtst"}, {"-V"}}) {
            assertThat(Main.commandLine(args).getSubcommands().keySet()).as(String.join(" ", args)).isEqualTo(all);
        }
        // The one command built alone reads its options exactly as in the whole tree.
        StringWriter alone = new StringWriter();
        StringWriter whole = new StringWriter();
        CommandLine a = Main.commandLine("loadtest", "--help");
        a.setOut(new PrintWriter(alone, true));
        CommandLine w = Main.commandLine();
        w.setOut(new PrintWriter(whole, true));
        assertThat(a.execute("loadtest", "--help")).isZero();
        assertThat(w.execute("loadtest", "--help")).isZero();
        assertThat(alone.toString()).isEqualTo(whole.toString()).contains("Usage: ai-inference loadtest");
    }

    private static int run(StringWriter out, StringWriter err, String... args) {
        CommandLine cl = Main.commandLine();
        cl.setOut(new PrintWriter(out, true));
        cl.setErr(new PrintWriter(err, true));
        return cl.execute(args);
    }

    @Test
    void noCommandIsAUsageErrorNotHelpWithExitZero() {
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        assertThat(run(out, err)).isEqualTo(ExitCodes.USAGE);
        assertThat(err.toString()).startsWith("ai-inference: give a command: plan, preflight, loadtest, verify, status, simulate\n");
        assertThat(out.toString()).isEmpty();
        StringWriter err2 = new StringWriter();
        assertThat(run(new StringWriter(), err2, "simulate")).isEqualTo(ExitCodes.USAGE);
        assertThat(err2.toString()).startsWith("simulate: give a command: server, cluster\n");
    }

    @Test
    void anUnknownCommandIsNamedEvenWithHelp() {
        for (String[] args : new String[][] {{"nope", "--help"}, {"nope"}, {"simulate", "nodes", "--help"}}) {
            StringWriter out = new StringWriter();
            StringWriter err = new StringWriter();
            assertThat(run(out, err, args)).as(String.join(" ", args)).isEqualTo(ExitCodes.USAGE);
            assertThat(err.toString()).as(String.join(" ", args)).containsPattern("^(ai-inference|simulate): unknown command '"
                    + args[args.length - 2 >= 0 && args[0].equals("simulate") ? 1 : 0] + "' \\(commands: ");
            assertThat(out.toString()).isEmpty();
        }
    }

    @Test
    void errorsNameTheWholeCommandAndEveryCommandListsItsExitCodes() {
        StringWriter err = new StringWriter();
        assertThat(run(new StringWriter(), err, "simulate", "cluster")).isEqualTo(ExitCodes.USAGE);
        assertThat(err.toString()).startsWith("simulate cluster: Missing required option: '--outputs=FILE'");
        for (String[] args : new String[][] {{"simulate", "--help"}, {"simulate", "ollama", "--help"},
                {"simulate", "cluster", "--help"}, {"--help"}, {"loadtest", "--help"}, {"verify", "--help"}, {"plan", "--help"}}) {
            StringWriter out = new StringWriter();
            assertThat(run(out, new StringWriter(), args)).isZero();
            assertThat(out.toString()).as(String.join(" ", args)).contains("Exit codes:");
        }
        StringWriter verify = new StringWriter();
        run(verify, new StringWriter(), "verify", "--help");
        assertThat(verify.toString().replaceAll("\\s+", " ")).contains("without it on success>=99.9%");
    }
}
