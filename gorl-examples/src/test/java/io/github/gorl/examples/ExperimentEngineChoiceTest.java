package io.github.gorl.examples;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * {@code --engine} and {@code --master}: the local engine is the default and needs nothing; other engines come from
 * the class path, and asking for one that is not there, or for a master without an engine that takes it, is refused
 * before anything starts, naming the value and what to do.
 */
class ExperimentEngineChoiceTest {

    @Test
    void localEngine_isTheProcessPool_andTakesNoMaster() {
        assertThat(ExperimentsCommand.engine("local", null)).isNull();
        assertThat(ExperimentsCommand.engine("LOCAL", null)).isNull();
        assertThatThrownBy(() -> ExperimentsCommand.engine("local", "spark://head:7077"))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("--master spark://head:7077 needs --engine spark");
    }

    @Test
    void sparkEngine_withoutGorlSpark_saysWhereToGetIt() {
        // gorl-examples' own tests run without gorl-spark on the class path, as a user of this module alone does.
        assertThatThrownBy(() -> ExperimentsCommand.engine("spark", null))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("--engine spark needs the gorl-spark module on the class path")
                .hasMessageContaining("io.github.gorl:gorl-spark");
    }

    @Test
    void unknownEngine_isRefused_namingTheKnownOnes() {
        assertThatThrownBy(() -> ExperimentsCommand.engine("flink", null))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("--engine must be one of local").hasMessageContaining("got 'flink'");
    }

    @Test
    void theCommandLine_refusesABadEngine_beforeAnythingStarts() {
        Path out = Path.of("target", "never-written");
        String error = Console.errorOf("experiments", "--tasks", "Pendulum", "--seeds", "1", "--out", out.toString(),
                "--engine", "flink");
        assertThat(error).contains("gorl: error: --engine must be one of local");
        assertThat(out).doesNotExist();
    }

    @Test
    void anEngine_getsTheRunJvmsOptions_withoutJavaClassPathOrMain() {
        ExperimentGrid grid = ExperimentGrid.builder().tasks(List.of("Pendulum")).algos(List.of("gorl-fm"))
                .seeds(List.of(1L)).out(Path.of("exp"))
                .javaCommand(List.of("java", "-Xss4m", "-Dai.djl.offline=true", "-cp", "a:b", "Main")).build();
        assertThat(grid.jvmOptions()).containsExactly("-Xss4m", "-Dai.djl.offline=true");
    }
}
