package org.mambaplayground.engine.tensor.format;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteOrder;
import jdk.incubator.vector.ByteVector;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.IntVector;
import jdk.incubator.vector.ShortVector;
import jdk.incubator.vector.VectorMask;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorShape;
import jdk.incubator.vector.VectorSpecies;

/** Vector API species, loads and reductions the formats' kernels share. */
final class Simd {
    static final VectorSpecies<Float> F = FloatVector.SPECIES_PREFERRED;
    static final int LANES = F.length();
    static final VectorSpecies<Integer> I = VectorSpecies.of(int.class, F.vectorShape());
    static final VectorSpecies<Short> S = VectorSpecies.of(short.class, VectorShape.forBitSize(F.vectorBitSize() / 2));
    /**
     * Whether block kernels can take one float vector's worth of bytes at a time (8 or 16 lanes: AVX2, AVX-512,
     * or a 256/512-bit SVE); otherwise they decode through the scalar definition.
     */
    static final boolean BYTE_LANES = LANES == 8 || LANES == 16;
    /** LANES bytes, widened lane for lane into a float vector. */
    static final VectorSpecies<Byte> B = BYTE_LANES ? VectorSpecies.of(byte.class, VectorShape.forBitSize(8 * LANES)) : null;
    static final ByteOrder LE = ByteOrder.LITTLE_ENDIAN;
    static final ValueLayout.OfFloat F32_LE = ValueLayout.JAVA_FLOAT_UNALIGNED.withOrder(LE);
    static final ValueLayout.OfShort I16_LE = ValueLayout.JAVA_SHORT_UNALIGNED.withOrder(LE);
    /** 2^112: moves a half-precision exponent (bias 15) placed in a float (bias 127) to its true value. */
    private static final float F16_REBIAS = 0x1p112f;
    /** 2^23 + 8: see {@link #lowNibbles} (and Q4_0Format.dot4, which writes it out). */
    static final float NIBBLE_BIAS = 0x1p23f + 8;

    private Simd() {}

    static FloatVector zero() { return FloatVector.zero(F); }

    static FloatVector broadcast(float v) { return FloatVector.broadcast(F, v); }

    static FloatVector x(float[] x, int offset) { return FloatVector.fromArray(F, x, offset); }

    static float sum(FloatVector v) { return v.reduceLanes(VectorOperators.ADD); }

    static FloatVector loadF32(MemorySegment seg, long offset) {
        return FloatVector.fromMemorySegment(F, seg, offset, LE);
    }

    /** LANES bfloat16 values widened by a 16-bit shift (exact). */
    static FloatVector loadBF16(MemorySegment seg, long offset) {
        ShortVector s = ShortVector.fromMemorySegment(S, seg, offset, LE);
        return ((IntVector) s.convertShape(VectorOperators.S2I, I, 0)).lanewise(VectorOperators.LSHL, 16).reinterpretAsFloats();
    }

    /**
     * LANES half-precision values, decoded exactly: the magnitude's bits moved into a float's place and scaled by
     * 2^112 (exact for normal and subnormal halves alike), then the sign. Infinities and NaN (exponent 31), which
     * the scaling would turn into large finite numbers, take a second path only when a vector holds one.
     */
    static FloatVector loadF16(MemorySegment seg, long offset) {
        ShortVector s = ShortVector.fromMemorySegment(S, seg, offset, LE);
        IntVector h = (IntVector) s.convertShape(VectorOperators.S2I, I, 0);
        IntVector magnitudeBits = h.and(0x7FFF).lanewise(VectorOperators.LSHL, 13);
        IntVector bits = magnitudeBits.reinterpretAsFloats().mul(F16_REBIAS).reinterpretAsInts();
        VectorMask<Integer> infOrNaN = h.and(0x7C00).compare(VectorOperators.EQ, 0x7C00);
        if (infOrNaN.anyTrue()) bits = bits.blend(magnitudeBits.or(0x7F800000), infOrNaN);
        return bits.or(h.and(0x8000).lanewise(VectorOperators.LSHL, 16)).reinterpretAsFloats();
    }

    /** LANES signed bytes as floats. */
    static FloatVector loadI8(MemorySegment seg, long offset) {
        return (FloatVector) ByteVector.fromMemorySegment(B, seg, offset, LE).convertShape(VectorOperators.B2F, F, 0);
    }

    /** LANES packed bytes at {@code offset}, zero-extended into int lanes (Q4_0's nibble pairs, still packed). */
    static IntVector loadPackedNibbles(MemorySegment seg, long offset) {
        return (IntVector) ByteVector.fromMemorySegment(B, seg, offset, LE).convertShape(VectorOperators.ZERO_EXTEND_B2I, I, 0);
    }

    // A nibble q in [0, 15] becomes the float q - 8 without a conversion instruction: the bits 0x4B000000 | q are the
    // float 2^23 + q, and subtracting 2^23 + 8 is exact. Each written out in one expression (a deeper helper chain
    // is not always inlined into the large prefill tile, and a vector that leaves compiled code is an allocation).

    /** The low nibble q of each lane as the float q - 8 (Q4_0's first half of a block). */
    static FloatVector lowNibbles(IntVector packed) {
        return packed.and(0x0F).or(0x4B000000).reinterpretAsFloats().sub(NIBBLE_BIAS);
    }

    /** The high nibble q of each lane as the float q - 8 (Q4_0's second half of a block). */
    static FloatVector highNibbles(IntVector packed) {
        return packed.lanewise(VectorOperators.LSHR, 4).or(0x4B000000).reinterpretAsFloats().sub(NIBBLE_BIAS);
    }

    /** LANES packed bytes: their low nibbles minus 8 as floats, converted by the CPU (for the prefill tile). */
    static FloatVector lowNibbles(ByteVector packed) {
        return (FloatVector) packed.and((byte) 0x0F).sub((byte) 8).convertShape(VectorOperators.B2F, F, 0);
    }

    /** LANES packed bytes: their high nibbles minus 8 as floats, converted by the CPU (for the prefill tile). */
    static FloatVector highNibbles(ByteVector packed) {
        return (FloatVector) packed.lanewise(VectorOperators.LSHR, 4).sub((byte) 8).convertShape(VectorOperators.B2F, F, 0);
    }

    static ByteVector loadBytes(MemorySegment seg, long offset) {
        return ByteVector.fromMemorySegment(B, seg, offset, LE);
    }

    static float f16(MemorySegment seg, long offset) { return Float.float16ToFloat(seg.get(I16_LE, offset)); }

    /** Stores the eight sums of a 2 x 4 tile. */
    static void store2x4(float[] out, int rows, int r, int t0, float s00, float s01, float s02, float s03,
                         float s10, float s11, float s12, float s13) {
        out[t0 * rows + r] = s00;
        out[(t0 + 1) * rows + r] = s01;
        out[(t0 + 2) * rows + r] = s02;
        out[(t0 + 3) * rows + r] = s03;
        out[t0 * rows + r + 1] = s10;
        out[(t0 + 1) * rows + r + 1] = s11;
        out[(t0 + 2) * rows + r + 1] = s12;
        out[(t0 + 3) * rows + r + 1] = s13;
    }
}
