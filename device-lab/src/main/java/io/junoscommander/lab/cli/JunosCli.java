package io.junoscommander.lab.cli;

import io.junoscommander.lab.fault.DeviceFaults;
import io.junoscommander.lab.fault.FaultKind;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.regex.Pattern;
import java.util.regex.PatternSyntaxException;

/**
 * A Junos-like CLI session: operational mode ({@code user@host> }) and configuration mode ({@code user@host# }).
 *
 * <p>Errors follow Junos: the offending word gets a caret line under it, followed by {@code unknown command.} (first word)
 * or {@code syntax error, expecting <command>.} (a later word). On an exec channel there is no typed line above the caret,
 * so the command is repeated first; the exit status is then 1 so scripts can tell failure from success.
 */
public final class JunosCli implements CliSession {

    /** Top-level stanzas {@code set} and {@code delete} accept. */
    static final Set<String> TOP_LEVEL_STANZAS = Set.of(
            "system", "interfaces", "protocols", "routing-options", "policy-options", "firewall", "snmp", "vlans", "security",
            "chassis", "routing-instances");

    private static final int DEFAULT_SCREEN_LENGTH = 24;

    private static final Grammar OPERATIONAL = new Grammar("")
            .add(new Grammar("show")
                    .add(new Grammar("version").executable())
                    .add(new Grammar("interfaces").executable().add(new Grammar("terse").executable()))
                    .add(new Grammar("system").add(new Grammar("uptime").executable()).add(new Grammar("commit").executable()))
                    .add(new Grammar("chassis").add(new Grammar("hardware").executable()))
                    .add(new Grammar("configuration").executable().takesArguments()))
            .add(new Grammar("set")
                    .add(new Grammar("cli")
                            .add(new Grammar("screen-length").takesArguments())
                            .add(new Grammar("screen-width").takesArguments())
                            .add(new Grammar("complete-on-space").takesArguments())))
            .add(new Grammar("configure").executable()
                    .add(new Grammar("private").executable())
                    .add(new Grammar("exclusive").executable()))
            .add(new Grammar("exit").executable())
            .add(new Grammar("quit").executable());

    private static final Grammar CONFIGURATION = new Grammar("")
            .add(new Grammar("set").takesArguments())
            .add(new Grammar("delete").takesArguments())
            .add(new Grammar("show").executable().takesArguments())
            .add(new Grammar("commit").executable().takesArguments())
            .add(new Grammar("rollback").executable().takesArguments())
            .add(new Grammar("run").takesArguments())
            .add(new Grammar("top").executable())
            .add(new Grammar("up").executable())
            .add(new Grammar("exit").executable().add(new Grammar("configuration-mode").executable()))
            .add(new Grammar("quit").executable().add(new Grammar("configuration-mode").executable()));

    private final DeviceIdentity identity;
    private final ConfigStore store;
    private final DeviceFaults faults;
    private final String user;
    private final JunosShowCommands show;
    private boolean configurationMode;
    private int screenLength;
    private int screenWidth = 80;

    /**
     * @param terminalRows rows of the client's terminal (0 when unknown); the initial screen length
     */
    public JunosCli(DeviceIdentity identity, ConfigStore store, DeviceFaults faults, String user, int terminalRows) {
        this.identity = identity;
        this.store = store;
        this.faults = faults;
        this.user = user;
        this.show = new JunosShowCommands(identity, store);
        this.screenLength = terminalRows > 0 ? terminalRows : DEFAULT_SCREEN_LENGTH;
    }

    @Override
    public String greeting() {
        return "--- JUNOS " + identity.osVersion() + " Kernel 64-bit  JNPR-12.1-20230607.8a3c4e2_builder_stable_12\n";
    }

    @Override
    public String prompt() {
        String host = show.hostName();
        // Junos leaves a blank line between a command's output and the next prompt.
        return configurationMode ? "\n[edit]\n" + user + "@" + host + "# " : "\n" + user + "@" + host + "> ";
    }

    @Override
    public int screenLength() {
        return screenLength;
    }

    public int screenWidth() {
        return screenWidth;
    }

    public boolean inConfigurationMode() {
        return configurationMode;
    }

    @Override
    public CliResponse execute(String line, boolean interactive) {
        CommandLine command = CommandLine.parse(line);
        if (command.words().isEmpty() && command.pipes().isEmpty()) {
            return CliResponse.text("");
        }
        ErrorPointer pointer = new ErrorPointer(line, interactive ? lastLineLength(prompt()) : -1);
        if (command.error() != null) {
            return pointer.fail(line.length(), command.error());
        }
        return configurationMode ? executeConfiguration(command, pointer) : executeOperational(command, pointer, interactive);
    }

