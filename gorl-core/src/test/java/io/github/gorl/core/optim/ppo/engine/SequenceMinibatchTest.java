package io.github.gorl.core.optim.ppo.engine;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Arrays;
import org.junit.jupiter.api.Test;

/** A sequence minibatch gathers whole sequences time-major, with the rows its per-minibatch GAE bootstraps from. */
class SequenceMinibatchTest {

    @Test
    void gatherSequences_laysOutWholeSequencesTimeMajor_withBootstrapAndFinalRows() {
        // 4 steps x 2 envs, one observation value per row: row j = t * 2 + env holds j.
        Rollout rollout = new Rollout(4, 2, 1, 1, 0, 1);
        for (int j = 0; j < rollout.size; j++) {
            rollout.observations[j] = j;
            rollout.actions[j] = 10 + j;
            rollout.rewards[j] = 20 + j;
        }
        rollout.bootstrapObservations[0] = 8;
        rollout.bootstrapObservations[1] = 9;
        rollout.truncated[3] = true; // env 1, step 1: a time limit, bootstrapped from its final observation
        rollout.finalObservations[3] = 100;
        // Sequences of 2 steps: q = chunk * numEnvs + env; take q = 3 (env 1, steps 2-3) and q = 1 (env 1, steps 0-1).
        Minibatch mb = new Minibatch(4, 1, 1, 0, 1);
        mb.gatherSequences(rollout, new int[] {3, 1, 0, 2}, 0, 2, 2);

        assertThat(mb.size).isEqualTo(4);
        assertThat(Arrays.copyOf(mb.observations, 4)).containsExactly(5, 1, 7, 3);
        assertThat(Arrays.copyOf(mb.actions, 4)).containsExactly(15, 11, 17, 13);
        assertThat(Arrays.copyOf(mb.rewards, 4)).containsExactly(25, 21, 27, 23);
        assertThat(Arrays.copyOf(mb.sourceRows, 4)).containsExactly(5, 1, 7, 3);
        // After sequence 3 comes the rollout's bootstrap row of env 1; after sequence 1, step 2 of env 1 (row 5);
        // then the truncated row's final observation.
        assertThat(mb.extraRows).isEqualTo(3);
        assertThat(Arrays.copyOf(mb.extraObservations, 3)).containsExactly(9, 5, 100);
        // V(s_{t+1}) of each row in the critic's output over [4 rows | 3 extra rows].
        assertThat(Arrays.copyOf(mb.nextValueRows, 4)).containsExactly(2, 3, 4, 6);
    }
}
