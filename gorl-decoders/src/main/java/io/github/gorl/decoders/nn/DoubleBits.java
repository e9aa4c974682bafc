package io.github.gorl.decoders.nn;

/** Stores doubles losslessly in float arrays (two floats' bit patterns per double) for tensor files. */
final class DoubleBits {

    private DoubleBits() {}

    static float[] encode(double[] values) {
        float[] out = new float[values.length * 2];
        for (int i = 0; i < values.length; i++) {
            long bits = Double.doubleToRawLongBits(values[i]);
            out[2 * i] = Float.intBitsToFloat((int) (bits >>> 32));
            out[2 * i + 1] = Float.intBitsToFloat((int) bits);
        }
        return out;
    }

    static double[] decode(float[] encoded, int n, String name) {
        if (encoded == null || encoded.length != 2 * n) {
            throw new IllegalArgumentException("entry '" + name + "' must hold " + n + " doubles, got "
                    + (encoded == null ? "none" : encoded.length / 2.0));
        }
        double[] out = new double[n];
        for (int i = 0; i < n; i++) {
            long bits = ((long) Float.floatToRawIntBits(encoded[2 * i]) << 32)
                    | (Float.floatToRawIntBits(encoded[2 * i + 1]) & 0xffffffffL);
            out[i] = Double.longBitsToDouble(bits);
        }
        return out;
    }
}
