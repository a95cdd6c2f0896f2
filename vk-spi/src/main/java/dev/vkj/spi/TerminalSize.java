package dev.vkj.spi;

/** A terminal size sent by {@code kubectl exec -t} when the user's window changes. */
public record TerminalSize(int width, int height) {}
