package io.junoscommander.backup.restore;

/** One sanity check on a restored server: what was checked, whether it held, and what was found. */
public record RestoreCheck(String name, boolean ok, String detail) {
}
