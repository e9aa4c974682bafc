package io.github.gorl.core;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.github.gorl.api.GenerativeDecoder;
import io.github.gorl.api.LatentPolicyOptimizer;
import io.github.gorl.api.Metrics;
import io.github.gorl.api.StageSchedule;
import io.github.gorl.api.TrainingListener;
import io.github.gorl.api.TrainingResult;
import io.github.gorl.api.VectorEnv;
import io.github.gorl.core.optim.ppo.Ppo;
import io.github.gorl.core.train.JsonFile;
import io.github.gorl.core.train.RunLock;
import io.github.gorl.decoders.IdentityDecoder;
import io.github.gorl.envs.Envs;
import io.github.gorl.envs.classic.Pendulum;
import java.io.IOException;
import java.lang.reflect.Proxy;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.CancellationException;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A run directory as a transaction, in-process: the lock, a stop requested at a safe point, a checkpoint write that
 * fails, and a checkpoint missing a file. The subprocess cases (signals, a full disk, two processes) are in
 * gorl-examples' {@code RunDirectoryProcessTest}.
 */
class RunDirectoryTransactionTest {

    private static final long STEPS = 2048;

    @TempDir
    Path temp;

    private static GoRL.Builder tinyPpo(VectorEnv env, VectorEnv eval, Path run, long checkpointEvery) {
        GoRL.Builder b = GoRL.builder().env(env).evalEnv(eval)
                .optimizer(Ppo.latent().actorLayers(16).criticLayers(16).unrollLength(32).minibatches(2).epochs(2)
                        .build())
                .decoder(new IdentityDecoder()).schedule(StageSchedule.single(STEPS, 0)).evalEvery(512)
                .seed(5).runDirectory(run);
        return checkpointEvery > 0 ? b.checkpointEvery(checkpointEvery) : b;
    }

    private static VectorEnv pendulums(int n) {
        return Envs.sync(i -> new Pendulum(), n);
    }

    /** Trains; with {@code stopAt} > 0 asks for a stop (as a signal handler would) once a step passes it. */
    private TrainingResult train(Path run, long checkpointEvery, long stopAt, boolean resume) throws Exception {
        try (VectorEnv env = pendulums(4); VectorEnv eval = pendulums(2)) {
            GoRL[] self = new GoRL[1];
            GoRL.Builder b = tinyPpo(env, eval, run, checkpointEvery);
            if (stopAt > 0) {
                b.listener(new TrainingListener() {
                    @Override
                    public void onMetrics(Metrics m) {
                        if (m.step() > stopAt) {
                            self[0].requestStop();
                        }
                    }
                });
            }
            try (GoRL agent = b.build()) {
                self[0] = agent;
                if (resume) {
                    agent.load(run.resolve("checkpoint"));
                }
                return agent.train();
            }
        }
    }

    private static long checkpointStep(Path run) throws IOException {
        return JsonFile.read(run.resolve("checkpoint/checkpoint.json")).path("envSteps").asLong();
    }

    @Test
    void requestStop_withCheckpointEvery_stopsAtTheRunsOwnNextCheckpoint_andTheResumeIsExact() throws Exception {
        TrainingResult whole = train(temp.resolve("whole"), 500, 0, false);
        Path run = temp.resolve("stopped");

        assertThatThrownBy(() -> train(run, 500, 600, false)).isInstanceOf(CancellationException.class)
                .hasMessageContaining("stopped on request").hasMessageContaining("checkpoint written")
                .hasMessageContaining(run.resolve("checkpoint").toAbsolutePath().toString());
        // The first of the run's own checkpoints after the request (at 1000 steps: at the chunk boundary past it).
        assertThat(checkpointStep(run)).isBetween(1000L, 1499L);
        assertThat(run.resolve("summary.json")).doesNotExist();

        TrainingResult resumed = train(run, 500, 0, true);
        assertThat(resumed.envSteps()).isEqualTo(whole.envSteps());
        assertThat(resumed.evaluations()).isEqualTo(whole.evaluations());
        assertThat(resumed.finalEvalReturn()).isEqualTo(whole.finalEvalReturn());
    }

    @Test
    void requestStop_withoutCheckpointEvery_stopsAtTheNextChunk_withACheckpointThatResumes() throws Exception {
        Path run = temp.resolve("stopped");
        assertThatThrownBy(() -> train(run, 0, 600, false)).isInstanceOf(CancellationException.class)
                .hasMessageContaining("checkpoint written");
        // The next learn-chunk boundary: the evaluation at 1024 steps.
        assertThat(checkpointStep(run)).isBetween(600L, STEPS - 1);

        assertThat(train(run, 0, 0, true).envSteps()).isGreaterThanOrEqualTo(STEPS);
        assertThat(run.resolve("summary.json")).exists();
    }

