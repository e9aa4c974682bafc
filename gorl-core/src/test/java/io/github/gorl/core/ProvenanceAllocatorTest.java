package io.github.gorl.core;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/** run.json records the native allocator, so that a slow run on glibc's malloc can be told from a fast one. */
class ProvenanceAllocatorTest {

    @Test
    void versionsNameTheAllocatorTheThreadsAndTheCpus() {
        Map<String, Object> versions = Provenance.versions();
        assertThat(versions.get("allocator")).isIn("tcmalloc", "jemalloc", "glibc", "system");
        assertThat(versions.get("torchThreads")).isNotNull();
        assertThat(versions.get("cpus")).isEqualTo(Runtime.getRuntime().availableProcessors());
    }

    @Test
    void aPreloadedTcmallocIsRecognizedAndItsAbsenceIsGlibc() throws Exception {
        Optional<Path> tcmalloc = findTcmalloc();
        assumeTrue(tcmalloc.isPresent() && Files.isReadable(Path.of("/proc/self/maps")),
                "needs Linux and libtcmalloc-minimal4 (the launcher installs it)");
        assertThat(childAllocator(tcmalloc.get().toString())).isEqualTo("tcmalloc");
        assertThat(childAllocator("")).isEqualTo("glibc");
    }

    /** Prints the allocator of a fresh JVM started with {@code LD_PRELOAD=preload}. */
    public static void main(String[] args) {
        System.out.println("allocator=" + Provenance.allocator());
    }

    private static String childAllocator(String preload) throws IOException, InterruptedException {
        ProcessBuilder builder = new ProcessBuilder(
                Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-cp", System.getProperty("java.class.path"), ProvenanceAllocatorTest.class.getName())
                .redirectErrorStream(true);
        builder.environment().put("LD_PRELOAD", preload);
        Process process = builder.start();
        String out = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(process.waitFor(60, TimeUnit.SECONDS)).isTrue();
        return out.lines().filter(l -> l.startsWith("allocator=")).map(l -> l.substring(10)).findFirst()
                .orElseThrow(() -> new AssertionError("no allocator line in: " + out));
    }

    private static Optional<Path> findTcmalloc() throws IOException {
        for (Path dir : List.of(Path.of("/usr/lib"), Path.of("/usr/lib64"))) {
            if (!Files.isDirectory(dir)) {
                continue;
            }
            try (Stream<Path> files = Files.find(dir, 2,
                    (p, a) -> p.getFileName().toString().equals("libtcmalloc_minimal.so.4"))) {
                Optional<Path> found = files.findFirst();
                if (found.isPresent()) {
                    return found;
                }
            }
        }
        return Optional.empty();
    }
}
