package io.github.gorl.examples;

import io.github.gorl.api.Env;
import io.github.gorl.api.VectorEnv;
import io.github.gorl.envs.Envs;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;

/** Task names for the command line: the pure-Java tasks and the DMControl tasks, through one registry. */
final class Tasks {

    private Tasks() {}

    /** A new environment by name (case-insensitive); the error lists the known names. */
    static Env make(String name) {
        return Envs.make(name);
    }

    /**
     * A vector env of {@code n} copies of the task; fails fast on an unknown name. Pure-Java tasks step in
     * tens of nanoseconds, so handing them to threads costs more than it saves: they run synchronously.
     */
    static VectorEnv vector(String name, int n) {
        try (Env probe = make(name)) {
            boolean cheap = probe.getClass().getPackageName().endsWith(".classic");
            return cheap ? Envs.sync(i -> make(name), n) : Envs.threaded(i -> make(name), n);
        }
    }

    /** The known names, for picocli's completion candidates and help. */
    static final class Names implements Iterable<String> {
        @Override
        public Iterator<String> iterator() {
            return new ArrayList<>(Envs.names()).iterator();
        }
    }

    static List<String> names() {
        return Envs.names();
    }
}
