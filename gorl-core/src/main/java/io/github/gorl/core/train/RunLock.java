package io.github.gorl.core.train;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.channels.OverlappingFileLockException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Instant;
import java.time.temporal.ChronoUnit;

/**
 * Exclusive use of a run directory: an operating-system lock on its {@code run.lock} file, held from
 * {@link #acquire} to {@link #close}. The operating system releases it when the process ends, however it ends
 * ({@code kill -9} included), so no stale lock is ever left to clean up. The holder writes its pid and start time
 * into the file, so that a refused second run can name it.
 *
 * <p>The file itself is never deleted: a process that deleted it could let a third one lock a new file of the same
 * name while the second still held the old one.
 */
public final class RunLock implements AutoCloseable {

    /** The lock file's name inside a run directory. */
    public static final String FILE = "run.lock";

    private final Path directory;
    private final FileChannel channel;
    private final FileLock lock;

    private RunLock(Path directory, FileChannel channel, FileLock lock) {
        this.directory = directory;
        this.channel = channel;
        this.lock = lock;
    }

    /**
     * Creates {@code directory} if needed and locks it, or fails at once if another run holds it.
     *
     * @param directory the run directory
     * @return the held lock; close it when the run ends
     * @throws IllegalStateException if another process, or another run in this process, holds the lock (the message
     *     names the holder's pid and start time)
     * @throws IOException if the directory or its lock file cannot be created
     */
    public static RunLock acquire(Path directory) throws IOException {
        Files.createDirectories(directory);
        Path file = directory.resolve(FILE);
        FileChannel channel = FileChannel.open(file, StandardOpenOption.CREATE, StandardOpenOption.READ,
                StandardOpenOption.WRITE);
        FileLock lock;
        try {
            lock = channel.tryLock();
        } catch (OverlappingFileLockException e) {
            channel.close();
            throw new IllegalStateException("run directory " + directory + " is in use by another run in this"
                    + " process (" + holder(file) + "); close that agent first");
        } catch (IOException | RuntimeException e) {
            channel.close();
            throw e;
        }
        if (lock == null) {
            channel.close();
            throw new IllegalStateException("run directory " + directory + " is in use by another run ("
                    + holder(file) + "); wait for it to end, or choose another directory");
        }
        try {
            ProcessHandle self = ProcessHandle.current();
            String started = self.info().startInstant().map(i -> i.truncatedTo(ChronoUnit.SECONDS).toString())
                    .orElse(Instant.now().truncatedTo(ChronoUnit.SECONDS).toString());
            byte[] text = ("pid " + self.pid() + ", started " + started + "\n").getBytes(StandardCharsets.UTF_8);
            channel.truncate(0);
            channel.write(ByteBuffer.wrap(text), 0);
            channel.force(false);
        } catch (IOException e) {
            // The lock holds without its note (a full disk); a refused run then cannot name this process.
        }
        return new RunLock(directory, channel, lock);
    }

    /**
     * The directory this lock holds.
     *
     * @return the run directory
     */
    public Path directory() {
        return directory;
    }

    /** What a refused run says about the holder: the pid and start time it wrote, when it wrote them. */
    private static String holder(Path file) {
        try {
            String text = Files.readString(file, StandardCharsets.UTF_8).strip();
            return text.isEmpty() ? "pid unknown: it has not written its note yet" : text;
        } catch (IOException e) {
            return "pid unknown: " + FileErrors.reason(e);
        }
    }

    /** Releases the lock; closing twice is harmless. */
    @Override
    public void close() {
        try {
            if (lock.isValid()) {
                lock.release();
            }
            channel.close();
        } catch (IOException e) {
            // Closing the channel releases the lock in any case.
        }
    }
}
