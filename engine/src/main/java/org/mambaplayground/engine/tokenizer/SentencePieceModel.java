package org.mambaplayground.engine.tokenizer;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * The parts of a SentencePiece {@code ModelProto} (sentencepiece_model.proto) that encoding and decoding need,
 * read from the protobuf wire format by hand. Field numbers follow the proto definition:
 * ModelProto {1 pieces, 2 trainer_spec, 3 normalizer_spec}; SentencePiece {1 piece, 2 score, 3 type};
 * TrainerSpec {3 model_type, 24 treat_whitespace_as_suffix, 35 byte_fallback, 40 unk_id, 41 bos_id, 42 eos_id,
 * 43 pad_id, 44 unk_surface}; NormalizerSpec {1 name, 2 precompiled_charsmap, 3 add_dummy_prefix,
 * 4 remove_extra_whitespaces, 5 escape_whitespaces}.
 */
public record SentencePieceModel(
        Path file,
        List<Piece> pieces,
        int modelType,
        boolean byteFallback,
        boolean treatWhitespaceAsSuffix,
        int unkId,
        int bosId,
        int eosId,
        int padId,
        String unkSurface,
        String normalizerName,
        boolean hasPrecompiledCharsmap,
        boolean addDummyPrefix,
        boolean removeExtraWhitespaces,
        boolean escapeWhitespaces) {

    public static final int MODEL_UNIGRAM = 1, MODEL_BPE = 2, MODEL_WORD = 3, MODEL_CHAR = 4;

    /** Piece types as numbered in the proto. */
    public enum Type {
        NORMAL(1), UNKNOWN(2), CONTROL(3), USER_DEFINED(4), UNUSED(5), BYTE(6);

        final int number;

        Type(int number) { this.number = number; }

        static Type of(int number) {
            for (Type t : values()) if (t.number == number) return t;
            return null;
        }
    }

    public record Piece(String text, float score, Type type) {}

    public static SentencePieceModel read(Path file) {
        byte[] data;
        try {
            data = Files.readAllBytes(file);
        } catch (IOException e) {
            throw new TokenizerFormatException(file, "cannot read the SentencePiece model: " + e.getMessage(), e);
        }
        return parse(file, data);
    }

    public static SentencePieceModel parse(Path file, byte[] data) {
        List<Piece> pieces = new ArrayList<>();
        int modelType = MODEL_UNIGRAM, unkId = 0, bosId = 1, eosId = 2, padId = -1;
        boolean byteFallback = false, suffix = false;
        String unkSurface = " \u2047 ";
        String normalizerName = "";
        boolean charsmap = false, dummyPrefix = true, removeExtra = true, escape = true;
        boolean sawTrainer = false, sawNormalizer = false;

        ProtoReader model = new ProtoReader(file, data);
        while (model.next()) {
            switch (model.field()) {
                case 1 -> pieces.add(readPiece(file, model.readMessage(), pieces.size()));
                case 2 -> {
                    sawTrainer = true;
                    ProtoReader t = model.readMessage();
                    while (t.next()) {
                        switch (t.field()) {
                            case 3 -> modelType = t.readInt32();
                            case 24 -> suffix = t.readBool();
                            case 35 -> byteFallback = t.readBool();
                            case 40 -> unkId = t.readInt32();
                            case 41 -> bosId = t.readInt32();
                            case 42 -> eosId = t.readInt32();
                            case 43 -> padId = t.readInt32();
                            case 44 -> unkSurface = t.readString();
                            default -> t.skip();
                        }
                    }
                }
                case 3 -> {
                    sawNormalizer = true;
                    ProtoReader n = model.readMessage();
                    while (n.next()) {
                        switch (n.field()) {
                            case 1 -> normalizerName = n.readString();
                            case 2 -> charsmap = n.readBytes().length > 0;
                            case 3 -> dummyPrefix = n.readBool();
                            case 4 -> removeExtra = n.readBool();
                            case 5 -> escape = n.readBool();
                            default -> n.skip();
                        }
                    }
                }
                default -> model.skip();
            }
        }
        if (pieces.isEmpty()) throw new TokenizerFormatException(file, "not a SentencePiece model: no pieces (field 1)");
        if (!sawTrainer) throw new TokenizerFormatException(file, "SentencePiece model has no trainer_spec (field 2)");
        if (!sawNormalizer) throw new TokenizerFormatException(file, "SentencePiece model has no normalizer_spec (field 3)");
        return new SentencePieceModel(file, List.copyOf(pieces), modelType, byteFallback, suffix, unkId, bosId, eosId,
                padId, unkSurface, normalizerName, charsmap, dummyPrefix, removeExtra, escape);
    }

    private static Piece readPiece(Path file, ProtoReader p, int index) {
        String text = null;
        float score = 0f;
        int type = Type.NORMAL.number;
        while (p.next()) {
            switch (p.field()) {
                case 1 -> text = p.readString();
                case 2 -> score = p.readFloat();
                case 3 -> type = p.readInt32();
                default -> p.skip();
            }
        }
        if (text == null || text.isEmpty()) {
            throw new TokenizerFormatException(file, "piece " + index + " has no text (pieces[" + index + "].piece)");
        }
        Type t = Type.of(type);
        if (t == null) {
            throw new TokenizerFormatException(file, "piece " + index + " '" + text + "' has unknown type " + type);
        }
        return new Piece(text, score, t);
    }
}
