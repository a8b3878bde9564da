package org.mambaplayground.engine.io;

import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.function.BiFunction;
import org.mambaplayground.engine.model.ModelFormatException;

/** Maps a whole weights file read-only in a shared arena (kernels read it from worker threads) for a parser. */
public final class MappedFile {
    private MappedFile() {}

    /**
     * Maps {@code file} and hands the mapping to {@code parse}; the arena is closed again if parsing fails, and
     * otherwise belongs to what {@code parse} returns.
     */
    public static <T> T open(Path file, BiFunction<MemorySegment, Arena, T> parse) {
        long size;
        // mapping a directory fails with the OS's "No such device": say what is wrong instead
        if (Files.isDirectory(file)) throw new ModelFormatException(file, "is a directory, not a file");
        try {
            size = Files.size(file);
        } catch (NoSuchFileException e) {
            throw new ModelFormatException(file, "file not found");
        } catch (IOException e) {
            throw new ModelFormatException(file, "cannot read: " + e.getMessage(), e);
        }
        Arena arena = Arena.ofShared();
        try (FileChannel channel = FileChannel.open(file, StandardOpenOption.READ)) {
            return parse.apply(channel.map(FileChannel.MapMode.READ_ONLY, 0, size, arena), arena);
        } catch (IOException e) {
            arena.close();
            throw new ModelFormatException(file, "cannot map: " + e.getMessage(), e);
        } catch (RuntimeException e) {
            arena.close();
            throw e;
        }
    }
}
