/**
 * Tokenizers and chat layouts of the two model families, read from the model's own files.
 * <ul>
 * <li>{@link org.mambaplayground.engine.tokenizer.Tokenizers#load} picks the file in a model folder:
 * {@code tekken.json} ({@link org.mambaplayground.engine.tokenizer.TekkenTokenizer}, Mistral Nemo) or
 * {@code tokenizer.model.v3} ({@link org.mambaplayground.engine.tokenizer.SentencePieceTokenizer}, Codestral
 * Mamba), and returns it with its {@link org.mambaplayground.engine.tokenizer.ChatFormat}
 * ({@link org.mambaplayground.engine.tokenizer.MistralInstructFormat}, mistral-common's v3 instruct layout).</li>
 * <li>GGUF: {@link org.mambaplayground.engine.tokenizer.GgufTokenizerMetadata} gives a tokenizer as llama.cpp's
 * {@code tokenizer.*} metadata, {@link org.mambaplayground.engine.tokenizer.GgufTokenizerLoader} rebuilds the same
 * tokenizer and chat format from a GGUF file.</li>
 * <li>Tokenizers are immutable and may be shared between threads; a
 * {@link org.mambaplayground.engine.tokenizer.StreamingDecoder} belongs to one stream of tokens.</li>
 * <li>A bad file fails with {@link org.mambaplayground.engine.tokenizer.TokenizerFormatException} (a
 * {@code ModelFormatException}) naming the file and the field or byte offset; an id outside the vocabulary given
 * to decode is an {@code IllegalArgumentException} naming the file.</li>
 * </ul>
 * Correctness is checked against the reference implementations (Debian's spm_encode/spm_decode, js-tiktoken, a
 * Python tiktoken re-implementation) through vectors made by tools/tokenizers/make_test_vectors.sh.
 */
package org.mambaplayground.engine.tokenizer;
