package io.rnnstream.core.eval;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * Classification quality over a set of sequences: accuracy, macro-F1, per-class precision and
 * recall, and the confusion matrix (rows are true labels, columns predictions).
 */
public final class Evaluation {

    private final List<String> labels;
    private final long[][] confusion;
    private long total;

    public Evaluation(List<String> labels) {
        this.labels = List.copyOf(labels);
        this.confusion = new long[labels.size()][labels.size()];
    }

    public void add(int actual, int predicted) {
        confusion[actual][predicted]++;
        total++;
    }

    public long total() {
        return total;
    }

    public List<String> labels() {
        return labels;
    }

    public long[][] confusionMatrix() {
        long[][] copy = new long[confusion.length][];
        for (int i = 0; i < confusion.length; i++) {
            copy[i] = confusion[i].clone();
        }
        return copy;
    }

    public double accuracy() {
        long correct = 0;
        for (int i = 0; i < confusion.length; i++) {
            correct += confusion[i][i];
        }
        return total == 0 ? 0 : (double) correct / total;
    }

    /** Recall of class {@code c}; 0 when the class never occurs. */
    public double recall(int c) {
        long actual = 0;
        for (long n : confusion[c]) {
            actual += n;
        }
        return actual == 0 ? 0 : (double) confusion[c][c] / actual;
    }

    /** Precision of class {@code c}; 0 when the class is never predicted. */
    public double precision(int c) {
        long predicted = 0;
        for (long[] row : confusion) {
            predicted += row[c];
        }
        return predicted == 0 ? 0 : (double) confusion[c][c] / predicted;
    }

    public double f1(int c) {
        double p = precision(c);
        double r = recall(c);
        return p + r == 0 ? 0 : 2 * p * r / (p + r);
    }

    /** Unweighted mean of the per-class F1 scores over every label. */
    public double macroF1() {
        double sum = 0;
        for (int c = 0; c < labels.size(); c++) {
            sum += f1(c);
        }
        return sum / labels.size();
    }

    /** A JSON-ready view: plain maps and lists of numbers and strings. */
    public Map<String, Object> toMap() {
        Map<String, Object> map = new LinkedHashMap<>();
        map.put("sequences", total);
        map.put("accuracy", accuracy());
        map.put("macroF1", macroF1());
        Map<String, Object> perClass = new LinkedHashMap<>();
        for (int c = 0; c < labels.size(); c++) {
            Map<String, Object> stats = new LinkedHashMap<>();
            stats.put("precision", precision(c));
            stats.put("recall", recall(c));
            stats.put("f1", f1(c));
            perClass.put(labels.get(c), stats);
        }
        map.put("perClass", perClass);
        map.put("labels", labels);
        List<List<Long>> rows = new ArrayList<>();
        for (long[] row : confusion) {
            List<Long> r = new ArrayList<>();
            for (long n : row) {
                r.add(n);
            }
            rows.add(r);
        }
        map.put("confusion", rows);
        return map;
    }

    /** A fixed-width table for terminals: summary, per-class scores, confusion matrix. */
    public String toTable() {
        StringBuilder out = new StringBuilder();
        out.append(
                String.format(
                        Locale.ROOT,
                        "sequences %d   accuracy %.4f   macro-F1 %.4f%n%n",
                        total,
                        accuracy(),
                        macroF1()));
        int width = Math.max(8, labels.stream().mapToInt(String::length).max().orElse(8) + 2);
        out.append(
                String.format(
                        Locale.ROOT,
                        "%-" + width + "s %9s %9s %9s%n",
                        "class",
                        "precision",
                        "recall",
                        "f1"));
        for (int c = 0; c < labels.size(); c++) {
            out.append(
                    String.format(
                            Locale.ROOT,
                            "%-" + width + "s %9.4f %9.4f %9.4f%n",
                            labels.get(c),
                            precision(c),
                            recall(c),
                            f1(c)));
        }
        out.append(String.format(Locale.ROOT, "%nconfusion (rows: true, columns: predicted)%n"));
        out.append(String.format(Locale.ROOT, "%-" + width + "s", ""));
        for (String label : labels) {
            out.append(String.format(Locale.ROOT, " %" + width + "s", label));
        }
        out.append(System.lineSeparator());
        for (int r = 0; r < labels.size(); r++) {
            out.append(String.format(Locale.ROOT, "%-" + width + "s", labels.get(r)));
            for (int c = 0; c < labels.size(); c++) {
                out.append(String.format(Locale.ROOT, " %" + width + "d", confusion[r][c]));
            }
            out.append(System.lineSeparator());
        }
        return out.toString();
    }
}
