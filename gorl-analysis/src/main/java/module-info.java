/**
 * Is a policy multimodal? {@code ActionDistribution} samples a policy's actions at a state, {@code DipTest} and
 * {@code KernelDensity} test and locate modes, and the action plots draw them.
 */
module io.github.gorl.analysis {
    requires transitive io.github.gorl.core;
    requires com.fasterxml.jackson.databind;
    requires commons.math3;
    requires org.knowm.xchart;
    requires java.desktop;

    exports io.github.gorl.analysis;
}