    @Test
    void runDirectory_isLockedForTheAgentsLife_andASecondAgentIsRefusedNamingTheHolder() throws Exception {
        Path run = temp.resolve("run");
        try (VectorEnv env = pendulums(2); VectorEnv eval = pendulums(2)) {
            try (GoRL first = tinyPpo(env, eval, run, 0).build()) {
                assertThatThrownBy(() -> tinyPpo(env, eval, run, 0).build())
                        .isInstanceOf(IllegalStateException.class).hasMessageContaining(run.toString())
                        .hasMessageContaining("in use").hasMessageContaining("pid " + ProcessHandle.current().pid());
                assertThatThrownBy(() -> RunLock.acquire(run)).isInstanceOf(IllegalStateException.class);
            }
            // Released by close(): the directory is free again.
            try (GoRL again = tinyPpo(env, eval, run, 0).build()) {
                assertThat(Files.readString(run.resolve(RunLock.FILE)))
                        .startsWith("pid " + ProcessHandle.current().pid() + ", started ");
            }
        }
    }

    @Test
    void checkpointWriteFailure_namesTheCause_keepsThePreviousCheckpoint_andLeavesNoTemporaryFolder()
            throws Exception {
        Path checkpoint = temp.resolve("run/checkpoint");
        Map<String, Object> description = new LinkedHashMap<>();
        description.put("formatVersion", Provenance.FORMAT_VERSION);
        Checkpoints.save(checkpoint, part(LatentPolicyOptimizer.class, null), part(GenerativeDecoder.class, null),
                description, 1024, null, 1024);

        IOException full = new IOException("No space left on device");
        assertThatThrownBy(() -> Checkpoints.save(checkpoint, part(LatentPolicyOptimizer.class, null),
                part(GenerativeDecoder.class, full), description, 2048, null, 2048))
                .isSameAs(full);

        try (Stream<Path> left = Files.list(temp.resolve("run"))) {
            assertThat(left.map(p -> p.getFileName().toString())).containsExactly("checkpoint");
        }
        assertThat(JsonFile.read(checkpoint.resolve("checkpoint.json")).path("envSteps").asLong()).isEqualTo(1024);
        assertThat(checkpoint.resolve("optimizer/state.bin")).exists();
    }

    @Test
    void load_ofACheckpointMissingAFile_namesTheFileAndWhatItHolds() throws Exception {
        Path run = temp.resolve("run");
        train(run, 0, 0, false);
        Path checkpoint = run.resolve("checkpoint");
        Path tensors;
        try (Stream<Path> files = Files.list(checkpoint.resolve("optimizer"))) {
            tensors = files.findFirst().orElseThrow();
        }
        Files.delete(tensors);
        try (VectorEnv env = pendulums(4); VectorEnv eval = pendulums(2);
                GoRL agent = tinyPpo(env, eval, temp.resolve("loader"), 0).build()) {
            assertThatThrownBy(() -> agent.load(checkpoint)).isInstanceOf(IOException.class)
                    .hasMessageContaining("checkpoint " + checkpoint + " is missing optimizer/"
                            + tensors.getFileName())
                    .hasMessageContaining("(the state of optimizer 'ppo'");

            Files.delete(checkpoint.resolve("checkpoint.json"));
            assertThatThrownBy(() -> agent.load(checkpoint)).isInstanceOf(IOException.class)
                    .hasMessageContaining("checkpoint.json is missing (the checkpoint's description");
        }
    }

    /**
     * A stand-in optimizer or decoder for {@link Checkpoints#save}: its save writes one file, or throws
     * {@code failure}.
     */
    private static <T> T part(Class<T> type, IOException failure) {
        return type.cast(Proxy.newProxyInstance(type.getClassLoader(), new Class<?>[] {type}, (proxy, method, args) -> {
            switch (method.getName()) {
                case "save" -> {
                    if (failure != null) {
                        // A partly written file, as a full disk leaves it.
                        Files.write(((Path) args[0]).resolve("partial.bin"), new byte[100]);
                        throw failure;
                    }
                    Files.write(((Path) args[0]).resolve("state.bin"), new byte[] {1, 2, 3});
                    return null;
                }
                case "name" -> {
                    return "stand-in";
                }
                case "hashCode" -> {
                    return System.identityHashCode(proxy);
                }
                case "equals" -> {
                    return proxy == args[0];
                }
                default -> throw new UnsupportedOperationException(method.getName());
            }
        }));
    }
}
