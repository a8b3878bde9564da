package org.mambaplayground.engine.io.gguf;

import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.mambaplayground.engine.io.MappedFile;
import org.mambaplayground.engine.model.ModelFormatException;
import org.mambaplayground.engine.tensor.Tensor;
import org.mambaplayground.engine.tensor.WeightSource;
import org.mambaplayground.engine.tensor.format.WeightFormat;

/**
 * A GGUF file (llama.cpp's container, versions 2 and 3) memory-mapped with FFM: the metadata is parsed and every
 * count, length, type and offset checked against the file's size before anything is allocated, so a corrupt or
 * truncated header is a {@link ModelFormatException} naming the file (never an OutOfMemoryError); tensors are
 * slices of the mapping, named as the file names them, in row-major shape.
 */
public final class GgufFile implements WeightSource {
    static final int MAGIC = 0x46554747; // "GGUF" little-endian
    static final int DEFAULT_ALIGNMENT = 32;
    static final String ALIGNMENT_KEY = "general.alignment";
    /** ggml's GGML_MAX_DIMS. */
    static final int MAX_DIMS = 4;

    private final Path file;
    private final Arena arena;
    private final int version;
    private final Map<String, GgufValue> metadata;
    private final Map<String, GgufTensorInfo> infos;
    private final Map<String, Tensor> tensors;
    private final long dataOffset;
    /** The files of a split model (each mapped on its own), or empty for one file. */
    private final List<GgufFile> parts;

    private GgufFile(Path file, Arena arena, int version, Map<String, GgufValue> metadata,
                     Map<String, GgufTensorInfo> infos, Map<String, Tensor> tensors, long dataOffset, List<GgufFile> parts) {
        this.file = file;
        this.arena = arena;
        this.version = version;
        this.metadata = metadata;
        this.infos = infos;
        this.tensors = tensors;
        this.dataOffset = dataOffset;
        this.parts = parts;
    }

    /** llama.cpp's gguf-split names: {@code PREFIX-00001-of-00003.gguf}. */
    private static final java.util.regex.Pattern SPLIT_NAME = java.util.regex.Pattern.compile("(.*)-(\\d{5})-of-(\\d{5})\\.gguf", java.util.regex.Pattern.CASE_INSENSITIVE);

    /** The name of part {@code no} (1-based) of the split set {@code file} belongs to, or null if it is not one. */
    public static String splitPart(Path file, int no) {
        java.util.regex.Matcher m = SPLIT_NAME.matcher(file.getFileName().toString());
        return m.matches() ? String.format("%s-%05d-of-%s.gguf", m.group(1), no, m.group(3)) : null;
    }

    /** How many parts the split set {@code file} belongs to has (1 for a file that is not split). */
    public static int splitCount(Path file) {
        java.util.regex.Matcher m = SPLIT_NAME.matcher(file.getFileName().toString());
        return m.matches() ? Integer.parseInt(m.group(3)) : 1;
    }

    /**
     * Opens a model that may be split by llama.cpp's gguf-split ({@code -00001-of-00003.gguf}, any part named):
     * every part mapped and checked ({@code split.no}, {@code split.count}, {@code split.tensors.count}), the
     * metadata of the first, the tensors of all as one file. A file not named as a split opens as {@link #open}.
     */
    public static GgufFile openModel(Path file) {
        int count = splitCount(file);
        if (count <= 1) return open(file);
        List<GgufFile> parts = new ArrayList<>();
        try {
            Map<String, GgufTensorInfo> infos = new LinkedHashMap<>();
            Map<String, Tensor> tensors = new LinkedHashMap<>();
            for (int no = 1; no <= count; no++) {
                Path part = file.resolveSibling(splitPart(file, no));
                if (!java.nio.file.Files.exists(part)) {
                    throw new ModelFormatException(part, "missing: part " + no + " of the " + count + " files of a split GGUF model");
                }
                GgufFile g = open(part);
                parts.add(g);
                if (g.has("split.no") && g.integer("split.no") != no - 1) {
                    throw new ModelFormatException(part, "metadata split.no is " + g.integer("split.no") + " but the file is part " + no);
                }
                if (g.has("split.count") && g.integer("split.count") != count) {
                    throw new ModelFormatException(part, "metadata split.count is " + g.integer("split.count") + " but the name says " + count);
                }
                for (String name : g.names()) {
                    if (tensors.put(name, g.tensor(name)) != null) throw tensorError(part, name, "appears in two parts of the split model");
                    infos.put(name, g.tensorInfos().get(name));
                }
            }
            GgufFile first = parts.getFirst();
            if (first.has("split.tensors.count") && first.integer("split.tensors.count") != tensors.size()) {
                throw new ModelFormatException(first.file(), "metadata split.tensors.count is " + first.integer("split.tensors.count")
                        + " but the " + count + " parts hold " + tensors.size() + " tensors");
            }
            return new GgufFile(first.file(), null, first.version(), first.metadata(), Collections.unmodifiableMap(infos),
                    Collections.unmodifiableMap(tensors), first.dataOffset(), List.copyOf(parts));
        } catch (RuntimeException e) {
            parts.forEach(GgufFile::close);
            throw e;
        }
    }

