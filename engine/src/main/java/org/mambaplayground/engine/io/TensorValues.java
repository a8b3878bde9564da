package org.mambaplayground.engine.io;

import org.mambaplayground.engine.tensor.Tensor;

/**
 * The values of one tensor in row-major order, produced in consecutive chunks, so that writers stream models
 * of any size through a small buffer.
 */
@FunctionalInterface
public interface TensorValues {
    /** Fills {@code chunk[0, count)} with elements {@code [offset, offset + count)}; called with increasing offsets. */
    void fill(long offset, float[] chunk, int count);

    static TensorValues of(float[] values) {
        return (offset, chunk, count) -> System.arraycopy(values, (int) offset, chunk, 0, count);
    }

    /** A tensor's elements decoded from its format; chunks start on whole blocks (writers chunk in multiples of 256). */
    static TensorValues of(Tensor tensor) {
        return (offset, chunk, count) -> tensor.format().decode(tensor.data(), tensor.format().bytes(offset), chunk, 0, count);
    }
}
