package io.github.gorl.envs;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.github.gorl.envs.classic.BimodalBandit;
import io.github.gorl.envs.classic.Pendulum;
import org.junit.jupiter.api.Test;

class EnvsTest {

    @Test
    void make_knownNames_caseInsensitive() {
        assertThat(Envs.make("Pendulum")).isInstanceOf(Pendulum.class);
        assertThat(Envs.make("pendulum")).isInstanceOf(Pendulum.class);
        assertThat(Envs.make(" BIMODALBANDIT ")).isInstanceOf(BimodalBandit.class);
    }

    @Test
    void make_returnsANewInstanceEachCall() {
        assertThat(Envs.make("Pendulum")).isNotSameAs(Envs.make("Pendulum"));
    }

    @Test
    void make_unknownName_listsKnownNames() {
        assertThatThrownBy(() -> Envs.make("CartPole"))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("'CartPole'")
                .hasMessageContaining("Pendulum, BimodalBandit, CheetahRun");
        assertThatThrownBy(() -> Envs.make(null)).isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void names_listsClassicThenDmControlTasks() {
        assertThat(Envs.names()).containsExactly("Pendulum", "BimodalBandit", "CheetahRun", "FingerSpin",
                "FingerTurnHard", "FishSwim", "HopperStand", "WalkerWalk", "HumanoidStand", "HumanoidWalk",
                "HumanoidRun");
    }

    @Test
    void make_knowsDmControlTasksCaseInsensitively() {
        try (var env = Envs.make("cheetahrun")) {
            assertThat(env.spec().observationDim()).isEqualTo(17);
            assertThat(env.spec().actionDim()).isEqualTo(6);
        }
    }
}