    /** Maps and validates {@code file}; the caller closes the result to unmap it. */
    public static GgufFile open(Path file) {
        return MappedFile.open(file, (whole, arena) -> parse(file, whole, arena));
    }

    private static GgufFile parse(Path file, MemorySegment whole, Arena arena) {
        Reader in = new Reader(file, whole);
        if (whole.byteSize() < 24) throw in.error("truncated GGUF file: " + whole.byteSize() + " bytes, shorter than its 24-byte header");
        int magic = in.i32();
        if (magic != MAGIC) throw in.error(String.format("not a GGUF file: it starts with 0x%08x, not \"GGUF\"", magic));
        int version = in.i32();
        if (version != 2 && version != 3) throw in.error("GGUF version " + Integer.toUnsignedString(version) + " is not supported (2 and 3 are)");
        long tensorCount = in.count("tensor count", 8 + 4 + 8 + 4 + 8);
        long kvCount = in.count("metadata count", 8 + 4 + 1);

        Map<String, GgufValue> metadata = new LinkedHashMap<>();
        for (long i = 0; i < kvCount; i++) {
            String key = in.string("metadata key " + i);
            GgufValue value = in.value(key);
            if (metadata.put(key, value) != null) throw in.error("metadata key " + key + " appears twice");
        }
        int alignment = DEFAULT_ALIGNMENT;
        GgufValue a = metadata.get(ALIGNMENT_KEY);
        if (a != null) {
            if (!a.type().isInteger() || (long) a.value() <= 0 || Long.bitCount((long) a.value()) != 1 || (long) a.value() > 1 << 20) {
                throw in.error("metadata " + ALIGNMENT_KEY + " must be a power of two, got " + a);
            }
            alignment = (int) (long) a.value();
        }

        List<GgufTensorInfo> list = new ArrayList<>();
        Map<String, GgufTensorInfo> infos = new LinkedHashMap<>();
        for (long i = 0; i < tensorCount; i++) {
            GgufTensorInfo info = in.tensorInfo(i, alignment);
            if (infos.put(info.name(), info) != null) throw in.error("tensor " + info.name() + " appears twice");
            list.add(info);
        }
        long dataOffset = align(in.position, alignment);
        long dataBytes = whole.byteSize() - dataOffset;
        if (dataBytes < 0) throw in.error("truncated GGUF file: the header ends at byte " + in.position + " of " + whole.byteSize());
        Map<String, Tensor> tensors = new LinkedHashMap<>();
        for (GgufTensorInfo info : list) {
            long bytes = info.byteSize();
            if (info.offset() > dataBytes || bytes > dataBytes - info.offset()) {
                throw tensorError(file, info.name(), "data [" + info.offset() + ", " + (info.offset() + bytes) + ") runs past the end of the data section ("
                        + dataBytes + " bytes): the file is truncated or corrupt");
            }
            tensors.put(info.name(), new Tensor(info.name(), info.format(), info.shape(), whole.asSlice(dataOffset + info.offset(), bytes)));
        }
        checkNoOverlap(file, list);
        return new GgufFile(file, arena, version, Collections.unmodifiableMap(metadata), Collections.unmodifiableMap(infos),
                Collections.unmodifiableMap(tensors), dataOffset, List.of());
    }

    static long align(long position, int alignment) { return (position + alignment - 1) / alignment * alignment; }

    private static void checkNoOverlap(Path file, List<GgufTensorInfo> list) {
        List<GgufTensorInfo> sorted = new ArrayList<>(list);
        sorted.sort(java.util.Comparator.comparingLong(GgufTensorInfo::offset));
        GgufTensorInfo previous = null;
        for (GgufTensorInfo t : sorted) {
            if (t.byteSize() == 0) continue;
            if (previous != null && t.offset() < previous.offset() + previous.byteSize()) {
                throw tensorError(file, t.name(), "data at offset " + t.offset() + " overlaps tensor " + previous.name());
            }
            previous = t;
        }
    }

