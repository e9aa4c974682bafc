package io.github.gorl.core.train;

import io.github.gorl.api.TrainingListener;
import io.github.gorl.api.Validate;
import java.nio.file.Path;

/** Ready-made {@link TrainingListener}s. */
public final class Listeners {

    private Listeners() {}

    /**
     * A terminal progress bar over the environment-step budget, showing the stage, the phase, the last
     * evaluation return and the steps per second. Without a terminal ({@code System.console()} is {@code null}: output
     * to a file or a pipe) the bar is printed to standard error as a whole line every 30 seconds instead of redrawn. Drawn by {@code me.tongfei:progressbar}, an optional dependency of
     * gorl-core: add it to use this listener.
     *
     * @return a new listener (one per training run)
     * @throws IllegalStateException if {@code me.tongfei:progressbar} is not on the class or module path
     */
    public static TrainingListener progressBar() {
        if (!present("me.tongfei.progressbar.ProgressBar")) {
            throw new IllegalStateException("Listeners.progressBar() needs the optional dependency"
                    + " me.tongfei:progressbar (0.10.x); add it to your build");
        }
        return new ProgressBarListener();
    }

    /**
     * Whether {@link LearningCurves} can draw: XChart, an optional dependency of gorl-core, is present. This class
     * refers to no XChart type, so asking is safe without it.
     *
     * @return true if {@code org.knowm.xchart:xchart} is on the class or module path
     */
    public static boolean learningCurvesAvailable() {
        return present("org.knowm.xchart.XYChart") && present("org.knowm.xchart.internal.chartpart.Chart");
    }

    /**
     * Whether a class of an optional dependency can be loaded.
     *
     * @param className the class
     * @return true if it is on the class or module path
     */
    static boolean present(String className) {
        try {
            Class.forName(className, false, Listeners.class.getClassLoader());
            return true;
        } catch (ClassNotFoundException | LinkageError e) {
            return false;
        }
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
     * header is written only when the file is new or empty. The appended rows' {@code wall_seconds} continue from
     * {@code wallSecondsBefore}, so that the column counts the whole run's training time across the resume.
     *
     * @param file the CSV file, created if missing
     * @param wallSecondsBefore the training time before the resume, in seconds ({@code >= 0}, finite)
     * @return a new listener that closes the file when training ends
     * @throws IllegalArgumentException if {@code wallSecondsBefore} is negative or not finite
     */
    public static TrainingListener csvAppend(Path file, double wallSecondsBefore) {
        return new MetricsCsvWriter(Validate.notNull("file", file), true,
                Validate.nonNegative("wallSecondsBefore", wallSecondsBefore));
    }
}
