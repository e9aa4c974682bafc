package io.github.gorl.spark;

import java.io.Serializable;

/**
 * What a successful cell task sends back to the driver.
 *
 * @param seconds wall time of the attempt that succeeded
 * @param attempt Spark's attempt number of that task (0 for the first)
 * @param resumed whether that attempt continued the run from its checkpoint
 */
record CellReport(double seconds, int attempt, boolean resumed) implements Serializable {
    private static final long serialVersionUID = 1L;
}
