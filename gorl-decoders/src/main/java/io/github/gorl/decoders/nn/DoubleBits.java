package io.github.gorl.decoders.nn;

/**
 * Stores doubles losslessly in float arrays (two floats' bit patterns per double) for tensor files.
 *
 * <p>Internal: shared by gorl-java's modules; not part of the stable API.
 */
public final class DoubleBits {

    private DoubleBits() {}

    /**
     * Encodes doubles exactly, each as the bit patterns of two floats (high word first).
     *
     * @param values the doubles
     * @return {@code 2 * values.length} floats
     */
    public static float[] encode(double... values) {
        float[] out = new float[values.length * 2];
        for (int i = 0; i < values.length; i++) {
            long bits = Double.doubleToRawLongBits(values[i]);
            out[2 * i] = Float.intBitsToFloat((int) (bits >>> 32));
            out[2 * i + 1] = Float.intBitsToFloat((int) bits);
        }
        return out;
    }

    /**
     * Decodes what {@link #encode} wrote.
     *
     * @param encoded the floats, {@code 2 * n} of them
     * @param n how many doubles they must hold
     * @param name the entry's name, for the error message
     * @return the {@code n} doubles
     * @throws IllegalArgumentException if {@code encoded} is {@code null} or does not hold {@code n} doubles
     */
    public static double[] decode(float[] encoded, int n, String name) {
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
