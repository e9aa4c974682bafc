package io.github.gorl.core;

/**
 * An optimizer that can drop non-finite data instead of stopping ({@link NonFinitePolicy#SKIP_BATCH}). {@link GoRL}
 * calls {@link #onNonFinite} once, when the agent is built; an optimizer that does not implement this interface
 * always stops, and {@code GoRL.builder().onNonFinite(SKIP_BATCH)} rejects it.
 */
public interface NonFiniteHandling {

    /**
     * Sets what {@code learn} does with a non-finite observation or reward (default {@link NonFinitePolicy#STOP}).
     *
     * @param policy the policy
     */
    void onNonFinite(NonFinitePolicy policy);
}
