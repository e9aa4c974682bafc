package io.github.gorl.core.train;

import io.github.gorl.api.TrainingListener;
import io.github.gorl.api.Validate;
import java.nio.file.Path;

/** Ready-made {@link TrainingListener}s. */
public final class Listeners {

    private Listeners() {}

    /**
     * A terminal progress bar over the environment-step budget, showing the stage, the phase, the last
     * evaluation return and the steps per second.
     *
     * @return a new listener (one per training run)
     */
    public static TrainingListener progressBar() {
        return new ProgressBarListener();
    }

    /**
     * Writes every metrics event and evaluation to a CSV file with the columns
     * {@code step,stage,phase,wall_seconds,eval_return,eval_std,policy_loss,...}.
     *
     * @param file the CSV file, created or replaced now
     * @return a new listener that closes the file when training ends
     */
    public static TrainingListener csv(Path file) {
        return new MetricsCsvWriter(Validate.notNull("file", file));
    }

    /**
     * Like {@link #csv}, but appends to an existing file (a resumed run continuing its {@code metrics.csv}); the
     * header is written only when the file is new or empty.
     *
     * @param file the CSV file, created if missing
     * @return a new listener that closes the file when training ends
     */
    public static TrainingListener csvAppend(Path file) {
        return new MetricsCsvWriter(Validate.notNull("file", file), true);
    }
}
