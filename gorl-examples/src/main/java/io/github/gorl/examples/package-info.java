/** Runnable examples and the {@code gorl} command line. */
package io.github.gorl.examples;
