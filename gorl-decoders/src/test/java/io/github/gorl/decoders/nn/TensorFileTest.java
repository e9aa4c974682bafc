package io.github.gorl.decoders.nn;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The versioned, CRC-checked, atomically written tensor files every checkpoint is made of. */
class TensorFileTest {

    @TempDir
    Path temp;

    /** More values than one streaming chunk, so entries cross chunk boundaries. */
    private static float[] large() {
        float[] v = new float[40_000];
        for (int k = 0; k < v.length; k++) {
            v[k] = (float) Math.sin(k) * k;
        }
        return v;
    }

    @Test
    void writeSlices_writesTheBytesOfWriteWithoutCopyingTheArrays() throws Exception {
        float[] big = large();
        float[] storage = Arrays.copyOf(big, big.length + 123);
        Map<String, float[]> entries = new LinkedHashMap<>();
        entries.put("a", new float[] {1, 2, 3});
        entries.put("big", big);
        TensorFile.write(temp.resolve("map.tensors"), "test", 3, entries);
        TensorFile.writeSlices(temp.resolve("slices.tensors"), "test", 3, List.of(
                TensorFile.Slice.of("a", new float[] {1, 2, 3}),
                new TensorFile.Slice("big", storage, 0, big.length)));

        assertThat(Files.readAllBytes(temp.resolve("slices.tensors")))
                .isEqualTo(Files.readAllBytes(temp.resolve("map.tensors")));
        TensorFile.Content content = TensorFile.read(temp.resolve("slices.tensors"), "test", 3);
        assertThat(content.entries().keySet()).containsExactly("a", "big");
        assertThat(content.require("big", big.length)).containsExactly(big);
    }

    @Test
    void read_ofDamagedOrForeignFiles_namesTheProblem() throws Exception {
        Path file = temp.resolve("x.tensors");
        TensorFile.write(file, "test", 1, Map.of("big", large()));
        byte[] good = Files.readAllBytes(file);

        byte[] flipped = good.clone();
        flipped[flipped.length / 2] ^= 0x04;
        Files.write(file, flipped);
        assertThatThrownBy(() -> TensorFile.read(file, "test", 1)).isInstanceOf(IOException.class)
                .hasMessageContaining("checksum");
        Files.write(file, Arrays.copyOf(good, good.length - 9));
        assertThatThrownBy(() -> TensorFile.read(file, "test", 1)).isInstanceOf(IOException.class)
                .hasMessageContaining("checksum");
        Files.write(file, Arrays.copyOf(good, 10));
        assertThatThrownBy(() -> TensorFile.read(file, "test", 1)).hasMessageContaining("truncated: 10 bytes");
        Files.write(file, good);
        assertThatThrownBy(() -> TensorFile.read(file, "test", 2)).hasMessageContaining("format version 1")
                .hasMessageContaining("reads version 2");
        assertThatThrownBy(() -> TensorFile.read(file, "other", 1)).hasMessageContaining("'test'")
                .hasMessageContaining("'other'");
    }

    @Test
    void write_replacingAFile_leavesNoTemporaryFile() throws Exception {
        Path file = temp.resolve("x.tensors");
        TensorFile.write(file, "test", 1, Map.of("v", new float[] {1}));
        TensorFile.write(file, "test", 1, Map.of("v", new float[] {2}));
        assertThat(TensorFile.read(file, "test", 1).require("v", 1)).containsExactly(2f);
        try (var files = Files.list(temp)) {
            assertThat(files).containsExactly(file);
        }
    }
}
