package io.junoscommander.lab.cli;

import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;

/**
 * One device's configuration: the active (committed) set of {@code set} paths, the candidate that configuration mode
 * edits (shared by all sessions, like Junos' default {@code configure}), and the previous commits for {@code rollback}.
 */
public final class ConfigStore {

    /** Revisions kept: rollback 0 (the active configuration) to rollback 49, like Junos. */
    public static final int MAX_REVISIONS = 50;

    private final ScheduledExecutorService scheduler;
    private final long minuteMillis;
    private LinkedHashSet<String> active;
    private LinkedHashSet<String> candidate;
    /** Earlier active configurations, most recent first: index 0 is {@code rollback 1}. */
    private final List<Set<String>> history = new ArrayList<>();
    private ScheduledFuture<?> pendingConfirmation;
    /** Identifies the pending confirmation so a rollback task that lost the race against a confirming commit does nothing. */
    private long confirmationGeneration;
    /** The commit history {@code show system commit} prints, most recent first; starts with the factory commit. */
    private final List<CommitEntry> commits = new ArrayList<>();

    public ConfigStore(Collection<String> initialSetPaths, ScheduledExecutorService scheduler, long minuteMillis) {
        this.active = new LinkedHashSet<>(initialSetPaths);
        this.candidate = new LinkedHashSet<>(initialSetPaths);
        this.scheduler = scheduler;
        this.minuteMillis = minuteMillis;
        this.commits.add(new CommitEntry(Instant.now(), "root", "other", null, 0));
    }

    /**
     * One commit of the history.
     *
     * @param client how the commit was made: {@code cli}, or {@code other} for the automatic rollback of an unconfirmed commit
     * @param comment the {@code commit comment} text, or null
     * @param confirmMinutes the rollback delay of a {@code commit confirmed}, 0 for a plain commit
     */
    public record CommitEntry(Instant at, String user, String client, String comment, int confirmMinutes) {
    }

    /** Result of a commit or commit check: {@code ok}, and the text Junos prints either way. */
    public record CommitResult(boolean ok, String message) {
    }

    public synchronized List<String> activePaths() {
        return List.copyOf(active);
    }

    public synchronized List<String> candidatePaths() {
        return List.copyOf(candidate);
    }

    public synchronized ConfigTree activeTree() {
        return ConfigTree.of(active);
    }

    public synchronized ConfigTree candidateTree() {
        return ConfigTree.of(candidate);
    }

    public synchronized boolean hasUncommittedChanges() {
        return !active.equals(candidate);
    }

    public synchronized Instant lastCommit() {
        return commits.get(0).at();
    }

    public synchronized String lastCommitUser() {
        return commits.get(0).user();
    }

    /** The commit history, most recent first (at most {@value #MAX_REVISIONS} entries, like Junos). */
    public synchronized List<CommitEntry> commitHistory() {
        return List.copyOf(commits);
    }

    public synchronized boolean confirmationPending() {
        return pendingConfirmation != null;
    }

    /** The value of a single-valued statement in the active configuration, e.g. {@code system host-name}. */
    public synchronized Optional<String> activeValue(String pathPrefix) {
        String prefix = pathPrefix + " ";
        return active.stream().filter(path -> path.startsWith(prefix)).map(path -> path.substring(prefix.length())).findFirst();
    }

    /** Adds a statement to the candidate; a single-valued statement replaces its previous value. */
    public synchronized void set(List<String> tokens) {
        List<String> statements = ConfigTree.statements(tokens);
        String last = statements.get(statements.size() - 1);
        int blank = last.indexOf(' ');
        if (blank > 0 && ConfigTree.SINGLE_VALUED.contains(last.substring(0, blank))) {
            List<String> parent = statements.subList(0, statements.size() - 1);
            String replacedPrefix = (parent.isEmpty() ? "" : String.join(" ", parent) + " ") + last.substring(0, blank) + " ";
            candidate.removeIf(path -> path.startsWith(replacedPrefix));
        }
        candidate.add(String.join(" ", tokens));
    }

