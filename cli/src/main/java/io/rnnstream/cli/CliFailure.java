package io.rnnstream.cli;

/** A failure whose message is complete as it stands and is shown to the user as is. */
final class CliFailure extends RuntimeException {

    CliFailure(String message) {
        super(message);
    }
}
