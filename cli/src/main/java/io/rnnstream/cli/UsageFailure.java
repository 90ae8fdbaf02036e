package io.rnnstream.cli;

/**
 * A mistake in what the user asked for, found after parsing (a file whose format cannot be told, a
 * settings file of neither job): shown as is, exit code 2 like a bad option.
 */
final class UsageFailure extends RuntimeException {

    UsageFailure(String message) {
        super(message);
    }
}
