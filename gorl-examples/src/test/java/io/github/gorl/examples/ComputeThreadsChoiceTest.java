package io.github.gorl.examples;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** gorl train's threads per phase: more only where the tensors are large, unless GORL_TORCH_THREADS fixes them. */
class ComputeThreadsChoiceTest {

    private final String saved = System.getProperty("gorl.torchThreads");

    @AfterEach
    void restore() {
        if (saved == null) {
            System.clearProperty("gorl.torchThreads");
        } else {
            System.setProperty("gorl.torchThreads", saved);
        }
    }

    @Test
    void auto_givesLargeUpdatesAndRefitsUpToTwoThreads_andRolloutsOne() {
        System.setProperty("gorl.torchThreads", "auto");
        int many = Math.min(2, Runtime.getRuntime().availableProcessors());
        assertThat(TrainCommand.computeThreads(false, false)).containsExactly(1, 1, 1);
        assertThat(TrainCommand.computeThreads(false, true)).containsExactly(1, 1, many);
        assertThat(TrainCommand.computeThreads(true, true)).containsExactly(1, many, many);
        System.clearProperty("gorl.torchThreads");
        assertThat(TrainCommand.computeThreads(true, false)).containsExactly(1, many, 1);
    }

    @Test
    void aFixedCount_appliesToEveryPhase_andABadOneIsRefusedByName() {
        System.setProperty("gorl.torchThreads", "3");
        assertThat(TrainCommand.computeThreads(false, false)).containsExactly(3, 3, 3);
        System.setProperty("gorl.torchThreads", "0");
        assertThatThrownBy(() -> TrainCommand.computeThreads(true, true))
                .hasMessage("GORL_TORCH_THREADS must be a positive count or auto, got '0'");
        System.setProperty("gorl.torchThreads", "two");
        assertThatThrownBy(() -> TrainCommand.computeThreads(true, true)).hasMessageContaining("'two'");
    }

    @Test
    void theCpuPresetsRefits_areLargeOnDmControlTasksAndSmallOnPendulum() {
        // Preset.cpu: Pendulum refits 1,024 pairs x 8 draws, DMControl tasks 4,096 x 8 (DecoderRefit's default).
        assertThat(1024L * 8).isLessThan(TrainCommand.LARGE_REFIT_ROWS);
        assertThat(4096L * 8).isGreaterThanOrEqualTo(TrainCommand.LARGE_REFIT_ROWS);
    }
}