    /** Removes a statement and everything below it from the candidate; false when nothing matched. */
    public synchronized boolean delete(List<String> tokens) {
        String path = String.join(" ", tokens);
        return candidate.removeIf(line -> line.equals(path) || line.startsWith(path + " "));
    }

    public synchronized CommitResult check() {
        ConfigTree tree = ConfigTree.of(candidate);
        boolean hasHostName = tree.childrenOf(List.of("system")).stream().anyMatch(s -> s.startsWith("host-name "));
        if (!hasHostName) {
            // The lab's one deterministic commit failure: Junos refuses a configuration without system host-name.
            return new CommitResult(false, "[edit system]\n  'host-name'\n    Missing mandatory statement: 'host-name'\n"
                    + "error: configuration check-out failed: (missing mandatory statements)\n");
        }
        return new CommitResult(true, "configuration check succeeds\n");
    }

    /** Commits the candidate; also confirms a pending {@code commit confirmed}. */
    public synchronized CommitResult commit(String user) {
        return commit(user, null);
    }

    /** Commits the candidate with a comment (null for none) kept in the commit history; also confirms a pending commit. */
    public synchronized CommitResult commit(String user, String comment) {
        CommitResult check = check();
        if (!check.ok()) {
            return check;
        }
        cancelPendingConfirmation();
        activate(candidate, new CommitEntry(Instant.now(), user, "cli", comment, 0));
        return new CommitResult(true, "commit complete\n");
    }

    /** Commits the candidate and rolls back to the previous configuration after {@code minutes} unless confirmed. */
    public synchronized CommitResult commitConfirmed(String user, int minutes) {
        return commitConfirmed(user, minutes, null);
    }

    /** A {@code commit confirmed} with a comment (null for none) kept in the commit history. */
    public synchronized CommitResult commitConfirmed(String user, int minutes, String comment) {
        CommitResult check = check();
        if (!check.ok()) {
            return check;
        }
        cancelPendingConfirmation();
        LinkedHashSet<String> restore = new LinkedHashSet<>(active);
        activate(candidate, new CommitEntry(Instant.now(), user, "cli", comment, minutes));
        long generation = ++confirmationGeneration;
        pendingConfirmation = scheduler.schedule(() -> rollBackUnconfirmed(generation, restore),
                minutes * minuteMillis, TimeUnit.MILLISECONDS);
        return new CommitResult(true, "commit confirmed will be automatically rolled back in " + minutes
                + " minutes unless confirmed\ncommit complete\n");
    }

    private synchronized void rollBackUnconfirmed(long generation, LinkedHashSet<String> restore) {
        if (pendingConfirmation == null || generation != confirmationGeneration) {
            return;
        }
        pendingConfirmation = null;
        activate(restore, new CommitEntry(Instant.now(), "root", "other", null, 0));
        candidate = new LinkedHashSet<>(active);
    }

    /** Loads revision {@code n} (0 = active) into the candidate; empty when that revision does not exist. */
    public synchronized boolean rollback(int n) {
        if (n == 0) {
            candidate = new LinkedHashSet<>(active);
            return true;
        }
        if (n < 1 || n > history.size()) {
            return false;
        }
        candidate = new LinkedHashSet<>(history.get(n - 1));
        return true;
    }

    /** Number of revisions available to {@code rollback}, counting the active one. */
    public synchronized int revisions() {
        return history.size() + 1;
    }

    private void activate(Set<String> configuration, CommitEntry entry) {
        history.add(0, new LinkedHashSet<>(active));
        while (history.size() > MAX_REVISIONS - 1) {
            history.remove(history.size() - 1);
        }
        active = new LinkedHashSet<>(configuration);
        commits.add(0, entry);
        while (commits.size() > MAX_REVISIONS) {
            commits.remove(commits.size() - 1);
        }
    }

    private void cancelPendingConfirmation() {
        if (pendingConfirmation != null) {
            pendingConfirmation.cancel(false);
            pendingConfirmation = null;
        }
    }
}
