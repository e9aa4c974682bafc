/** Training utilities around the GoRL trainer: listeners (progress bar, CSV) and learning-curve plots. */
package io.github.gorl.core.train;
