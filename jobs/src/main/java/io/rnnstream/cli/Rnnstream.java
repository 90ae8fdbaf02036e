package io.rnnstream.cli;

/** Entry point of the {@code rnnstream} command line. */
public final class Rnnstream {

    private Rnnstream() {}

    public static void main(String[] args) {
        System.out.println("rnnstream: subcommands are being built");
    }
}
