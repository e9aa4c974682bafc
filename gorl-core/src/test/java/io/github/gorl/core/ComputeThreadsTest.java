package io.github.gorl.core;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.github.gorl.api.Stage;
import io.github.gorl.api.StageSchedule;
import io.github.gorl.api.VectorEnv;
import io.github.gorl.core.optim.ComputeThreads;
import io.github.gorl.envs.classic.BimodalBandit;
import io.github.gorl.envs.Envs;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.function.UnaryOperator;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Each phase runs on the PyTorch thread count it was given; the choice is recorded in run.json. */
class ComputeThreadsTest {

    @TempDir
    Path dir;

    @Test
    void rolloutsAndRefitsRunOnTheirOwnThreadCounts_andRunJsonRecordsThem() throws Exception {
        int before = ComputeThreads.current();
        ScriptedOptimizer optimizer = new ScriptedOptimizer();
        CapturingDecoder decoder = new CapturingDecoder();
        try {
            train(optimizer, decoder, 3, b -> b.computeThreads(1, 2, 2).runDirectory(dir.resolve("run")));
            assertThat(optimizer.learnThreads).isNotEmpty().containsOnly(1);
            assertThat(decoder.fitThreads).containsExactly(2, 2);
            assertThat(ComputeThreads.current()).as("restored when train() ends").isEqualTo(before);
            assertThat(ComputeThreads.beginUpdate()).as("update threads end with the run").isZero();
            assertThat(Files.readString(dir.resolve("run").resolve("run.json")))
                    .contains("\"rolloutThreads\" : 1").contains("\"updateThreads\" : 2")
                    .contains("\"refitThreads\" : 2");
        } finally {
            ComputeThreads.use(before);
        }
    }

    @Test
    void anUpdateRunsOnTheUpdateThreads_andTheRolloutContinuesOnItsOwn() {
        int before = ComputeThreads.current();
        try {
            ComputeThreads.use(1);
            ComputeThreads.configureUpdates(2);
            int restore = ComputeThreads.beginUpdate();
            assertThat(ComputeThreads.current()).isEqualTo(2);
            ComputeThreads.use(restore);
            assertThat(ComputeThreads.current()).isEqualTo(1);
            ComputeThreads.configureUpdates(0);
            assertThat(ComputeThreads.beginUpdate()).as("nothing configured: nothing changes").isZero();
            assertThat(ComputeThreads.current()).isEqualTo(1);
        } finally {
            ComputeThreads.configureUpdates(0);
            ComputeThreads.use(before);
        }
    }

    @Test
    void zeroLeavesTheEngineAlone_andNegativeCountsAreRefusedByName() throws Exception {
        int before = ComputeThreads.current();
        ScriptedOptimizer optimizer = new ScriptedOptimizer();
        CapturingDecoder decoder = new CapturingDecoder();
        train(optimizer, decoder, 2, b -> b);
        assertThat(optimizer.learnThreads).containsOnly(before);
        assertThat(decoder.fitThreads).containsExactly(before);
        assertThatThrownBy(() -> GoRL.builder().computeThreads(1, -1, 2))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("computeThreads update")
                .hasMessageContaining("-1");
    }

    /** Trains a scripted agent for {@code stages} stages of 4 steps on bandits, with {@code options} applied. */
    private static void train(ScriptedOptimizer optimizer, CapturingDecoder decoder, int stages,
            UnaryOperator<GoRL.Builder> options) throws Exception {
        List<Stage> schedule = new ArrayList<>(List.of(new Stage(4, 0, 0, 0.2, 1)));
        for (int k = 1; k < stages; k++) {
            schedule.add(new Stage(4, 1, 0, 0.2, 1));
        }
        try (VectorEnv train = Envs.sync(i -> new BimodalBandit(), 2);
                VectorEnv eval = Envs.sync(i -> new BimodalBandit(), 2);
                GoRL agent = options.apply(GoRL.builder().env(train).evalEnv(eval).optimizer(optimizer)
                        .decoder(decoder).schedule(StageSchedule.of(schedule)).evalEvery(100)).build()) {
            agent.train();
        }
    }
}
