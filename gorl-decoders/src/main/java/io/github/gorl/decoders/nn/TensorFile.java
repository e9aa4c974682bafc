package io.github.gorl.decoders.nn;

import io.github.gorl.api.Validate;
import java.io.BufferedInputStream;
import java.io.BufferedOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.nio.channels.Channels;
import java.nio.channels.FileChannel;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.zip.CRC32;
import java.util.zip.CheckedOutputStream;

/**
 * A small versioned binary file of named float arrays, written atomically: the bytes go to a temporary
 * file in the same folder, are forced to disk, and replace the target with one rename, so a crash or a
 * kill leaves either the old file or the new one, never half of one. A CRC-32 over the content detects
 * corruption and truncation on reading.
 *
 * <p>Layout: magic {@code GORLTNSR}, the kind (a string naming what wrote it), the format version, the
 * number of entries, then per entry its name, length and values, then the CRC. Not part of the stable API.
 */
public final class TensorFile {

    private static final long MAGIC = 0x474F524C544E5352L; // "GORLTNSR"
    /** Floats converted per write or read call when streaming an entry. */
    private static final int CHUNK_FLOATS = 1 << 14;

    /**
     * What a tensor file holds.
     *
     * @param kind the writer's kind, such as {@code "ppo"} or {@code "flow-decoder"}
     * @param version the writer's format version
     * @param entries name to values, in file order
     */
    public record Content(String kind, int version, Map<String, float[]> entries) {

        /**
         * One entry, which must exist with the given length.
         *
         * @param name the entry name
         * @param length the expected length
         * @return the values
         * @throws IOException if it is missing or has another length
         */
        public float[] require(String name, int length) throws IOException {
            float[] v = entries.get(name);
            if (v == null) {
                throw new IOException("entry '" + name + "' is missing from this " + kind + " file");
            }
            if (v.length != length) {
                throw new IOException("entry '" + name + "' of this " + kind + " file holds " + v.length
                        + " values, expected " + length);
            }
            return v;
        }
    }

    private TensorFile() {}

    /**
     * A run of values of an array, written as one entry without copying it first (for large entries such as a
     * replay buffer's storage).
     *
     * @param name the entry name
     * @param values the array holding the values
     * @param offset the first value written
     * @param length the number of values written
     */
    public record Slice(String name, float[] values, int offset, int length) {

        /**
         * A whole array.
         *
         * @param name the entry name
         * @param values the values
         * @return the slice of all of {@code values}
         */
        public static Slice of(String name, float[] values) {
            return new Slice(name, values, 0, values.length);
        }
    }

    /**
     * Writes the entries atomically.
     *
     * @param path the destination; its folder must exist
     * @param kind what writes the file
     * @param version the writer's format version
     * @param entries name to values
     * @throws IOException if writing fails; the previous file, if any, is then untouched
     */
    public static void write(Path path, String kind, int version, Map<String, float[]> entries) throws IOException {
        Validate.notNull("path", path);
        List<Slice> slices = new ArrayList<>(entries.size());
        for (Map.Entry<String, float[]> e : entries.entrySet()) {
            slices.add(Slice.of(e.getKey(), e.getValue()));
        }
        writeSlices(path, kind, version, slices);
    }

    /**
     * Writes the entries atomically, streaming them to the temporary file (the CRC computed on the way), so that
     * writing needs no copy of the content in memory however large it is. The bytes are those of
     * {@link #write(Path, String, int, Map)}.
     *
     * @param path the destination; its folder must exist
     * @param kind what writes the file
     * @param version the writer's format version
     * @param slices the entries, in file order
     * @throws IOException if writing fails; the previous file, if any, is then untouched
     */
    public static void writeSlices(Path path, String kind, int version, List<Slice> slices) throws IOException {
        Validate.notNull("path", path);
        replaceAtomically(path, sink -> {
            CRC32 crc = new CRC32();
            DataOutputStream out = new DataOutputStream(new CheckedOutputStream(sink, crc));
            out.writeLong(MAGIC);
            out.writeUTF(kind);
            out.writeInt(version);
            out.writeInt(slices.size());
            ByteBuffer chunk = ByteBuffer.allocate(CHUNK_FLOATS * Float.BYTES);
            for (Slice slice : slices) {
                out.writeUTF(slice.name());
                out.writeInt(slice.length());
                for (int done = 0; done < slice.length(); ) {
                    int n = Math.min(CHUNK_FLOATS, slice.length() - done);
                    chunk.clear();
                    chunk.asFloatBuffer().put(slice.values(), slice.offset() + done, n);
                    out.write(chunk.array(), 0, n * Float.BYTES);
                    done += n;
                }
            }
            out.flush();
            new DataOutputStream(sink).writeLong(crc.getValue());
        });
    }

    /**
     * Writes bytes atomically: temporary file, fsync, rename, fsync of the folder.
     *
     * @param path the destination; its folder must exist
     * @param content the bytes
     * @throws IOException if writing fails; the previous file, if any, is then untouched
     */
    public static void writeAtomically(Path path, byte[] content) throws IOException {
        replaceAtomically(path, sink -> sink.write(content));
    }

