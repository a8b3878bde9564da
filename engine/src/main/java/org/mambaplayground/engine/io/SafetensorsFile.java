package org.mambaplayground.engine.io;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.core.StreamReadFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.json.JsonMapper;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.mambaplayground.engine.model.ModelFormatException;
import org.mambaplayground.engine.tensor.Tensor;
import org.mambaplayground.engine.tensor.format.WeightFormat;
import org.mambaplayground.engine.tensor.WeightSource;

/**
 * A safetensors file memory-mapped with FFM: tensors are slices of the mapped segment, never copied, so
 * files of tens of gigabytes open in milliseconds. The header is validated completely before any tensor
 * is handed out; every problem is a {@link ModelFormatException} naming the file and the tensor.
 *
 * <p>Layout: 8-byte little-endian header length N, N bytes of JSON
 * ({@code {"name": {"dtype", "shape", "data_offsets": [begin, end]}, "__metadata__": {...}}}), then the
 * data section; offsets are relative to its start.
 */
public final class SafetensorsFile implements WeightSource {
    /** Same bound as the reference implementation: a header beyond this is corrupt, not large. */
    static final long MAX_HEADER_BYTES = 100L * 1024 * 1024;
    private static final ObjectMapper JSON = JsonMapper.builder().enable(StreamReadFeature.STRICT_DUPLICATE_DETECTION).build();

    private final Path file;
    private final Arena arena;
    private final Map<String, Tensor> tensors;
    private final Map<String, String> metadata;
    private final long dataBytes;

    private SafetensorsFile(Path file, Arena arena, Map<String, Tensor> tensors, Map<String, String> metadata, long dataBytes) {
        this.file = file;
        this.arena = arena;
        this.tensors = tensors;
        this.metadata = metadata;
        this.dataBytes = dataBytes;
    }

    /** Maps and validates {@code file}; the caller closes the result to unmap it. */
    public static SafetensorsFile open(Path file) {
        return MappedFile.open(file, (whole, arena) -> {
            if (whole.byteSize() < 8) {
                throw new ModelFormatException(file, "truncated safetensors file: " + whole.byteSize() + " bytes, shorter than the 8-byte header length");
            }
            return parse(file, whole, arena);
        });
    }

    private static SafetensorsFile parse(Path file, MemorySegment whole, Arena arena) {
        long size = whole.byteSize();
        long headerLength = whole.get(ValueLayout.JAVA_LONG_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN), 0);
        if (headerLength < 2 || headerLength > MAX_HEADER_BYTES) {
            throw new ModelFormatException(file, "corrupt safetensors header length " + Long.toUnsignedString(headerLength)
                    + " (file is " + size + " bytes; a header is between 2 bytes and " + MAX_HEADER_BYTES + ")");
        }
        if (headerLength > size - 8) {
            throw new ModelFormatException(file, "truncated safetensors file: header length " + headerLength
                    + " is larger than the " + (size - 8) + " bytes after the length field");
        }
        byte[] headerBytes = whole.asSlice(8, headerLength).toArray(ValueLayout.JAVA_BYTE);
        JsonNode header;
        try {
            header = JSON.readTree(new String(headerBytes, StandardCharsets.UTF_8));
        } catch (JsonProcessingException e) {
            throw new ModelFormatException(file, "safetensors header is not valid JSON: " + e.getOriginalMessage(), e);
        }
        if (header == null || !header.isObject()) throw new ModelFormatException(file, "safetensors header is not a JSON object");

