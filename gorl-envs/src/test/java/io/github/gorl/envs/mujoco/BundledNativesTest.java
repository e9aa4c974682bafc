package io.github.gorl.envs.mujoco;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.condition.EnabledOnOs;
import org.junit.jupiter.api.condition.OS;

@EnabledOnOs(OS.LINUX)
class BundledNativesTest {

    @Test
    void mujocoAndItsDependencies_loadFromTheBuildOutput_notFromTheSystem() {
        Map<String, Path> loaded = LoadedLibraries.bundled();
        assertThat(loaded.keySet()).containsExactlyInAnyOrderElementsOf(LoadedLibraries.BUNDLED);
        Path jni = loaded.get("libjniMuJoCoNative.so");
        assertThat(loaded.values()).as(loaded.toString()).allMatch(jni::equals);
        assertThat(jni.toString()).doesNotStartWith("/usr/lib").doesNotStartWith("/lib");
    }
}
