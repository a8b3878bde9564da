package org.mambaplayground.engine.tokenizer;

import java.util.Arrays;

/** A growable int array, so encoding does not box every token id. */
final class IntList {
    private int[] data;
    private int size;

    IntList(int capacity) {
        data = new int[Math.max(capacity, 4)];
    }

    void add(int value) {
        if (size == data.length) data = Arrays.copyOf(data, size * 2);
        data[size++] = value;
    }

    void addAll(int[] values) {
        for (int v : values) add(v);
    }

    int size() { return size; }

    int[] toArray() { return Arrays.copyOf(data, size); }
}
