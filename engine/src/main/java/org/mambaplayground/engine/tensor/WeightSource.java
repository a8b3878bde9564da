package org.mambaplayground.engine.tensor;

import java.nio.file.Path;
import java.util.Set;

/** Named tensors of one model: a memory-mapped safetensors file, or tensors held in memory. */
public interface WeightSource extends AutoCloseable {
    Set<String> names();

    /** The tensor with that name; throws {@link org.mambaplayground.engine.model.ModelFormatException} naming the file and tensor if absent. */
    Tensor tensor(String name);

    /** The file the tensors come from, for error messages; null for in-memory sources. */
    Path file();

    @Override
    void close();
}
