package org.mambaplayground.engine.io;

import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.List;
import java.util.Map;
import org.assertj.core.api.AbstractThrowableAssert;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.mambaplayground.engine.model.ModelFormatException;
import org.mambaplayground.engine.tensor.format.WeightFormat;

/** Corrupt safetensors files, written byte by byte: each fails with one message naming the file and tensor. */
class SafetensorsValidationTest {
    @TempDir Path dir;

    private Path raw(long headerLength, String header, int dataBytes) throws IOException {
        Path file = dir.resolve("bad.safetensors");
        byte[] json = header.getBytes(StandardCharsets.UTF_8);
        ByteBuffer b = ByteBuffer.allocate(8 + json.length + dataBytes).order(ByteOrder.LITTLE_ENDIAN);
        b.putLong(headerLength).put(json);
        Files.write(file, b.array());
        return file;
    }

    private Path raw(String header, int dataBytes) throws IOException {
        return raw(header.getBytes(StandardCharsets.UTF_8).length, header, dataBytes);
    }

    private static AbstractThrowableAssert<?, ? extends Throwable> assertFails(Path file) {
        return assertThatThrownBy(() -> SafetensorsFile.open(file).close())
                .isInstanceOf(ModelFormatException.class).hasMessageContaining(file.toString());
    }

    @Test
    void fileShorterThanTheLengthField() throws IOException {
        Path file = dir.resolve("tiny.safetensors");
        Files.write(file, new byte[] {1, 2, 3});
        assertFails(file).hasMessageContaining("truncated");
    }

    @Test
    void missingFile() {
        assertFails(dir.resolve("absent.safetensors")).hasMessageContaining("not found");
    }

    @Test
    void headerLengthLargerThanTheFile() throws IOException {
        assertFails(raw(5000, "{}", 0)).hasMessageContaining("header length 5000");
    }

    @Test
    void absurdHeaderLengthIsNeverAllocated() throws IOException {
        assertFails(raw(1L << 40, "{}", 0)).hasMessageContaining("corrupt safetensors header length");
        assertFails(raw(-1L, "{}", 0)).hasMessageContaining("corrupt safetensors header length");
    }

    @Test
    void headerThatIsNotJson() throws IOException {
        assertFails(raw("{\"w\": {\"dtype\": \"F32\", ", 16)).hasMessageContaining("not valid JSON");
        assertFails(raw("[1, 2]", 0)).hasMessageContaining("not a JSON object");
    }

    @Test
    void duplicateTensorNames() throws IOException {
        String t = "{\"dtype\":\"F32\",\"shape\":[1],\"data_offsets\":[0,4]}";
        assertFails(raw("{\"w\":" + t + ",\"w\":" + t + "}", 4)).hasMessageContaining("w");
    }

    @Test
    void unknownDtype() throws IOException {
        assertFails(raw("{\"layers.0.w\": {\"dtype\": \"I8\", \"shape\": [4], \"data_offsets\": [0, 4]}}", 4))
                .hasMessageContaining("tensor layers.0.w").hasMessageContaining("unsupported dtype \"I8\"");
    }

    @Test
    void offsetsOutsideTheDataSection() throws IOException {
        assertFails(raw("{\"w\": {\"dtype\": \"F32\", \"shape\": [4], \"data_offsets\": [8, 24]}}", 16))
                .hasMessageContaining("tensor w").hasMessageContaining("past the end of the data section");
        assertFails(raw("{\"w\": {\"dtype\": \"F32\", \"shape\": [1], \"data_offsets\": [8, 4]}}", 16))
                .hasMessageContaining("tensor w").hasMessageContaining("invalid data_offsets");
    }

    @Test
    void overlappingTensors() throws IOException {
        assertFails(raw("{\"a\": {\"dtype\": \"F32\", \"shape\": [2], \"data_offsets\": [0, 8]},"
                + "\"b\": {\"dtype\": \"F32\", \"shape\": [2], \"data_offsets\": [4, 12]}}", 12))
                .hasMessageContaining("tensor b").hasMessageContaining("overlap tensor a");
    }

    @Test
    void byteSizeNotMatchingShapeTimesDtype() throws IOException {
        assertFails(raw("{\"w\": {\"dtype\": \"BF16\", \"shape\": [3, 3], \"data_offsets\": [0, 16]}}", 16))
                .hasMessageContaining("tensor w").hasMessageContaining("needs 18");
    }

    @Test
    void malformedShapeAndOffsets() throws IOException {
        assertFails(raw("{\"w\": {\"dtype\": \"F32\", \"shape\": [-1], \"data_offsets\": [0, 4]}}", 4))
                .hasMessageContaining("tensor w").hasMessageContaining("shape entry 0");
        assertFails(raw("{\"w\": {\"dtype\": \"F32\", \"shape\": \"4\", \"data_offsets\": [0, 4]}}", 4))
                .hasMessageContaining("tensor w").hasMessageContaining("shape");
        assertFails(raw("{\"w\": {\"dtype\": \"F32\", \"shape\": [1], \"data_offsets\": [0]}}", 4))
                .hasMessageContaining("tensor w").hasMessageContaining("data_offsets");
        assertFails(raw("{\"w\": {\"dtype\": \"F32\", \"shape\": [4294967296, 4294967296, 4294967296], \"data_offsets\": [0, 4]}}", 4))
                .hasMessageContaining("tensor w").hasMessageContaining("overflows");
        assertFails(raw("{\"w\": 3}", 4)).hasMessageContaining("tensor w");
    }

    @Test
    void truncatedFileNamesTheFirstTensorThatIsCut() throws IOException {
        Path file = dir.resolve("cut.safetensors");
        SafetensorsWriter.write(file, Map.of(), List.of(
                new SafetensorsWriter.Entry("first", WeightFormat.BF16, new long[] {64}, TensorValues.of(new float[64])),
                new SafetensorsWriter.Entry("second", WeightFormat.BF16, new long[] {64}, TensorValues.of(new float[64]))));
        try (FileChannel ch = FileChannel.open(file, StandardOpenOption.WRITE)) {
            ch.truncate(ch.size() - 10);
        }
        assertFails(file).hasMessageContaining("tensor second").hasMessageContaining("truncated");
    }
}
