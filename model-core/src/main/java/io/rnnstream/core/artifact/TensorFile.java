package io.rnnstream.core.artifact;

import java.io.ByteArrayOutputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.BufferUnderflowException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * A plain, documented container of named float tensors, used for the exported serving weights. No
 * Java serialization, no reflection: every length is checked against the bytes that remain before
 * anything is allocated.
 *
 * <pre>
 * magic     8 bytes  "RNNWTS01"
 * count     int32    number of tensors (big-endian, as every integer here)
 * then per tensor:
 *   nameLen int16, name (UTF-8, [A-Za-z0-9._-], at most 128 bytes)
 *   rank    int32 (1 or 2), dims int32 x rank (each >= 1)
 *   values  float32 x product(dims), row-major
 * </pre>
 */
public final class TensorFile {

    static final byte[] MAGIC = "RNNWTS01".getBytes(StandardCharsets.US_ASCII);
    static final int MAX_TENSORS = 256;

    /** A named tensor; {@code values} is row-major over {@code dims}. */
    public record Tensor(int[] dims, float[] values) {}

    private TensorFile() {}

    public static byte[] write(Map<String, Tensor> tensors) {
        try (ByteArrayOutputStream bytes = new ByteArrayOutputStream();
                DataOutputStream out = new DataOutputStream(bytes)) {
            out.write(MAGIC);
            out.writeInt(tensors.size());
            for (Map.Entry<String, Tensor> entry : tensors.entrySet()) {
                byte[] name = entry.getKey().getBytes(StandardCharsets.UTF_8);
                out.writeShort(name.length);
                out.write(name);
                Tensor tensor = entry.getValue();
                out.writeInt(tensor.dims().length);
                for (int dim : tensor.dims()) {
                    out.writeInt(dim);
                }
                for (float value : tensor.values()) {
                    out.writeFloat(value);
                }
            }
            out.flush();
            return bytes.toByteArray();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    public static Map<String, Tensor> read(byte[] bytes, String what) throws ArtifactException {
        ByteBuffer buffer = ByteBuffer.wrap(bytes).order(ByteOrder.BIG_ENDIAN);
        try {
            byte[] magic = new byte[MAGIC.length];
            buffer.get(magic);
            if (!java.util.Arrays.equals(magic, MAGIC)) {
                throw new ArtifactException(what + " is not an rnnstream tensor file (bad magic)");
            }
            int count = buffer.getInt();
            if (count < 0 || count > MAX_TENSORS) {
                throw new ArtifactException(
                        what + " declares " + count + " tensors, expected 0.." + MAX_TENSORS);
            }
            Map<String, Tensor> tensors = new LinkedHashMap<>();
            for (int t = 0; t < count; t++) {
                int nameLength = buffer.getShort() & 0xffff;
                if (nameLength == 0 || nameLength > 128) {
                    throw new ArtifactException(
                            what + " tensor " + t + " has a name of " + nameLength + " bytes");
                }
                byte[] nameBytes = new byte[nameLength];
                buffer.get(nameBytes);
                String name = new String(nameBytes, StandardCharsets.UTF_8);
                if (!name.matches("[A-Za-z0-9._-]+")) {
                    throw new ArtifactException(what + " tensor " + t + " has an invalid name");
                }
                int rank = buffer.getInt();
                if (rank < 1 || rank > 2) {
                    throw new ArtifactException(
                            what + " tensor " + name + " has rank " + rank + ", expected 1 or 2");
                }
                int[] dims = new int[rank];
                long size = 1;
                for (int d = 0; d < rank; d++) {
                    dims[d] = buffer.getInt();
                    if (dims[d] < 1) {
                        throw new ArtifactException(
                                what + " tensor " + name + " has dimension " + dims[d]);
                    }
                    size *= dims[d];
                }
                // Compared in floats: size * Float.BYTES overflows a long for two large dims.
                if (size > buffer.remaining() / Float.BYTES) {
                    throw new ArtifactException(
                            what
                                    + " tensor "
                                    + name
                                    + " needs "
                                    + size
                                    + " floats, only "
                                    + buffer.remaining()
                                    + " bytes remain (truncated file?)");
                }
                float[] values = new float[(int) size];
                buffer.asFloatBuffer().get(values);
                buffer.position(buffer.position() + values.length * Float.BYTES);
                if (tensors.put(name, new Tensor(dims, values)) != null) {
                    throw new ArtifactException(what + " holds tensor " + name + " twice");
                }
            }
            if (buffer.hasRemaining()) {
                throw new ArtifactException(
                        what + " has " + buffer.remaining() + " trailing bytes");
            }
            return tensors;
        } catch (BufferUnderflowException e) {
            throw new ArtifactException(what + " ends early (truncated file?)");
        }
    }
}