    private CliResponse executeOperational(CommandLine command, ErrorPointer pointer, boolean interactive) {
        Grammar.Match match = OPERATIONAL.match(command.words());
        if (match.errorWord() >= 0) {
            return pointer.fail(command.offsetOf(match.errorWord()), match.errorMessage());
        }
        String verb = String.join(" ", match.canonical());
        List<String> args = command.words().subList(match.canonical().size(), command.words().size());
        switch (verb) {
            case "show version":
                return pipe(command, pointer, show.version(), false);
            case "show interfaces":
            case "show interfaces terse":
                return pipe(command, pointer, show.interfacesTerse(), false);
            case "show system uptime":
                return pipe(command, pointer, show.systemUptime(), false);
            case "show system commit":
                return pipe(command, pointer, show.systemCommit(), false);
            case "show chassis hardware":
                return pipe(command, pointer, show.chassisHardware(), false);
            case "show configuration":
                return showConfiguration(store.activeTree(), args, command, pointer, true);
            case "set cli screen-length":
                return setScreen(args, command, pointer, true);
            case "set cli screen-width":
                return setScreen(args, command, pointer, false);
            case "set cli complete-on-space":
                if (args.size() != 1 || !(args.get(0).equals("on") || args.get(0).equals("off"))) {
                    return pointer.fail(args.isEmpty() ? pointer.end() : command.offsetOf(match.canonical().size()),
                            "syntax error, expecting on or off.");
                }
                return CliResponse.text(args.get(0).equals("off") ? "Disabling complete-on-space\n" : "Enabling complete-on-space\n");
            case "configure":
            case "configure private":
            case "configure exclusive":
                if (!interactive) {
                    return CliResponse.failure("error: configuration mode needs an interactive session\n");
                }
                configurationMode = true;
                String warning = store.hasUncommittedChanges() ? "The configuration has been changed but not committed\n" : "";
                return CliResponse.text(warning + "Entering configuration mode\n");
            case "exit":
            case "quit":
                return CliResponse.end("");
            default:
                return pointer.fail(command.offsetOf(0), "syntax error, expecting <command>.");
        }
    }

    private CliResponse setScreen(List<String> args, CommandLine command, ErrorPointer pointer, boolean length) {
        if (args.size() != 1 || !args.get(0).matches("\\d{1,5}")) {
            return pointer.fail(args.isEmpty() ? pointer.end() : command.offsetOf(3), "syntax error, expecting <number>.");
        }
        int value = Integer.parseInt(args.get(0));
        if (length) {
            screenLength = value;
            return CliResponse.text("Screen length set to " + value + "\n");
        }
        screenWidth = value;
        return CliResponse.text("Screen width set to " + value + "\n");
    }

    private CliResponse showConfiguration(ConfigTree tree, List<String> path, CommandLine command, ErrorPointer pointer,
            boolean withHeader) {
        boolean displaySet = command.pipes().stream().anyMatch(p -> p.words().equals(List.of("display", "set")));
        List<String> statements = ConfigTree.statements(path);
        String text;
        if (displaySet) {
            text = tree.renderSetLines(statements);
        } else {
            String header = withHeader && path.isEmpty()
                    ? "## Last commit: " + show.timestamp(store.lastCommit()) + " by " + store.lastCommitUser() + "\n"
                    + "version " + identity.osVersion() + ";\n"
                    : "";
            text = header + tree.renderBraces(statements);
        }
        return pipe(command, pointer, withPadding(text), true);
    }

    /** The huge-output fault: pad the configuration with comment lines up to the requested size. */
    private String withPadding(String text) {
        long megabytes = faults.get(FaultKind.HUGE_OUTPUT).map(f -> f.amount()).orElse(0L);
        if (megabytes == 0) {
            return text;
        }
        long wanted = megabytes * 1024 * 1024;
        StringBuilder padded = new StringBuilder((int) Math.min(Integer.MAX_VALUE - 16, wanted + 128)).append(text);
        String filler = "x".repeat(80);
        for (long n = 1; padded.length() < wanted; n++) {
            padded.append("/* huge-output fault padding ").append(n).append(' ').append(filler).append(" */\n");
        }
        return padded.toString();
    }

