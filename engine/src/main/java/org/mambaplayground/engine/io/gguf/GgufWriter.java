package org.mambaplayground.engine.io.gguf;

import java.io.ByteArrayOutputStream;
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
import org.mambaplayground.engine.io.TensorValues;
import org.mambaplayground.engine.tensor.format.WeightFormat;

/**
 * Writes GGUF v3 files as llama.cpp reads them: metadata with its exact types, tensor infos whose offsets are the
 * running sum of the tensors' sizes each padded to the alignment (llama.cpp checks that exactly), then the data in
 * the same order. Values stream through a small buffer and are encoded by each tensor's format (quantized on the
 * way), so a model of any size is written without holding it in the heap. The file is written beside its final
 * name and moved into place when complete: a cancelled, failed or interrupted write never leaves a file that
 * looks finished.
 */
public final class GgufWriter {
    /** Elements encoded per chunk: whole blocks of every format (256 covers the k-quants too). */
    private static final int CHUNK = 1 << 16;

    private GgufWriter() {}

    /**
     * One tensor: its GGUF name, row-major shape (written as GGUF dims, innermost first), format and values; or,
     * with {@code stored}, bytes already in that format, copied as they are (no decode and re-encode).
     */
    public record Entry(String name, long[] shape, WeightFormat format, TensorValues values, MemorySegment stored) {
        public Entry {
            shape = shape.clone();
            if (name.getBytes(StandardCharsets.UTF_8).length >= 64) throw new IllegalArgumentException("GGUF tensor names are under 64 bytes: " + name);
            if ((values == null) == (stored == null)) throw new IllegalArgumentException("a GGUF entry has values or stored bytes: " + name);
        }

        public Entry(String name, long[] shape, WeightFormat format, TensorValues values) { this(name, shape, format, values, null); }

        /** The tensor's stored bytes under {@code name}, copied unchanged. */
        public static Entry copyOf(String name, org.mambaplayground.engine.tensor.Tensor t) {
            return new Entry(name, t.shape(), t.format(), null, t.data());
        }

        long elements() {
            long n = 1;
            for (long d : shape) n = Math.multiplyExact(n, d);
            return n;
        }

        long byteSize() { return format.bytes(elements()); }
    }

    /** Writes {@code file} (no progress, not cancellable). */
    public static void write(Path file, Map<String, GgufValue> metadata, List<Entry> entries) {
        write(file, metadata, entries, bytes -> {}, () -> false);
    }

