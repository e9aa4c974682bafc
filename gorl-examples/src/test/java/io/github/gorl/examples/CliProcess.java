package io.github.gorl.examples;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/** The command line in a new JVM on the tests' classpath, as a user's process runs it. */
final class CliProcess {

    private CliProcess() {}

    /**
     * Starts {@code gorl args...} with its output (stdout and stderr) in {@code log}, offline and on one PyTorch
     * thread in every phase, so that two runs of the same arguments compute the same numbers.
     */
    static Process start(Path log, String... args) throws Exception {
        List<String> command = new ArrayList<>(List.of(
                Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-Dai.djl.offline=true", "-Dai.djl.pytorch.num_threads=1", "-Dai.djl.pytorch.num_interop_threads=1",
                "-Dgorl.torchThreads=1", "-cp", System.getProperty("java.class.path"), GorlCli.class.getName()));
        command.addAll(List.of(args));
        return new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(log.toFile()).start();
    }

    /** {@code base} followed by {@code more}. */
    static String[] with(String[] base, String... more) {
        String[] all = new String[base.length + more.length];
        System.arraycopy(base, 0, all, 0, base.length);
        System.arraycopy(more, 0, all, base.length, more.length);
        return all;
    }
}