    /** Applies the pipe filters ({@code | no-more}, {@code | display set}, {@code | match}, {@code | except}, {@code | count}). */
    private CliResponse pipe(CommandLine command, ErrorPointer pointer, String text, boolean configurationOutput) {
        String result = text;
        for (CommandLine.Pipe pipe : command.pipes()) {
            List<String> words = pipe.words();
            String first = words.isEmpty() ? "" : words.get(0);
            switch (first) {
                case "no-more":
                    break;
                case "display":
                    if (!configurationOutput || !words.equals(List.of("display", "set"))) {
                        return pointer.fail(pipe.offset(), "syntax error.");
                    }
                    break;
                case "match":
                case "except":
                    if (words.size() < 2) {
                        return pointer.fail(pointer.end(), "syntax error, expecting <pattern>.");
                    }
                    result = filterLines(result, String.join(" ", words.subList(1, words.size())), first.equals("match"));
                    break;
                case "count":
                    result = "Count: " + result.lines().count() + " lines\n";
                    break;
                default:
                    return pointer.fail(pipe.offset(), "syntax error, expecting <command>.");
            }
        }
        boolean noMore = command.pipes().stream().anyMatch(p -> p.words().equals(List.of("no-more")));
        return noMore ? CliResponse.text(result) : CliResponse.pageable(result);
    }

    private static String filterLines(String text, String pattern, boolean keepMatches) {
        String unquoted = pattern.startsWith("\"") && pattern.endsWith("\"") && pattern.length() > 1
                ? pattern.substring(1, pattern.length() - 1) : pattern;
        Pattern regex;
        try {
            regex = Pattern.compile(unquoted);
        } catch (PatternSyntaxException e) {
            regex = Pattern.compile(Pattern.quote(unquoted));
        }
        StringBuilder out = new StringBuilder();
        for (String line : text.split("\n", -1)) {
            if (!line.isEmpty() && regex.matcher(line).find() == keepMatches) {
                out.append(line).append('\n');
            }
        }
        return out.toString();
    }

    private CliResponse executeConfiguration(CommandLine command, ErrorPointer pointer) {
        Grammar.Match match = CONFIGURATION.match(command.words());
        if (match.errorWord() >= 0) {
            return pointer.fail(command.offsetOf(match.errorWord()), match.errorMessage());
        }
        String verb = String.join(" ", match.canonical());
        List<String> args = command.words().subList(match.canonical().size(), command.words().size());
        switch (verb) {
            case "set":
            case "delete":
                return editStatement(verb, args, command, pointer);
            case "show":
                if (command.pipes().stream().anyMatch(p -> p.words().equals(List.of("compare")))) {
                    return CliResponse.pageable(ConfigTree.compare(store.activeTree(), store.candidateTree()));
                }
                return showConfiguration(store.candidateTree(), args, command, pointer, false);
            case "commit":
                return commit(args, command, pointer);
            case "rollback":
                int revision = 0;
                if (!args.isEmpty()) {
                    if (args.size() > 1 || !args.get(0).matches("\\d{1,3}")) {
                        return pointer.fail(command.offsetOf(1), "syntax error, expecting <number>.");
                    }
                    revision = Integer.parseInt(args.get(0));
                }
                return store.rollback(revision) ? CliResponse.text("load complete\n")
                        : CliResponse.failure("error: rollback " + revision + ": configuration does not exist\n");
            case "run":
                if (args.isEmpty()) {
                    return pointer.fail(pointer.end(), "syntax error, expecting <command>.");
                }
                configurationMode = false;
                try {
                    String operational = command.raw().substring(command.offsetOf(1));
                    CliResponse response = executeOperational(CommandLine.parse(operational), pointer.shifted(command.offsetOf(1)), true);
                    return response.endSession() ? response.withOutput("") : response;
                } finally {
                    configurationMode = true;
                }
            case "top":
            case "up":
                return CliResponse.text("");
            case "exit":
            case "quit":
            case "exit configuration-mode":
            case "quit configuration-mode":
                return leaveConfigurationMode();
            default:
                return pointer.fail(command.offsetOf(0), "unknown command.");
        }
    }

    /** The options {@code commit} takes here, in any order, each at most once; unique prefixes are accepted. */
    private static final List<String> COMMIT_OPTIONS = List.of("and-quit", "check", "comment", "confirmed");