    /**
     * @param progress  receives the bytes written so far after each chunk
     * @param cancelled polled after each chunk; when true the write stops with a {@link CancellationException}
     */
    public static void write(Path file, Map<String, GgufValue> metadata, List<Entry> entries,
                             LongConsumer progress, BooleanSupplier cancelled) {
        int alignment = alignment(metadata);
        byte[] header = header(metadata, entries, alignment);
        Path tmp = file.resolveSibling(file.getFileName() + ".part");
        try {
            try (FileChannel out = FileChannel.open(tmp, StandardOpenOption.CREATE, StandardOpenOption.WRITE,
                    StandardOpenOption.TRUNCATE_EXISTING)) {
                writeFully(out, ByteBuffer.wrap(header));
                long written = header.length;
                written += pad(out, written, alignment);
                float[] chunk = new float[CHUNK];
                ByteBuffer buffer = ByteBuffer.allocateDirect((int) WeightFormat.F32.bytes(CHUNK)).order(ByteOrder.LITTLE_ENDIAN);
                MemorySegment bufferSegment = MemorySegment.ofBuffer(buffer);
                for (Entry e : entries) {
                    if (e.stored() != null) {
                        if (e.stored().byteSize() != e.byteSize()) throw new IllegalArgumentException("tensor " + e.name() + " holds "
                                + e.stored().byteSize() + " bytes, not the " + e.byteSize() + " of its shape");
                        for (long at = 0; at < e.byteSize(); at += 1L << 26) { // ByteBuffers stop at 2 GB
                            writeFully(out, e.stored().asSlice(at, Math.min(1L << 26, e.byteSize() - at)).asByteBuffer());
                            if (cancelled.getAsBoolean()) throw new CancellationException("writing " + file + " was cancelled");
                        }
                        written += e.byteSize() + pad(out, written + e.byteSize(), alignment);
                        progress.accept(written);
                        continue;
                    }
                    long n = e.elements();
                    for (long offset = 0; offset < n; offset += CHUNK) {
                        int count = (int) Math.min(CHUNK, n - offset);
                        e.values().fill(offset, chunk, count);
                        e.format().encode(chunk, 0, bufferSegment, 0, count);
                        buffer.clear().limit((int) e.format().bytes(count));
                        written += buffer.remaining();
                        writeFully(out, buffer);
                        progress.accept(written);
                        if (cancelled.getAsBoolean()) throw new CancellationException("writing " + file + " was cancelled");
                    }
                    written += pad(out, written, alignment);
                }
                out.force(true);
            }
            Files.move(tmp, file, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
        } catch (IOException e) {
            deleteQuietly(tmp);
            throw new UncheckedIOException("cannot write " + file + ": " + describe(e), e);
        } catch (RuntimeException e) {
            deleteQuietly(tmp);
            throw e;
        }
    }

    private static int alignment(Map<String, GgufValue> metadata) {
        GgufValue a = metadata.get(GgufFile.ALIGNMENT_KEY);
        return a == null ? GgufFile.DEFAULT_ALIGNMENT : (int) (long) a.value();
    }

    static byte[] header(Map<String, GgufValue> metadata, List<Entry> entries, int alignment) {
        Bytes out = new Bytes();
        out.u32(GgufFile.MAGIC);
        out.u32(3);
        out.u64(entries.size());
        out.u64(metadata.size());
        for (Map.Entry<String, GgufValue> kv : metadata.entrySet()) {
            out.string(kv.getKey());
            out.value(kv.getKey(), kv.getValue());
        }
        Set<String> names = new HashSet<>();
        long offset = 0;
        for (Entry e : entries) {
            if (!names.add(e.name())) throw new IllegalArgumentException("duplicate tensor name " + e.name());
            out.string(e.name());
            long[] dims = GgufTensorInfo.dimsOf(e.shape());
            out.u32(dims.length);
            for (long d : dims) out.u64(d);
            out.u32(e.format().ggmlType());
            out.u64(offset);
            offset += GgufFile.align(e.byteSize(), alignment);
        }
        return out.toByteArray();
    }

    private static long pad(FileChannel out, long position, int alignment) throws IOException {
        int padding = (int) (GgufFile.align(position, alignment) - position);
        if (padding > 0) writeFully(out, ByteBuffer.allocate(padding));
        return padding;
    }

    private static void writeFully(FileChannel out, ByteBuffer buffer) throws IOException {
        while (buffer.hasRemaining()) out.write(buffer);
    }

    /** "No space left on device" is what a full disk says; name it so the user knows what to free. */
    private static String describe(IOException e) {
        String m = String.valueOf(e.getMessage());
        return m.contains("No space left") ? "the disk is full (" + m + ")" : m;
    }

    private static void deleteQuietly(Path p) {
        try {
            Files.deleteIfExists(p);
        } catch (IOException ignored) {
            // best effort: the original error matters more
        }
    }

    /** Little-endian header bytes. */
    private static final class Bytes extends ByteArrayOutputStream {
        void u32(long v) { for (int i = 0; i < 4; i++) write((int) (v >>> (8 * i))); }

        void u64(long v) { for (int i = 0; i < 8; i++) write((int) (v >>> (8 * i))); }

        void string(String s) {
            byte[] b = s.getBytes(StandardCharsets.UTF_8);
            u64(b.length);
            writeBytes(b);
        }

        void value(String key, GgufValue v) {
            u32(v.type().id);
            if (v.type() == GgufType.ARRAY) {
                u32(v.elementType().id);
                List<?> list = v.list();
                u64(list.size());
                for (Object o : list) scalar(key, v.elementType(), o);
            } else {
                scalar(key, v.type(), v.value());
            }
        }

        private void scalar(String key, GgufType type, Object o) {
            try {
                switch (type) {
                    case UINT8, INT8 -> write((int) (long) (Long) o);
                    case BOOL -> write((Boolean) o ? 1 : 0);
                    case UINT16, INT16 -> { long v = (Long) o; write((int) v); write((int) (v >>> 8)); }
                    case UINT32, INT32 -> u32((Long) o);
                    case UINT64, INT64 -> u64((Long) o);
                    case FLOAT32 -> u32(Float.floatToRawIntBits((float) (double) (Double) o));
                    case FLOAT64 -> u64(Double.doubleToRawLongBits((Double) o));
                    case STRING -> string((String) o);
                    case ARRAY -> throw new IllegalArgumentException("metadata " + key + ": nested arrays are not supported");
                }
            } catch (ClassCastException | NullPointerException e) {
                throw new IllegalArgumentException("metadata " + key + ": " + o + " is not a " + type + " value", e);
            }
        }
    }
}
