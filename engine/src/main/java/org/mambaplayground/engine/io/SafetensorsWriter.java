package org.mambaplayground.engine.io;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.lang.foreign.MemorySegment;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CancellationException;
import java.util.function.BooleanSupplier;
import java.util.function.LongConsumer;
import org.mambaplayground.engine.tensor.Tensor;
import org.mambaplayground.engine.tensor.format.WeightFormat;

/**
 * Writes safetensors files, streaming each tensor's values through a small buffer so that models of
 * any size are written without holding them in the heap. Values arrive as floats and are stored in the
 * entry's format by the format's own encoder (BF16 and F16 round to nearest even).
 */
public final class SafetensorsWriter {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final int CHUNK_FLOATS = 1 << 16;

    private SafetensorsWriter() {}

    /** One tensor to write: its name, stored format (F32, F16 or BF16), shape and values. */
    public record Entry(String name, WeightFormat format, long[] shape, TensorValues values) {
        public Entry {
            if (!format.inSafetensors()) throw new IllegalArgumentException("safetensors cannot hold " + format + " (tensor " + name + ")");
        }

        public long elements() {
            long n = 1;
            for (long d : shape) n = Math.multiplyExact(n, d);
            return n;
        }

        public long byteSize() { return format.bytes(elements()); }
    }

    /** Writes {@code entries} in order (no progress, not cancellable). */
    public static void write(Path file, Map<String, String> metadata, List<Entry> entries) {
        write(file, metadata, entries, bytes -> {}, () -> false);
    }

    /**
     * Writes to a temporary file next to {@code file} and moves it into place when complete, so a
     * cancelled or failed write never leaves a truncated file behind.
     *
     * @param progress receives the bytes written so far after each chunk
     * @param cancelled polled after each chunk; when true the write stops with a {@link CancellationException}
     */
    public static void write(Path file, Map<String, String> metadata, List<Entry> entries,
                             LongConsumer progress, BooleanSupplier cancelled) {
        byte[] header = header(metadata, entries);
        Path tmp = file.resolveSibling(file.getFileName() + ".part");
        try {
            try (FileChannel out = FileChannel.open(tmp, StandardOpenOption.CREATE, StandardOpenOption.WRITE,
                    StandardOpenOption.TRUNCATE_EXISTING)) {
                ByteBuffer buffer = ByteBuffer.allocate(CHUNK_FLOATS * 4).order(ByteOrder.LITTLE_ENDIAN);
                buffer.putLong(header.length);
                buffer.flip();
                writeFully(out, buffer);
                writeFully(out, ByteBuffer.wrap(header));
                long written = 8 + header.length;
                float[] chunk = new float[CHUNK_FLOATS];
                for (Entry e : entries) {
                    long n = e.elements();
                    for (long offset = 0; offset < n; offset += CHUNK_FLOATS) {
                        int count = (int) Math.min(CHUNK_FLOATS, n - offset);
                        e.values().fill(offset, chunk, count);
                        buffer.clear();
                        e.format().encode(chunk, 0, MemorySegment.ofBuffer(buffer), 0, count);
                        buffer.position((int) e.format().bytes(count)).flip();
                        written += buffer.remaining();
                        writeFully(out, buffer);
                        progress.accept(written);
                        if (cancelled.getAsBoolean()) throw new CancellationException("writing " + file + " was cancelled");
                    }
                }
            }
            Files.move(tmp, file, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
        } catch (IOException e) {
            deleteQuietly(tmp);
            throw new UncheckedIOException("cannot write " + file + ": " + e.getMessage(), e);
        } catch (RuntimeException e) {
            deleteQuietly(tmp);
            throw e;
        }
    }

    /** The JSON header, padded with spaces to a multiple of 8 bytes so the data section stays aligned. */
    static byte[] header(Map<String, String> metadata, List<Entry> entries) {
        ObjectNode root = JSON.createObjectNode();
        if (metadata != null && !metadata.isEmpty()) {
            ObjectNode meta = root.putObject("__metadata__");
            metadata.forEach(meta::put);
        }
        Set<String> names = new HashSet<>();
        long offset = 0;
        for (Entry e : entries) {
            if (!names.add(e.name())) throw new IllegalArgumentException("duplicate tensor name " + e.name());
            ObjectNode t = root.putObject(e.name());
            t.put("dtype", e.format().name());
            ArrayNode shape = t.putArray("shape");
            for (long d : e.shape()) shape.add(d);
            long end = offset + e.byteSize();
            t.putArray("data_offsets").add(offset).add(end);
            offset = end;
        }
        byte[] json = root.toString().getBytes(StandardCharsets.UTF_8);
        int padded = (json.length + 7) / 8 * 8;
        byte[] out = java.util.Arrays.copyOf(json, padded);
        java.util.Arrays.fill(out, json.length, padded, (byte) ' ');
        return out;
    }

    private static void writeFully(FileChannel out, ByteBuffer buffer) throws IOException {
        while (buffer.hasRemaining()) out.write(buffer);
    }

    private static void deleteQuietly(Path p) {
        try {
            Files.deleteIfExists(p);
        } catch (IOException ignored) {
            // best effort: the original error matters more
        }
    }
}
