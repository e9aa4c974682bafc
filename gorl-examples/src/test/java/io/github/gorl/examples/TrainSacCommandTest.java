package io.github.gorl.examples;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code gorl train --optimizer sac} with each kind of decoder: the wiring, not the learning. */
class TrainSacCommandTest {

    @TempDir
    Path temp;

    @Test
    void trainSac_withIdentityDecoder_runsOneStageOfGaussianSac() throws Exception {
        Path out = temp.resolve("identity");
        int code = GorlCli.run("train", "--optimizer", "sac", "--decoder", "identity", "--steps", "400",
                "--eval-episodes", "2", "--eval-every", "400", "--out", out.toString());
        assertThat(code).isZero();
        JsonNode run = new ObjectMapper().readTree(out.resolve("run.json").toFile());
        assertThat(run.at("/optimizer/name").asText()).isEqualTo("sac");
        assertThat(run.at("/task/numEnvs").asInt()).as("the SAC preset's envs").isEqualTo(4);
        assertThat(run.at("/schedule/stages").size()).isEqualTo(1);
        assertThat(out.resolve("checkpoint/optimizer/latent-sac.tensors")).exists();
    }

    @Test
    void trainSac_withFlowDecoder_refitsBetweenStages() throws Exception {
        Path out = temp.resolve("flow");
        int code = GorlCli.run("train", "--optimizer", "sac", "--decoder", "flow", "--steps", "800", "--stages", "2",
                "--decoder-epochs", "1", "--decoder-data", "256", "--eval-episodes", "2", "--eval-every", "400",
                "--out", out.toString());
        assertThat(code).isZero();
        JsonNode summary = new ObjectMapper().readTree(out.resolve("summary.json").toFile());
        assertThat(summary.get("env_steps").asLong()).isEqualTo(800);
    }
}
