/**
 * The {@code gorl} command line (train, experiments, multimodality, example, bench) and the runnable examples
 * ({@code QuickStart}, {@code CustomParts}). Its classes are open to picocli, which fills the commands' options.
 */
module io.github.gorl.examples {
    requires io.github.gorl.core;
    requires io.github.gorl.baselines;
    requires io.github.gorl.analysis;
    requires io.github.gorl.envs;
    requires com.fasterxml.jackson.databind;
    requires commons.math3;
    requires org.knowm.xchart;
    requires me.tongfei.progressbar;
    requires info.picocli;
    requires java.desktop;
    requires java.management;
    requires jdk.management;
    requires jdk.unsupported;

    exports io.github.gorl.examples;
    exports io.github.gorl.examples.bench;
    opens io.github.gorl.examples to info.picocli;

    // gorl experiments --engine NAME: engines other than the local process pool (gorl-spark provides spark).
    uses io.github.gorl.examples.ExperimentEngine;
    opens io.github.gorl.examples.bench to info.picocli;
}
