package io.rnnstream.stream.config;

/** A configuration that cannot run; the message names the setting and what was expected. */
public final class ConfigException extends RuntimeException {

    public ConfigException(String message) {
        super(message);
    }

    public ConfigException(String message, Throwable cause) {
        super(message, cause);
    }
}
