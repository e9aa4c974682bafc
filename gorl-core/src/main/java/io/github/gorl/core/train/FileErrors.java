package io.github.gorl.core.train;

import java.io.IOException;
import java.nio.file.AccessDeniedException;
import java.nio.file.DirectoryNotEmptyException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.FileSystemException;
import java.nio.file.NoSuchFileException;
import java.nio.file.NotDirectoryException;

/** Says why a file operation failed in the operating system's words, for messages a user reads. */
public final class FileErrors {

    private FileErrors() {}

    /**
     * The operating system's reason for {@code e}, such as {@code "No space left on device"} or
     * {@code "/runs/x: Permission denied"}. Java's {@link FileSystemException}s often carry only the path in their
     * message; their reason, or the errno text their class stands for, is added.
     *
     * @param e the failure
     * @return a short description of the cause, naming the file where the exception does
     */
    public static String reason(IOException e) {
        if (e instanceof FileSystemException f) {
            String why = f.getReason() != null ? f.getReason()
                    : e instanceof AccessDeniedException ? "Permission denied"
                    : e instanceof NoSuchFileException ? "No such file or directory"
                    : e instanceof FileAlreadyExistsException ? "File exists"
                    : e instanceof NotDirectoryException ? "Not a directory"
                    : e instanceof DirectoryNotEmptyException ? "Directory not empty"
                    : e.getClass().getSimpleName();
            return (f.getFile() != null ? f.getFile() + ": " : "") + why;
        }
        return e.getMessage() != null && !e.getMessage().isBlank() ? e.getMessage() : e.toString();
    }
}
