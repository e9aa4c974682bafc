package io.github.gorl.core.train;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.github.gorl.api.Metrics;
import io.github.gorl.api.Phase;
import io.github.gorl.api.TrainingListener;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class MetricsCsvWriterTest {

    @TempDir
    Path dir;

    @Test
    void newFile_hasEveryColumn_andOneCellPerColumnInEveryRow() throws IOException {
        Path file = dir.resolve("metrics.csv");
        TrainingListener csv = Listeners.csv(file);
        csv.onMetrics(Metrics.of(10, Phase.ENCODER, Map.of("policy_loss", 0.5, "update_epochs", 3.0)));
        ((MetricsCsvWriter) csv).close(); // training closes it in onTrainingEnd
        List<String> lines = Files.readAllLines(file, StandardCharsets.UTF_8);
        String[] header = lines.get(0).split(",", -1);
        assertThat(header).hasSize(4 + MetricsCsvWriter.COLUMNS.size()).contains("update_epochs", "prior_nll");
        String[] row = lines.get(1).split(",", -1);
        assertThat(row).hasSize(header.length);
        assertThat(row[List.of(header).indexOf("update_epochs")]).isEqualTo("3.00000");
    }

    @Test
    void append_toAFileOfAnOlderVersion_keepsItsColumns() throws IOException {
        // A metrics.csv written before update_epochs and prior_nll existed.
        Path file = dir.resolve("metrics.csv");
        String oldHeader = "step,stage,phase,wall_seconds,eval_return,eval_std,policy_loss,value_loss";
        Files.writeString(file, oldHeader + "\n1,0,encoder,0.1,,,0.25,1.0\n", StandardCharsets.UTF_8);
        MetricsCsvWriter csv = (MetricsCsvWriter) Listeners.csvAppend(file, 0.1);
        csv.onMetrics(Metrics.of(20, Phase.ENCODER, Map.of("policy_loss", 0.5, "update_epochs", 3.0)));
        csv.close();
        List<String> lines = Files.readAllLines(file, StandardCharsets.UTF_8);
        assertThat(lines).hasSize(3);
        assertThat(lines.get(0)).isEqualTo(oldHeader);
        String[] row = lines.get(2).split(",", -1);
        assertThat(row).hasSize(8);
        assertThat(row[0]).isEqualTo("20");
        assertThat(row[6]).isEqualTo("0.500000");
    }

    @Test
    void append_continuesTheWallClockFromTheTrainingTimeBefore() throws IOException {
        Path file = dir.resolve("metrics.csv");
        MetricsCsvWriter before = (MetricsCsvWriter) Listeners.csv(file);
        before.onMetrics(Metrics.of(10, Phase.ENCODER, Map.of("policy_loss", 0.25)));
        before.close();
        MetricsCsvWriter csv = (MetricsCsvWriter) Listeners.csvAppend(file, 3600);
        csv.onMetrics(Metrics.of(20, Phase.ENCODER, Map.of("policy_loss", 0.5)));
        csv.close();
        List<String> lines = Files.readAllLines(file, StandardCharsets.UTF_8);
        double first = Double.parseDouble(lines.get(1).split(",")[3]);
        double appended = Double.parseDouble(lines.get(2).split(",")[3]);
        assertThat(first).isLessThan(60);
        // An hour of training before the resume, plus the few milliseconds since.
        assertThat(appended).isBetween(3600.0, 3660.0);
        assertThatThrownBy(() -> Listeners.csvAppend(file, Double.NaN)).isInstanceOf(IllegalArgumentException.class)
                .hasMessage("wallSecondsBefore must be finite and >= 0, got NaN");
    }

    @Test
    void append_toAFileThatIsNotAMetricsCsv_isRefused() throws IOException {
        Path file = dir.resolve("metrics.csv");
        Files.writeString(file, "hello,world\n", StandardCharsets.UTF_8);
        assertThatThrownBy(() -> Listeners.csvAppend(file, 0)).isInstanceOf(UncheckedIOException.class)
                .hasRootCauseMessage("cannot append to " + file + ": its first line is not a metrics.csv header"
                        + " (hello,world)");
    }

    @Test
    void aStepModeRefit_writesItsStepAndEndpointErrorInTheirOwnColumns() throws IOException {
        Path file = dir.resolve("metrics.csv");
        MetricsCsvWriter csv = (MetricsCsvWriter) Listeners.csv(file);
        csv.onMetrics(new Metrics(583_680, 1, Phase.DECODER, Map.of("step", 300.0, "train_loss", 1.25,
                "validation_loss", 1.5, "validation_endpoint_mse", 0.75)));
        csv.close();
        List<String> lines = Files.readAllLines(file, StandardCharsets.UTF_8);
        List<String> header = List.of(lines.get(0).split(",", -1));
        String[] row = lines.get(1).split(",", -1);
        assertThat(row[header.indexOf("step")]).isEqualTo("583680");
        assertThat(row[header.indexOf("decoder_step")]).isEqualTo("300.000");
        assertThat(row[header.indexOf("validation_endpoint_mse")]).isEqualTo("0.750000");
        assertThat(row[header.indexOf("validation_loss")]).isEqualTo("1.50000");
    }
}
