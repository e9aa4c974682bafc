package io.github.gorl.examples;

import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * The paper's ablations for {@code gorl experiments --ablation NAME}: each ablation is a set of named variants of
 * GoRL(PPO+FM), each variant the {@code gorl train} options that make it, run as the "algorithms" of a grid.
 * Everything not varied keeps the task's preset.
 */
final class Ablations {

    /** GoRL(PPO+FM), which every variant modifies. */
    static final List<String> BASE = List.of("--optimizer", "ppo", "--decoder", "flow");

    /** Ablation name to (variant name to the {@code train} option it sets), in figure order. */
    static final Map<String, Map<String, List<String>>> ALL = all();

    private Ablations() {}

    private static Map<String, Map<String, List<String>>> all() {
        Map<String, Map<String, List<String>>> m = new LinkedHashMap<>();
        m.put("beta", variants("--beta", "beta=", "0", "1e-4", "1e-3", "5e-3", "1e-2"));
        m.put("decoder-source", variants("--decoder-source", "source=", "prior", "encoder"));
        Map<String, List<String>> prior = new LinkedHashMap<>();
        prior.put("prior=fixed", List.of("--decoder-source", "prior"));
        prior.put("prior=learned", List.of("--decoder-source", "learned-prior"));
        m.put("prior", Collections.unmodifiableMap(prior));
        m.put("decoder-width", variants("--decoder-width", "width=", "32", "64", "128", "256"));
        m.put("decoder-epochs", variants("--decoder-epochs", "epochs=", "10", "50", "100"));
        m.put("freeze", variants("--freeze-decoder-after", "freeze-after=", "0", "1", "2", "3"));
        return Collections.unmodifiableMap(m);
    }

    private static Map<String, List<String>> variants(String option, String prefix, String... values) {
        Map<String, List<String>> m = new LinkedHashMap<>();
        for (String v : values) {
            m.put(prefix + v, List.of(option, v));
        }
        return Collections.unmodifiableMap(m);
    }

    /**
     * The grid's algorithm map of an ablation: variant name to the full {@code train} options (base + variant).
     *
     * @param name an ablation name, case-insensitive
     * @param trainOptions the options passed to every run, which must not set the varied option
     * @return variant name to options, in figure order
     * @throws IllegalArgumentException for an unknown ablation (listing the known ones) or a pass-through option
     *     that the ablation varies
     */
    static Map<String, List<String>> algorithms(String name, List<String> trainOptions) {
        String key = name.toLowerCase(Locale.ROOT);
        Map<String, List<String>> variants = ALL.get(key);
        if (variants == null) {
            throw new IllegalArgumentException("--ablation: unknown ablation '" + name + "'; known: "
                    + String.join(", ", ALL.keySet()));
        }
        String varied = variants.values().iterator().next().get(0);
        for (String option : trainOptions) {
            if (option.equals(varied) || option.startsWith(varied + "=")) {
                throw new IllegalArgumentException("train option " + varied + " is what --ablation " + key
                        + " varies; drop it after '--'");
            }
        }
        Map<String, List<String>> algorithms = new LinkedHashMap<>();
        for (Map.Entry<String, List<String>> v : variants.entrySet()) {
            List<String> options = new java.util.ArrayList<>(BASE);
            options.addAll(v.getValue());
            algorithms.put(v.getKey(), List.copyOf(options));
        }
        return algorithms;
    }
}
