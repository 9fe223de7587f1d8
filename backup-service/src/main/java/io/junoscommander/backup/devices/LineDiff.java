package io.junoscommander.backup.devices;

import com.github.difflib.DiffUtils;
import com.github.difflib.UnifiedDiffUtils;
import com.github.difflib.patch.AbstractDelta;
import com.github.difflib.patch.Patch;
import java.util.List;

/** Line diffs of two configurations (Myers, via java-diff-utils): counts and the unified text. */
final class LineDiff {

    static final int CONTEXT = 3;

    private LineDiff() {
    }

    /** Lines added and removed going from {@code from} to {@code to}. */
    record Counts(int added, int removed) {
    }

    static List<String> lines(String content) {
        if (content.isEmpty()) {
            return List.of();
        }
        String body = content.endsWith("\n") ? content.substring(0, content.length() - 1) : content;
        return List.of(body.split("\n", -1));
    }

    static Counts counts(String from, String to) {
        Patch<String> patch = DiffUtils.diff(lines(from), lines(to));
        int added = 0;
        int removed = 0;
        for (AbstractDelta<String> delta : patch.getDeltas()) {
            added += delta.getTarget().size();
            removed += delta.getSource().size();
        }
        return new Counts(added, removed);
    }

    /** The unified diff ({@code diff -u} form, 3 lines of context); empty when both are equal. */
    static String unified(String fromLabel, String from, String toLabel, String to) {
        List<String> original = lines(from);
        Patch<String> patch = DiffUtils.diff(original, lines(to));
        if (patch.getDeltas().isEmpty()) {
            return "";
        }
        StringBuilder text = new StringBuilder();
        for (String line : UnifiedDiffUtils.generateUnifiedDiff(fromLabel, toLabel, original, patch, CONTEXT)) {
            text.append(line).append('\n');
        }
        return text.toString();
    }
}