    /**
     * {@code commit [check] | [comment "text"] [confirmed [minutes]] [and-quit]}: the options may come in any order, as on Junos
     * ({@code commit confirmed 5 comment "x"} and {@code commit comment "x" confirmed 5} are the same commit).
     */
    private CliResponse commit(List<String> args, CommandLine command, ErrorPointer pointer) {
        Set<String> seen = new HashSet<>();
        String comment = null;
        int minutes = 0;
        for (int i = 0; i < args.size(); i++) {
            int wordIndex = i + 1;
            String option = completeCommitOption(args.get(i));
            if (option == null || !seen.add(option) || option.equals("check") && seen.size() > 1
                    || !option.equals("check") && seen.contains("check")) {
                return pointer.fail(command.offsetOf(wordIndex), "syntax error, expecting <command>.");
            }
            if (option.equals("comment")) {
                if (i + 1 >= args.size()) {
                    return pointer.fail(pointer.end(), "syntax error, expecting <string>.");
                }
                comment = unquote(args.get(++i));
            } else if (option.equals("confirmed")) {
                minutes = 10;
                if (i + 1 < args.size() && args.get(i + 1).matches("\\d+")) {
                    String number = args.get(++i);
                    if (number.length() > 5 || Integer.parseInt(number) < 1 || Integer.parseInt(number) > 65_535) {
                        return pointer.fail(command.offsetOf(wordIndex + 1), "syntax error, expecting <number>.");
                    }
                    minutes = Integer.parseInt(number);
                }
            }
        }
        if (seen.contains("check")) {
            ConfigStore.CommitResult check = store.check();
            return check.ok() ? CliResponse.text(check.message()) : CliResponse.failure(check.message());
        }
        CliResponse committed = commitOutcome(minutes > 0 ? store.commitConfirmed(user, minutes, comment) : store.commit(user, comment));
        if (seen.contains("and-quit") && committed.exitStatus() == 0) {
            configurationMode = false;
            return CliResponse.text(committed.output() + "Exiting configuration mode\n");
        }
        return committed;
    }

    private static String completeCommitOption(String typed) {
        List<String> candidates = COMMIT_OPTIONS.stream().filter(option -> option.startsWith(typed)).toList();
        return COMMIT_OPTIONS.contains(typed) ? typed : candidates.size() == 1 ? candidates.get(0) : null;
    }

    /** A string argument as Junos reads it: without its quotes, {@code \"} and {@code \\} inside quotes standing for the character. */
    static String unquote(String word) {
        if (word.length() < 2 || !word.startsWith("\"") || !word.endsWith("\"")) {
            return word;
        }
        StringBuilder text = new StringBuilder();
        for (int i = 1; i < word.length() - 1; i++) {
            char c = word.charAt(i);
            if (c == '\\' && i + 1 < word.length() - 1) {
                c = word.charAt(++i);
            }
            text.append(c);
        }
        return text.toString();
    }

    private CliResponse commitOutcome(ConfigStore.CommitResult result) {
        return result.ok() ? CliResponse.text(result.message()) : CliResponse.failure(result.message());
    }

    private CliResponse editStatement(String verb, List<String> args, CommandLine command, ErrorPointer pointer) {
        if (args.isEmpty()) {
            return pointer.fail(pointer.end(), "syntax error, expecting <statement> or <identifier>.");
        }
        if (!TOP_LEVEL_STANZAS.contains(args.get(0))) {
            return pointer.fail(command.offsetOf(1), "syntax error.");
        }
        if (verb.equals("set")) {
            if (args.size() < 2) {
                return pointer.fail(pointer.end(), "syntax error, expecting <statement> or <identifier>.");
            }
            store.set(args);
            return CliResponse.text("");
        }
        return store.delete(args) ? CliResponse.text("") : CliResponse.text("warning: statement not found\n");
    }

    private CliResponse leaveConfigurationMode() {
        if (!store.hasUncommittedChanges()) {
            configurationMode = false;
            return CliResponse.text("Exiting configuration mode\n");
        }
        return CliResponse.ask("The configuration has been changed but not committed\n",
                "Exit with uncommitted changes? [yes,no] (yes) ", answer -> {
                    String normalized = answer.trim().toLowerCase(Locale.ROOT);
                    if (normalized.isEmpty() || "yes".startsWith(normalized)) {
                        // Junos keeps the shared candidate; the changes stay for the next configure session.
                        configurationMode = false;
                        return CliResponse.text("Exiting configuration mode\n");
                    }
                    return CliResponse.text("");
                });
    }

    private static int lastLineLength(String text) {
        return text.length() - text.lastIndexOf('\n') - 1;
    }

    /** Builds Junos error text with the caret under the offending column. */
    private static final class ErrorPointer {
        private final String line;
        private final int promptColumns;
        private final int shift;

        /** @param promptColumns length of the prompt before the typed line, or -1 on exec (the line is repeated) */
        ErrorPointer(String line, int promptColumns) {
            this(line, promptColumns, 0);
        }

        private ErrorPointer(String line, int promptColumns, int shift) {
            this.line = line;
            this.promptColumns = promptColumns;
            this.shift = shift;
        }

        ErrorPointer shifted(int by) {
            return new ErrorPointer(line, promptColumns, shift + by);
        }

