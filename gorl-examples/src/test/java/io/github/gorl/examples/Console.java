package io.github.gorl.examples;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;

/** Test helper: what a CLI call prints, with {@code System.out} or {@code System.err} captured around it. */
final class Console {

    private Console() {}

    /** Runs {@code gorl args...}, asserts that it fails with exit code 1, and returns what it printed on stderr. */
    static String errorOf(String... args) {
        PrintStream saved = System.err;
        ByteArrayOutputStream buffer = new ByteArrayOutputStream();
        try {
            System.setErr(new PrintStream(buffer, true, StandardCharsets.UTF_8));
            assertThat(GorlCli.run(args)).isEqualTo(1);
        } finally {
            System.setErr(saved);
        }
        return buffer.toString(StandardCharsets.UTF_8);
    }

    /** Runs {@code action} and returns what it printed on stdout. */
    static String printedBy(Runnable action) {
        PrintStream saved = System.out;
        ByteArrayOutputStream printed = new ByteArrayOutputStream();
        try {
            System.setOut(new PrintStream(printed, true, StandardCharsets.UTF_8));
            action.run();
        } finally {
            System.setOut(saved);
        }
        return printed.toString(StandardCharsets.UTF_8);
    }
}
