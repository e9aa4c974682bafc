/** Benchmark mains that print tables; run them with {@code ./gorl bench ...}. */
package io.github.gorl.examples.bench;
