/**
 * Environments: the pure-Java tasks ({@code classic}), vector envs and the env checker ({@code Envs}), and the
 * DMControl tasks on MuJoCo ({@code dmc}). The JavaCPP binding ({@code io.github.gorl.envs.mujoco}) is internal:
 * exported to gorl-java's own modules only, and open to JavaCPP, which loads the bundled natives from it.
 */
module io.github.gorl.envs {
    requires transitive io.github.gorl.api;
    requires org.bytedeco.javacpp;
    requires org.slf4j;

    exports io.github.gorl.envs;
    exports io.github.gorl.envs.classic;
    exports io.github.gorl.envs.dmc;
    exports io.github.gorl.envs.mujoco to io.github.gorl.examples;
    opens io.github.gorl.envs.mujoco to org.bytedeco.javacpp;
}