        int end() {
            return line.length() - shift + 1;
        }

        CliResponse fail(int offset, String message) {
            int column = shift + offset;
            if (promptColumns < 0) {
                return CliResponse.failure(line + "\n" + " ".repeat(column) + "^\n" + message + "\n");
            }
            return CliResponse.failure(" ".repeat(promptColumns + column) + "^\n" + message + "\n");
        }
    }

    /** The words of a command line and its {@code |} filters, with the column where each word starts. */
    record CommandLine(String raw, List<String> words, List<Integer> offsets, List<Pipe> pipes, String error) {

        record Pipe(List<String> words, int offset) {
        }

        int offsetOf(int wordIndex) {
            return wordIndex < offsets.size() ? offsets.get(wordIndex) : raw.length() + 1;
        }

        static CommandLine parse(String raw) {
            List<List<String>> segments = new ArrayList<>();
            List<List<Integer>> segmentOffsets = new ArrayList<>();
            List<Integer> pipeSigns = new ArrayList<>();
            List<String> words = new ArrayList<>();
            List<Integer> offsets = new ArrayList<>();
            segments.add(words);
            segmentOffsets.add(offsets);
            StringBuilder word = new StringBuilder();
            int wordStart = -1;
            boolean quoted = false;
            for (int i = 0; i <= raw.length(); i++) {
                char c = i < raw.length() ? raw.charAt(i) : ' ';
                if (!quoted && (Character.isWhitespace(c) || c == '|')) {
                    if (word.length() > 0) {
                        words.add(word.toString());
                        offsets.add(wordStart);
                        word.setLength(0);
                    }
                    if (c == '|' && i < raw.length()) {
                        words = new ArrayList<>();
                        offsets = new ArrayList<>();
                        segments.add(words);
                        segmentOffsets.add(offsets);
                        pipeSigns.add(i);
                    }
                    continue;
                }
                if (quoted && c == '\\' && i + 1 < raw.length()) {
                    // inside quotes a backslash takes the next character literally, so \" does not end the string
                    if (word.length() == 0) {
                        wordStart = i;
                    }
                    word.append(c).append(raw.charAt(++i));
                    continue;
                }
                if (c == '"') {
                    quoted = !quoted;
                }
                if (word.length() == 0) {
                    wordStart = i;
                }
                word.append(c);
            }
            List<Pipe> pipes = new ArrayList<>();
            for (int s = 1; s < segments.size(); s++) {
                List<Integer> pipeOffsets = segmentOffsets.get(s);
                // A pipe with no words reports its error just after the pipe sign.
                pipes.add(new Pipe(segments.get(s), pipeOffsets.isEmpty() ? pipeSigns.get(s - 1) + 2 : pipeOffsets.get(0)));
            }
            return new CommandLine(raw, segments.get(0), segmentOffsets.get(0), pipes,
                    quoted ? "syntax error, unterminated string." : null);
        }
    }

    /** A command word and the words allowed after it; unique prefixes are accepted, as Junos completes them. */
    static final class Grammar {
        private final String word;
        private final List<Grammar> next = new ArrayList<>();
        private boolean executable;
        private boolean argumentsFollow;

        Grammar(String word) {
            this.word = word;
        }

        Grammar add(Grammar child) {
            next.add(child);
            return this;
        }

        Grammar executable() {
            executable = true;
            return this;
        }

        Grammar takesArguments() {
            argumentsFollow = true;
            return this;
        }

        /** The canonical words matched; errorWord is the index of the word that failed, or -1. */
        record Match(List<String> canonical, int errorWord, String errorMessage) {
        }

        Match match(List<String> words) {
            Grammar node = this;
            List<String> canonical = new ArrayList<>();
            for (int i = 0; i < words.size(); i++) {
                if (node.argumentsFollow) {
                    return new Match(canonical, -1, null);
                }
                Grammar child = node.find(words.get(i));
                if (child == null) {
                    String message = i == 0 ? "unknown command."
                            : node.next.isEmpty() ? "syntax error." : "syntax error, expecting <command>.";
                    return new Match(canonical, i, message);
                }
                canonical.add(child.word);
                node = child;
            }
            if (!node.executable && !node.argumentsFollow) {
                return new Match(canonical, words.size(), "syntax error, expecting <command>.");
            }
            return new Match(canonical, -1, null);
        }

        private Grammar find(String typed) {
            Grammar found = null;
            for (Grammar child : next) {
                if (child.word.equals(typed)) {
                    return child;
                }
                if (child.word.startsWith(typed)) {
                    if (found != null) {
                        return null;
                    }
                    found = child;
                }
            }
            return found;
        }
    }
}
