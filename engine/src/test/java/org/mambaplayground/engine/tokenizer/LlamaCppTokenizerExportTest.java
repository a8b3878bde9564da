package org.mambaplayground.engine.tokenizer;

import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.condition.EnabledIfSystemProperty;
import org.mambaplayground.engine.io.TensorValues;
import org.mambaplayground.engine.io.gguf.GgufValue;
import org.mambaplayground.engine.io.gguf.GgufWriter;
import org.mambaplayground.engine.tensor.format.WeightFormat;

/**
 * Not a check by itself: the Java half of tools/llama-cpp-check/tokenizer-check.sh, which runs it with
 * {@code -Dllamacpp.export.dir=DIR}. Writes, for each demo tokenizer, a tiny random-weight {@code llama} GGUF
 * whose vocabulary is the tokenizer's metadata padded by 4 tokens (so llama.cpp loads it as a whole model, shape
 * checks included), the test texts, and this engine's ids for them; llama.cpp's ids are compared by the script.
 */
@EnabledIfSystemProperty(named = "llamacpp.export.dir", matches = ".+")
class LlamaCppTokenizerExportTest {
    private static final int DIM = 64, FFN = 128, HEADS = 4, KV_HEADS = 2;

    @Test
    void export() throws IOException {
        Path out = Files.createDirectories(Path.of(System.getProperty("llamacpp.export.dir")));
        List<String> texts = new ArrayList<>(TokenizerTestData.lines("corpus.txt"));
        texts.addAll(TokenizerTestData.jsonStrings("tekken-texts.json"));
        texts.addAll(TokenizerTestData.lines("chat-parts.txt"));
        ObjectMapper json = new ObjectMapper();
        json.writeValue(out.resolve("texts.json").toFile(), texts);
        Map<String, Path> sources = Map.of("spm", TokenizerTestData.demoSentencePiece(), "tekken", TokenizerTestData.demoTekken());
        for (Map.Entry<String, Path> e : sources.entrySet()) {
            Tokenizer tok = Tokenizers.loadFile(e.getValue()).tokenizer();
            int vocab = tok.vocabularySize() + 4;
            GgufWriter.write(out.resolve(e.getKey() + ".gguf"), metadata(tok, vocab), tensors(vocab));
            List<int[]> ids = new ArrayList<>();
            for (String text : texts) ids.add(tok.encode(text));
            json.writeValue(out.resolve("ours-" + e.getKey() + ".json").toFile(), ids);
        }
    }

    private static Map<String, GgufValue> metadata(Tokenizer tok, int vocab) {
        Map<String, GgufValue> m = new LinkedHashMap<>();
        m.put("general.architecture", GgufValue.string("llama"));
        m.put("llama.context_length", GgufValue.u32(256));
        m.put("llama.embedding_length", GgufValue.u32(DIM));
        m.put("llama.block_count", GgufValue.u32(1));
        m.put("llama.feed_forward_length", GgufValue.u32(FFN));
        m.put("llama.attention.head_count", GgufValue.u32(HEADS));
        m.put("llama.attention.head_count_kv", GgufValue.u32(KV_HEADS));
        m.put("llama.rope.dimension_count", GgufValue.u32(DIM / HEADS));
        m.put("llama.attention.layer_norm_rms_epsilon", GgufValue.f32(1e-5));
        m.putAll(GgufTokenizerMetadata.of(tok, vocab));
        return m;
    }

    private static List<GgufWriter.Entry> tensors(int vocab) {
        Random rnd = new Random(1);
        int kv = DIM / HEADS * KV_HEADS;
        List<GgufWriter.Entry> t = new ArrayList<>();
        t.add(entry("token_embd.weight", rnd, vocab, DIM));
        t.add(entry("output_norm.weight", rnd, DIM));
        t.add(entry("output.weight", rnd, vocab, DIM));
        t.add(entry("blk.0.attn_norm.weight", rnd, DIM));
        t.add(entry("blk.0.attn_q.weight", rnd, DIM, DIM));
        t.add(entry("blk.0.attn_k.weight", rnd, kv, DIM));
        t.add(entry("blk.0.attn_v.weight", rnd, kv, DIM));
        t.add(entry("blk.0.attn_output.weight", rnd, DIM, DIM));
        t.add(entry("blk.0.ffn_norm.weight", rnd, DIM));
        t.add(entry("blk.0.ffn_gate.weight", rnd, FFN, DIM));
        t.add(entry("blk.0.ffn_up.weight", rnd, FFN, DIM));
        t.add(entry("blk.0.ffn_down.weight", rnd, DIM, FFN));
        return t;
    }

    private static GgufWriter.Entry entry(String name, Random rnd, long... shape) {
        long n = 1;
        for (long d : shape) n *= d;
        float[] v = new float[(int) n];
        for (int i = 0; i < v.length; i++) v[i] = (float) rnd.nextGaussian() * 0.05f;
        return new GgufWriter.Entry(name, shape, WeightFormat.F32, TensorValues.of(v));
    }
}
