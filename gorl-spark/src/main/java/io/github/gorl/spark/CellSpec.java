package io.github.gorl.spark;

import java.io.Serializable;
import java.util.ArrayList;

/**
 * What the driver sends to the executor that trains a cell: plain strings and lists, so that nothing of the grid's
 * own types has to be serializable.
 *
 * @param id {@code task/algo/seed-S}
 * @param runDirectory the absolute path of its run directory on the shared storage
 * @param trainArgs the {@code gorl} arguments that train it from scratch ({@code train ... --out runDirectory})
 * @param commandLine {@code trainArgs} as the first line of {@code train.log} records it
 * @param jvmOptions the options of the JVM that trains it
 * @param lockWaitMillis how long an attempt waits for the run directory's lock (an earlier attempt's orphaned process
 *     exits within a fraction of a second of its executor's death; {@code ExitWithParent} in gorl-examples)
 */
record CellSpec(String id, String runDirectory, ArrayList<String> trainArgs, String commandLine,
        ArrayList<String> jvmOptions, long lockWaitMillis) implements Serializable {
    private static final long serialVersionUID = 1L;
}
