/**
 * Experiment grids on Apache Spark: {@code gorl experiments --engine spark [--master URL]} runs each (task, algorithm,
 * seed) cell as one Spark task, in an embedded {@code local[N]} Spark or on a cluster. The engine is found through
 * {@link java.util.ServiceLoader} as an {@link io.github.gorl.examples.ExperimentEngine}; nothing here is called
 * directly.
 */
package io.github.gorl.spark;
