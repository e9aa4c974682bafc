package io.github.gorl.examples;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code gorl train --plateau K}: the adaptive schedule from the command line. */
class TrainPlateauTest {

    @TempDir
    Path temp;

    @Test
    void plateau_endsEachStageWhenItsReturnStopsImproving() throws Exception {
        // Rollouts of 4 envs x 64 steps, an evaluation every 256 steps. With K = 1 and an unreachable delta, each
        // stage ends at its first evaluation after the one that opens it: stage 0 at 256 (after the step-0
        // evaluation), stages 1 and 2 at 512 and 768 (after their post-refit evaluations).
        Path out = temp.resolve("run");
        assertThat(GorlCli.run("train", "--steps", "4096", "--stages", "3", "--envs", "4", "--eval-every", "256",
                "--eval-episodes", "2", "--plateau", "1", "--plateau-delta", "1e9", "--decoder-epochs", "1",
                "--decoder-data", "256", "--decoder-min-updates", "0", "--out", out.toString())).isZero();
        ObjectMapper json = new ObjectMapper();
        JsonNode run = json.readTree(out.resolve("run.json").toFile());
        assertThat(run.at("/schedule/type").asText()).isEqualTo("plateau");
        assertThat(run.at("/schedule/patience").asInt()).isEqualTo(1);
        assertThat(json.readTree(out.resolve("summary.json").toFile()).get("env_steps").asLong()).isEqualTo(768);
        JsonNode stages = json.readTree(out.resolve("checkpoint/checkpoint.json").toFile()).at("/progress/stages");
        List<Long> caps = new ArrayList<>();
        stages.forEach(s -> caps.add(s.get("encoderSteps").asLong()));
        assertThat(caps).as("each stage may spend what is left of the budget").containsExactly(4096L, 3840L, 3584L);
    }

    @Test
    void plateau_withOptionsThatFixTheStages_isOneErrorLine() {
        assertThat(Console.errorOf("train", "--plateau", "2", "--stage-steps", "128,256", "--out",
                temp.resolve("a").toString())).contains("gorl: error: ").contains("--stage-steps");
        assertThat(Console.errorOf("train", "--plateau", "2", "--beta", "0.1", "--out", temp.resolve("b").toString()))
                .contains("--beta");
        assertThat(Console.errorOf("train", "--plateau-delta", "3", "--out", temp.resolve("c").toString()))
                .contains("--plateau-delta needs --plateau");
    }
}
