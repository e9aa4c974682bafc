package io.github.gorl.envs;

import io.github.gorl.api.Env;
import io.github.gorl.envs.classic.BimodalBandit;
import io.github.gorl.envs.classic.Pendulum;
import io.github.gorl.envs.dmc.DmControl;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.function.Supplier;

/**
 * The tasks {@link Envs#make} knows by name. One static table, so that adding a family of tasks (the
 * DMControl ones, say) is one {@code register} line per task here, with no reflection or service loading.
 */
final class TaskRegistry {

    /** Lower-cased name to the display name and factory, in registration order. */
    private static final Map<String, Entry> TASKS = new LinkedHashMap<>();

    static {
        register(Pendulum.ID, Pendulum::new);
        register(BimodalBandit.ID, BimodalBandit::new);
        for (String task : DmControl.TASKS) {
            register(task, () -> DmControl.make(task));
        }
    }

    private record Entry(String name, Supplier<Env> factory) {}

    private TaskRegistry() {}

    private static void register(String name, Supplier<Env> factory) {
        if (TASKS.put(key(name), new Entry(name, factory)) != null) {
            throw new IllegalStateException("task name registered twice: " + name);
        }
    }

    private static String key(String name) {
        return name.toLowerCase(Locale.ROOT);
    }

    /** The registered display names, in registration order. */
    static List<String> names() {
        return TASKS.values().stream().map(Entry::name).toList();
    }

    /** A new environment for a name compared case-insensitively; null if the name is unknown. */
    static Env create(String name) {
        Entry entry = TASKS.get(key(name));
        return entry == null ? null : entry.factory().get();
    }
}