        long dataStart = 8 + headerLength;
        long dataBytes = size - dataStart;
        MemorySegment data = whole.asSlice(dataStart, dataBytes);
        Map<String, String> metadata = new LinkedHashMap<>();
        List<Entry> entries = new ArrayList<>();
        for (Map.Entry<String, JsonNode> field : header.properties()) {
            if (field.getKey().equals("__metadata__")) {
                readMetadata(file, field.getValue(), metadata);
            } else {
                entries.add(readEntry(file, field.getKey(), field.getValue(), dataBytes));
            }
        }
        checkNoOverlap(file, entries);
        Map<String, Tensor> tensors = new LinkedHashMap<>();
        for (Entry e : entries) {
            tensors.put(e.name, new Tensor(e.name, e.format, e.shape, data.asSlice(e.begin, e.end - e.begin)));
        }
        return new SafetensorsFile(file, arena, Collections.unmodifiableMap(tensors), Collections.unmodifiableMap(metadata), dataBytes);
    }

    private record Entry(String name, WeightFormat format, long[] shape, long begin, long end) {}

    private static Entry readEntry(Path file, String name, JsonNode node, long dataBytes) {
        if (!node.isObject()) throw tensorError(file, name, "entry is not a JSON object");
        JsonNode dtypeNode = node.get("dtype");
        if (dtypeNode == null || !dtypeNode.isTextual()) throw tensorError(file, name, "missing or non-string \"dtype\"");
        WeightFormat format = WeightFormat.ofSafetensorsName(dtypeNode.asText()).orElseThrow(() ->
                tensorError(file, name, "unsupported dtype \"" + dtypeNode.asText() + "\" (supported: F32, F16, BF16)"));

        JsonNode shapeNode = node.get("shape");
        if (shapeNode == null || !shapeNode.isArray()) throw tensorError(file, name, "missing or non-array \"shape\"");
        long[] shape = new long[shapeNode.size()];
        long elements = 1;
        for (int i = 0; i < shape.length; i++) {
            JsonNode d = shapeNode.get(i);
            if (!d.isIntegralNumber() || !d.canConvertToLong() || d.asLong() < 0) {
                throw tensorError(file, name, "shape entry " + i + " is not a non-negative integer: " + d);
            }
            shape[i] = d.asLong();
            try {
                elements = Math.multiplyExact(elements, shape[i]);
            } catch (ArithmeticException e) {
                throw tensorError(file, name, "shape " + shapeNode + " overflows");
            }
        }

        JsonNode offsets = node.get("data_offsets");
        if (offsets == null || !offsets.isArray() || offsets.size() != 2
                || !offsets.get(0).isIntegralNumber() || !offsets.get(1).isIntegralNumber()
                || !offsets.get(0).canConvertToLong() || !offsets.get(1).canConvertToLong()) {
            throw tensorError(file, name, "\"data_offsets\" must be two integers, got " + offsets);
        }
        long begin = offsets.get(0).asLong(), end = offsets.get(1).asLong();
        if (begin < 0 || end < begin) throw tensorError(file, name, "invalid data_offsets [" + begin + ", " + end + "]");
        if (end > dataBytes) {
            throw tensorError(file, name, "data_offsets [" + begin + ", " + end + "] run past the end of the data section ("
                    + dataBytes + " bytes): the file is truncated or corrupt");
        }
        long expected;
        try {
            expected = format.bytes(elements);
        } catch (ArithmeticException e) {
            throw tensorError(file, name, "shape " + shapeNode + " overflows");
        }
        if (end - begin != expected) {
            throw tensorError(file, name, "holds " + (end - begin) + " bytes but shape " + shapeNode + " x " + format
                    + " needs " + expected);
        }
        return new Entry(name, format, shape, begin, end);
    }

    private static void readMetadata(Path file, JsonNode node, Map<String, String> metadata) {
        if (node.isNull()) return;
        if (!node.isObject()) throw new ModelFormatException(file, "\"__metadata__\" is not a JSON object");
        for (Map.Entry<String, JsonNode> f : node.properties()) {
            if (!f.getValue().isTextual()) {
                throw new ModelFormatException(file, "\"__metadata__\" value of \"" + f.getKey() + "\" is not a string");
            }
            metadata.put(f.getKey(), f.getValue().asText());
        }
    }

    private static void checkNoOverlap(Path file, List<Entry> entries) {
        List<Entry> sorted = new ArrayList<>(entries);
        sorted.sort(Comparator.comparingLong(Entry::begin).thenComparingLong(Entry::end));
        Entry previous = null;
        for (Entry e : sorted) {
            if (e.begin == e.end) continue; // empty tensors occupy no bytes
            if (previous != null && e.begin < previous.end) {
                throw tensorError(file, e.name, "data_offsets [" + e.begin + ", " + e.end + "] overlap tensor "
                        + previous.name + " [" + previous.begin + ", " + previous.end + "]");
            }
            previous = e;
        }
    }

    private static ModelFormatException tensorError(Path file, String tensor, String message) {
        return new ModelFormatException(file, "tensor " + tensor + ": " + message);
    }

    @Override
    public Set<String> names() { return tensors.keySet(); }

    @Override
    public Tensor tensor(String name) {
        Tensor t = tensors.get(name);
        if (t == null) throw new ModelFormatException(file, "missing tensor " + name);
        return t;
    }

    /** All tensors in header order. */
    public Map<String, Tensor> tensors() { return tensors; }

    /** The {@code __metadata__} string map (empty when the file has none). */
    public Map<String, String> metadata() { return metadata; }

    /** Bytes of the data section (the weights). */
    public long dataBytes() { return dataBytes; }

    @Override
    public Path file() { return file; }

    /** Unmaps the file; tensors from it must not be used afterwards. */
    @Override
    public void close() {
        if (arena.scope().isAlive()) arena.close();
    }
}
