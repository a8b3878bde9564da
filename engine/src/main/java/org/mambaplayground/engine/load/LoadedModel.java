package org.mambaplayground.engine.load;

import org.mambaplayground.engine.model.Model;

import java.nio.file.Path;
import org.mambaplayground.engine.tokenizer.ChatFormat;
import org.mambaplayground.engine.tokenizer.Tokenizer;

/** A model folder opened by {@code ModelLoader}: the weights, its tokenizer and chat format. */
public record LoadedModel(Path folder, String name, Model model, Tokenizer tokenizer, ChatFormat chatFormat)
        implements AutoCloseable {
    @Override
    public void close() { model.close(); }
}
