/**
 * Analysis of a policy's action distribution: is it multimodal, and where are its modes?
 *
 * <ul>
 *   <li>{@link io.github.gorl.analysis.DipTest}: Hartigan's dip test of unimodality, with p-values
 *       interpolated in the published table of dip quantiles under the uniform null, or simulated;</li>
 *   <li>{@link io.github.gorl.analysis.KernelDensity}: a Gaussian kernel density estimate, its modes and the
 *       probability mass of each mode;</li>
 *   <li>{@link io.github.gorl.analysis.ActionDistribution}: samples the composed policy at one state and
 *       applies both per action dimension; writes {@code actions.png} and {@code stats.json}.</li>
 * </ul>
 */
package io.github.gorl.analysis;
