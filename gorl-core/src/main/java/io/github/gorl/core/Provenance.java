package io.github.gorl.core;

import ai.djl.Device;
import ai.djl.engine.Engine;
import io.github.gorl.api.EnvSpec;
import io.github.gorl.api.GenerativeDecoder;
import io.github.gorl.api.LatentPolicyOptimizer;
import io.github.gorl.api.Stage;
import io.github.gorl.api.StageSchedule;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Properties;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

/** The configuration, seed and versions that make a run traceable and reproducible. */
final class Provenance {

    /** The format version of run.json and checkpoint.json; 2 added their {@code crc32} checksum. */
    static final int FORMAT_VERSION = 2;

    private Provenance() {}

    static Map<String, Object> describe(EnvSpec spec, int numEnvs, LatentPolicyOptimizer optimizer,
            GenerativeDecoder decoder, StageSchedule schedule, long seed, Device device, Map<String, Object> trainer) {
        Map<String, Object> run = new LinkedHashMap<>();
        run.put("formatVersion", FORMAT_VERSION);
        Map<String, Object> task = new LinkedHashMap<>();
        task.put("id", spec.id());
        task.put("observationDim", spec.observationDim());
        task.put("actionDim", spec.actionDim());
        task.put("maxEpisodeSteps", spec.maxEpisodeSteps());
        task.put("numEnvs", numEnvs);
        run.put("task", task);
        run.put("seed", seed);
        run.put("device", device.toString());
        run.put("optimizer", withName(optimizer.name(), optimizer.config()));
        run.put("decoder", withName(decoder.name(), decoder.config()));
        run.put("schedule", new LinkedHashMap<>(schedule.config()));
        run.put("trainer", new LinkedHashMap<>(trainer));
        run.put("versions", versions());
        return run;
    }

    private static Map<String, Object> withName(String name, Map<String, Object> config) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("name", name);
        m.putAll(config);
        return m;
    }

    static Map<String, Object> versions() {
        Map<String, Object> v = new LinkedHashMap<>();
        v.put("gorl", libraryVersion());
        v.put("djl", Engine.getDjlVersion());
        Engine engine = Engine.getInstance();
        v.put("engine", engine.getEngineName() + " " + engine.getVersion());
        v.put("java", System.getProperty("java.version"));
        v.put("os", System.getProperty("os.name") + " " + System.getProperty("os.arch"));
        v.put("allocator", Cached.ALLOCATOR);
        v.put("torchThreads", System.getProperty("ai.djl.pytorch.num_threads", "default"));
        v.put("cpus", Runtime.getRuntime().availableProcessors());
        String git = Cached.GIT_REVISION;
        if (git != null) {
            v.put("gitRevision", git);
        }
        return v;
    }

    static String libraryVersion() {
        try (InputStream in = Provenance.class.getResourceAsStream("/io/github/gorl/core/version.properties")) {
            if (in != null) {
                Properties p = new Properties();
                p.load(in);
                return p.getProperty("version", "unknown");
            }
        } catch (IOException ignored) {
            // Fall through: the version is informative, never required.
        }
        return "unknown";
    }

    /**
     * The native memory allocator this process runs on: {@code "tcmalloc"} or {@code "jemalloc"} when one is
     * mapped into the process (the launcher preloads tcmalloc), else {@code "glibc"} on Linux and {@code "system"}
     * elsewhere. It decides the speed of PyTorch's CPU kernels on large tensors (docs/benchmarks.md, "Memory
     * allocator"), so a run records it beside the versions.
     */
    static String allocator() {
        Path maps = Path.of("/proc/self/maps");
        if (!Files.isReadable(maps)) {
            return "system";
        }
        try (Stream<String> lines = Files.lines(maps)) {
            return lines.map(line -> line.contains("libtcmalloc") ? "tcmalloc"
                    : line.contains("libjemalloc") ? "jemalloc" : null)
                    .filter(Objects::nonNull).findFirst().orElse("glibc");
        } catch (IOException | UncheckedIOException e) {
            return "unknown";
        }
    }

    /**
     * What cannot change while the JVM lives, looked up once: git's answer costs a process start (about 9 ms) and the
     * allocator a read of the process's memory map, and run.json is described at every checkpoint.
     */
    private static final class Cached {
        static final String GIT_REVISION = gitRevision();
        static final String ALLOCATOR = allocator();
    }

    /** The git revision of the working directory, when it is a git checkout and git is installed. */
    static String gitRevision() {
        try {
            Process p = new ProcessBuilder("git", "rev-parse", "HEAD").redirectErrorStream(true).start();
            if (!p.waitFor(2, TimeUnit.SECONDS)) {
                p.destroyForcibly();
                return null;
            }
            String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8).trim();
            return p.exitValue() == 0 && out.matches("[0-9a-f]{40}") ? out : null;
        } catch (IOException e) {
            return null;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return null;
        }
    }
}
