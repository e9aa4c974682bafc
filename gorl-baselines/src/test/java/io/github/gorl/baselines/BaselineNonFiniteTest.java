package io.github.gorl.baselines;

import io.github.gorl.api.LatentPolicyOptimizer;
import io.github.gorl.core.NonFiniteScenarios;
import java.nio.file.Path;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** FPO and DPPO share latent PPO's engine, and so its handling of a NaN from the env: the same scenarios hold. */
class BaselineNonFiniteTest {

    @TempDir
    Path temp;

    /** FPO or DPPO with batches of 64 steps, as the PPO of the scenarios. */
    private static LatentPolicyOptimizer baseline(String name) {
        return name.equals("fpo")
                ? Fpo.builder().hiddenLayers(16).criticLayers(16).steps(2).mcSamples(4).unrollLength(32)
                        .minibatches(2).epochs(2).build()
                : Dppo.builder().hiddenLayers(16).criticLayers(16).steps(2).unrollLength(32).minibatches(2)
                        .epochs(2).build();
    }

    @ParameterizedTest
    @ValueSource(strings = {"fpo", "dppo"})
    void baseline_skip_dropsTheBatchAndTrainsToTheEnd(String name) throws Exception {
        NonFiniteScenarios.dropsTheBatchAndTrainsToTheEnd(temp.resolve("run"), baseline(name));
    }

    @ParameterizedTest
    @ValueSource(strings = {"fpo", "dppo"})
    void baseline_nanRewardInTraining_namesTheGlobalStepSubEnvAndLastCheckpoint(String name) {
        NonFiniteScenarios.stopsNamingTheGlobalStepSubEnvAndLastCheckpoint(temp.resolve("run"), baseline(name));
    }
}