    /** Writes what {@code writer} produces into a temporary file in the same folder, fsyncs it and renames it. */
    private static void replaceAtomically(Path path, ContentWriter writer) throws IOException {
        Path folder = path.toAbsolutePath().getParent();
        Path temp = Files.createTempFile(folder, "." + path.getFileName(), ".tmp");
        try {
            try (FileChannel channel = FileChannel.open(temp, StandardOpenOption.WRITE,
                    StandardOpenOption.TRUNCATE_EXISTING)) {
                OutputStream sink = new BufferedOutputStream(Channels.newOutputStream(channel), 1 << 16);
                writer.writeTo(sink);
                sink.flush();
                channel.force(true);
            }
            try {
                Files.move(temp, path, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
            } catch (AtomicMoveNotSupportedException e) {
                Files.move(temp, path, StandardCopyOption.REPLACE_EXISTING);
            }
            try (FileChannel dir = FileChannel.open(folder, StandardOpenOption.READ)) {
                dir.force(true);
            } catch (IOException ignored) {
                // Some file systems cannot open a folder for fsync; the rename itself is still atomic.
            }
        } finally {
            Files.deleteIfExists(temp);
        }
    }

    /** Produces a file's bytes into a stream. */
    private interface ContentWriter {
        void writeTo(OutputStream sink) throws IOException;
    }

    /**
     * Reads and verifies a file.
     *
     * @param path the file
     * @param expectedKind the kind the caller can read
     * @param supportedVersion the format version the caller can read
     * @return the content
     * @throws IOException if the file is missing, truncated, corrupted, of another kind or of another
     *     version (the message names the file and both values)
     */
    public static Content read(Path path, String expectedKind, int supportedVersion) throws IOException {
        return read(path, expectedKind, supportedVersion, supportedVersion);
    }

    /**
     * Reads and verifies a file of one of several format versions, for a reader that still understands older ones.
     *
     * @param path the file
     * @param expectedKind the kind the caller can read
     * @param oldestVersion the oldest format version the caller can read
     * @param newestVersion the newest format version the caller can read
     * @return the content; its {@link Content#version()} says which layout to read
     * @throws IOException if the file is missing, truncated, corrupted, of another kind or of a version outside
     *     {@code [oldestVersion, newestVersion]} (the message names the file and the versions)
     */
    public static Content read(Path path, String expectedKind, int oldestVersion, int newestVersion)
            throws IOException {
        // Two streaming passes, so that a large file (a replay buffer) is never held twice in memory: the first
        // verifies the magic number and the CRC, the second parses what is then known to be intact.
        long size = Files.size(path);
        if (size < 16) {
            throw new IOException(path + " is truncated: " + size + " bytes");
        }
        long body = size - 8;
        CRC32 crc = new CRC32();
        long magic;
        long stored;
        try (DataInputStream in = new DataInputStream(new BufferedInputStream(Files.newInputStream(path), 1 << 16))) {
            magic = in.readLong();
            crc.update(ByteBuffer.allocate(8).putLong(magic).array());
            byte[] chunk = new byte[1 << 16];
            for (long left = body - 8; left > 0; ) {
                int n = in.read(chunk, 0, (int) Math.min(chunk.length, left));
                if (n < 0) {
                    throw new EOFException();
                }
                crc.update(chunk, 0, n);
                left -= n;
            }
            stored = in.readLong();
        } catch (EOFException e) {
            throw new IOException(path + " is truncated", e);
        }
        if (magic != MAGIC) {
            throw new IOException(path + " is not a gorl-java tensor file (bad magic number)");
        }
        if (stored != crc.getValue()) {
            throw new IOException(path + " is corrupted or truncated: checksum mismatch");
        }
        try (DataInputStream in = new DataInputStream(new BufferedInputStream(Files.newInputStream(path), 1 << 16))) {
            in.readLong();
            String kind = in.readUTF();
            int version = in.readInt();
            if (!kind.equals(expectedKind)) {
                throw new IOException(path + " holds a '" + kind + "' file, expected '" + expectedKind + "'");
            }
            if (version < oldestVersion || version > newestVersion) {
                throw new IOException(path + " has format version " + version + ", this library reads version "
                        + (oldestVersion == newestVersion ? String.valueOf(newestVersion)
                                : oldestVersion + " to " + newestVersion));
            }
            int n = in.readInt();
            Map<String, float[]> entries = new LinkedHashMap<>();
            byte[] raw = new byte[CHUNK_FLOATS * Float.BYTES];
            for (int i = 0; i < n; i++) {
                String name = in.readUTF();
                int length = in.readInt();
                if (length < 0 || (long) length * Float.BYTES > body) {
                    throw new IOException(path + " is corrupted: entry '" + name + "' claims " + length + " values");
                }
                float[] values = new float[length];
                for (int done = 0; done < length; ) {
                    int count = Math.min(CHUNK_FLOATS, length - done);
                    in.readFully(raw, 0, count * Float.BYTES);
                    ByteBuffer.wrap(raw, 0, count * Float.BYTES).asFloatBuffer().get(values, done, count);
                    done += count;
                }
                entries.put(name, values);
            }
            return new Content(kind, version, entries);
        } catch (EOFException e) {
            throw new IOException(path + " is truncated", e);
        }
    }
}