    private static ModelFormatException tensorError(Path file, String tensor, String message) {
        return new ModelFormatException(file, "tensor " + tensor + ": " + message);
    }

    /** A cursor over the header that checks every read against the bytes left. */
    private static final class Reader {
        private static final ValueLayout.OfInt I32 = ValueLayout.JAVA_INT_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);
        private static final ValueLayout.OfLong I64 = ValueLayout.JAVA_LONG_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);
        private static final ValueLayout.OfShort I16 = ValueLayout.JAVA_SHORT_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);
        private static final ValueLayout.OfFloat F32 = ValueLayout.JAVA_FLOAT_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);
        private static final ValueLayout.OfDouble F64 = ValueLayout.JAVA_DOUBLE_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);
        /** Longest key or string value accepted (llama.cpp's vocabularies have short tokens; chat templates are kB). */
        private static final long MAX_STRING = 64L << 20;

        private final Path file;
        private final MemorySegment seg;
        long position;

        Reader(Path file, MemorySegment seg) {
            this.file = file;
            this.seg = seg;
        }

        ModelFormatException error(String message) { return new ModelFormatException(file, message); }

        private void need(long bytes, String what) {
            if (bytes < 0 || bytes > seg.byteSize() - position) {
                throw error("truncated or corrupt GGUF header: " + what + " needs " + bytes + " bytes at offset " + position
                        + " but the file has " + (seg.byteSize() - position) + " left");
            }
        }

        int i32() {
            need(4, "a 32-bit field");
            int v = seg.get(I32, position);
            position += 4;
            return v;
        }

        long i64() {
            need(8, "a 64-bit field");
            long v = seg.get(I64, position);
            position += 8;
            return v;
        }

        /** A count of items that take at least {@code minBytes} each: refused when the file cannot hold that many. */
        long count(String what, long minBytes) {
            long n = i64();
            if (n < 0 || n > (seg.byteSize() - position) / minBytes) {
                throw error("corrupt GGUF header: " + what + " " + Long.toUnsignedString(n) + " cannot fit in a "
                        + seg.byteSize() + "-byte file");
            }
            return n;
        }

        String string(String what) {
            long length = i64();
            if (length < 0 || length > MAX_STRING) throw error("corrupt GGUF header: " + what + " has length " + Long.toUnsignedString(length));
            need(length, what);
            byte[] bytes = seg.asSlice(position, length).toArray(ValueLayout.JAVA_BYTE);
            position += length;
            try {
                return StandardCharsets.UTF_8.newDecoder().onMalformedInput(CodingErrorAction.REPORT)
                        .decode(java.nio.ByteBuffer.wrap(bytes)).toString();
            } catch (CharacterCodingException e) {
                throw error("corrupt GGUF header: " + what + " is not valid UTF-8");
            }
        }

        GgufType type(String key) {
            int id = i32();
            GgufType t = GgufType.of(id);
            if (t == null) throw error("metadata " + key + " has unknown value type " + Integer.toUnsignedString(id));
            return t;
        }

        GgufValue value(String key) {
            GgufType t = type(key);
            if (t != GgufType.ARRAY) return new GgufValue(t, scalar(t, key), null);
            GgufType element = type(key);
            if (element == GgufType.ARRAY) throw error("metadata " + key + ": nested arrays are not supported");
            long n = count("metadata " + key + " array length", element.minBytes);
            List<Object> values = new ArrayList<>((int) Math.min(n, 1 << 20));
            for (long i = 0; i < n; i++) values.add(scalar(element, key));
            return new GgufValue(GgufType.ARRAY, Collections.unmodifiableList(values), element);
        }

        private Object scalar(GgufType t, String key) {
            return switch (t) {
                case UINT8 -> { need(1, key); yield (long) (seg.get(ValueLayout.JAVA_BYTE, position++) & 0xFF); }
                case INT8 -> { need(1, key); yield (long) seg.get(ValueLayout.JAVA_BYTE, position++); }
                case BOOL -> {
                    need(1, key);
                    byte b = seg.get(ValueLayout.JAVA_BYTE, position++);
                    if (b != 0 && b != 1) throw error("metadata " + key + ": a bool must be 0 or 1, got " + b);
                    yield b == 1;
                }
                case UINT16 -> { need(2, key); long v = seg.get(I16, position) & 0xFFFF; position += 2; yield v; }
                case INT16 -> { need(2, key); long v = seg.get(I16, position); position += 2; yield v; }
                case UINT32 -> Integer.toUnsignedLong(i32());
                case INT32 -> (long) i32();
                case FLOAT32 -> { need(4, key); double v = seg.get(F32, position); position += 4; yield v; }
                case UINT64, INT64 -> i64();
                case FLOAT64 -> { need(8, key); double v = seg.get(F64, position); position += 8; yield v; }
                case STRING -> string("metadata " + key);
                case ARRAY -> throw error("metadata " + key + ": nested arrays are not supported");
            };
        }

        GgufTensorInfo tensorInfo(long index, int alignment) {
            String name = string("tensor name " + index);
            int nDims = i32();
            if (nDims < 1 || nDims > MAX_DIMS) throw error("tensor " + name + " has " + Integer.toUnsignedString(nDims) + " dimensions (1 to " + MAX_DIMS + ")");
            long[] dims = new long[nDims];
            long elements = 1;
            for (int d = 0; d < nDims; d++) {
                dims[d] = i64();
                if (dims[d] < 0) throw tensorError(file, name, "dimension " + d + " is " + Long.toUnsignedString(dims[d]));
                try {
                    elements = Math.multiplyExact(elements, dims[d]);
                } catch (ArithmeticException e) {
                    throw tensorError(file, name, "dimensions " + java.util.Arrays.toString(dims) + " overflow");
                }
            }
            int type = i32();
            WeightFormat format = WeightFormat.ofGgmlType(type).orElseThrow(() -> tensorError(file, name,
                    "type " + GgmlTypeNames.name(type) + " is not one this engine computes (supported: " + WeightFormat.names() + ")"));
            if (!format.fitsRow(dims[0])) {
                throw tensorError(file, name, "rows of " + dims[0] + " elements are not whole " + format + " blocks of " + format.blockElements());
            }
            long offset = i64();
            if (offset < 0 || offset % alignment != 0) {
                throw tensorError(file, name, "data offset " + Long.toUnsignedString(offset) + " is not a multiple of the alignment " + alignment);
            }
            return new GgufTensorInfo(name, dims, format, offset);
        }
    }

    public int version() { return version; }

    public Map<String, GgufValue> metadata() { return metadata; }

    /** Tensor entries as the header lists them (GGUF names, GGUF dims). */
    public Map<String, GgufTensorInfo> tensorInfos() { return infos; }

    /** Byte offset of the data section in the file. */
    public long dataOffset() { return dataOffset; }

    @Override
    public Set<String> names() { return tensors.keySet(); }

    @Override
    public Tensor tensor(String name) {
        Tensor t = tensors.get(name);
        if (t == null) throw new ModelFormatException(file, "missing tensor " + name);
        return t;
    }

    public boolean has(String key) { return metadata.containsKey(key); }

    public String string(String key) {
        GgufValue v = require(key);
        if (v.type() != GgufType.STRING) throw new ModelFormatException(file, "metadata " + key + " must be a string, got " + v);
        return (String) v.value();
    }

    public long integer(String key) {
        GgufValue v = require(key);
        if (!v.type().isInteger()) throw new ModelFormatException(file, "metadata " + key + " must be an integer, got " + v);
        return (long) v.value();
    }

    public double number(String key) {
        GgufValue v = require(key);
        if (v.type() == GgufType.FLOAT32 || v.type() == GgufType.FLOAT64) return (double) v.value();
        if (v.type().isInteger()) return (long) v.value();
        throw new ModelFormatException(file, "metadata " + key + " must be a number, got " + v);
    }

    /** An array value of {@code key}, which must hold elements of {@code elementType}. */
    public List<?> array(String key, GgufType elementType) {
        GgufValue v = require(key);
        if (v.type() != GgufType.ARRAY || v.elementType() != elementType) {
            throw new ModelFormatException(file, "metadata " + key + " must be an array of " + elementType + ", got " + v);
        }
        return v.list();
    }

    private GgufValue require(String key) {
        GgufValue v = metadata.get(key);
        if (v == null) throw new ModelFormatException(file, "missing metadata key " + key);
        return v;
    }

    @Override
    public Path file() { return file; }

    @Override
    public void close() {
        parts.forEach(GgufFile::close);
        if (arena != null && arena.scope().isAlive()) arena.close();
    }
}
