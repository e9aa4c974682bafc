package io.github.gorl.core.optim;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import io.github.gorl.api.Validate;
import java.util.function.UnaryOperator;

/**
 * The one acting path of gorl-java's optimizers ({@code LatentPolicyOptimizer.act}): a caller's observations go to
 * the optimizer's device inside a scope, the policy function runs there, and only its result comes back, on the
 * caller's device and manager.
 *
 * <p>Internal: shared by gorl-java's optimizers; not part of the stable API.
 */
public final class PolicyInference {

    private PolicyInference() {}

    /**
     * Applies {@code policy} to a copy of {@code observations} on {@code manager}'s device.
     *
     * @param manager the optimizer's manager; every intermediate lives in a sub-manager of it, closed on return
     * @param observations raw observations {@code [batch, observationDim]}, on any device
     * @param observationDim the expected width
     * @param policy raw observations {@code [batch, observationDim]} to actions {@code [batch, actionDim]}
     * @return the actions {@code [batch, actionDim]}, on the input's device, attached to the input's manager
     * @throws IllegalArgumentException if {@code observations} is not {@code [batch, observationDim]}
     */
    public static NDArray act(NDManager manager, NDArray observations, int observationDim,
            UnaryOperator<NDArray> policy) {
        Validate.rows("observations", observations, observationDim);
        NDManager caller = observations.getManager();
        try (NDManager scope = manager.newSubManager()) {
            NDArray obs = observations.toDevice(manager.getDevice(), true);
            obs.attach(scope);
            NDArray result = policy.apply(obs).toDevice(observations.getDevice(), true);
            result.attach(caller);
            return result;
        }
    }
}
