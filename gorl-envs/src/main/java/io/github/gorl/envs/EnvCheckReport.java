package io.github.gorl.envs;

import io.github.gorl.api.Validate;
import java.util.List;

/**
 * What {@link Envs#check} found wrong with an environment.
 *
 * <p>A problem breaks the {@link io.github.gorl.api.Env} contract and would corrupt training (NaN
 * observations, an episode that never ends, a nondeterministic reset); a warning is suspicious but may be
 * intended (different seeds giving the same trajectory in a deterministic task).
 *
 * @param envId the checked environment's spec id, or {@code "?"} if its spec could not be read
 * @param problems contract violations, one sentence each; empty when the environment is usable
 * @param warnings suspicious behaviour worth a look, one sentence each
 */
public record EnvCheckReport(String envId, List<String> problems, List<String> warnings) {

    /** Validates and copies the lists. */
    public EnvCheckReport {
        Validate.notNull("envId", envId);
        problems = List.copyOf(Validate.notNull("problems", problems));
        warnings = List.copyOf(Validate.notNull("warnings", warnings));
    }

    /**
     * Whether the environment passed: no problems (warnings allowed).
     *
     * @return {@code problems().isEmpty()}
     */
    public boolean isOk() {
        return problems.isEmpty();
    }

    /**
     * A multi-line summary: the verdict, then each problem and warning on its own line.
     *
     * @return the summary
     */
    @Override
    public String toString() {
        StringBuilder text = new StringBuilder("Env check of ").append(envId).append(": ")
                .append(isOk() ? "OK" : problems.size() + " problem(s)")
                .append(warnings.isEmpty() ? "" : ", " + warnings.size() + " warning(s)");
        for (String p : problems) {
            text.append("\n  problem: ").append(p);
        }
        for (String w : warnings) {
            text.append("\n  warning: ").append(w);
        }
        return text.toString();
    }
}
