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
import java.util.List;
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
        try (VectorEnv train = Envs.sync(i -> new BimodalBandit(), 2);
                VectorEnv eval = Envs.sync(i -> new BimodalBandit(), 2);
                GoRL agent = GoRL.builder().env(train).evalEnv(eval).optimizer(optimizer).decoder(decoder)
                        .schedule(StageSchedule.of(List.of(new Stage(4, 0, 0, 0.2, 1), new Stage(4, 1, 0, 0.2, 1),
                                new Stage(4, 1, 0, 0.2, 1))))
                        .computeThreads(1, 2, 2).runDirectory(dir.resolve("run")).evalEvery(100).build()) {
            agent.train();
            assertThat(optimizer.learnThreads).isNotEmpty().containsOnly(1);
            assertThat(decoder.fitThreads).containsExactly(2, 2);
            assertThat(ComputeThreads.current()).as("back to the rollout's after the last refit").isEqualTo(1);
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
            ComputeThreads.endUpdate(restore);
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
        try (VectorEnv train = Envs.sync(i -> new BimodalBandit(), 2);
                VectorEnv eval = Envs.sync(i -> new BimodalBandit(), 2);
                GoRL agent = GoRL.builder().env(train).evalEnv(eval).optimizer(optimizer).decoder(decoder)
                        .schedule(StageSchedule.of(List.of(new Stage(4, 0, 0, 0.2, 1), new Stage(4, 1, 0, 0.2, 1))))
                        .evalEvery(100).build()) {
            agent.train();
            assertThat(optimizer.learnThreads).containsOnly(before);
            assertThat(decoder.fitThreads).containsExactly(before);
        }
        assertThatThrownBy(() -> GoRL.builder().computeThreads(1, -1, 2))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("computeThreads update")
                .hasMessageContaining("-1");
    }
}
