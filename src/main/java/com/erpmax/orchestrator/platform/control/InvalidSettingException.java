package com.erpmax.orchestrator.platform.control;

/** A configuration value that cannot be used; the message names the key and what is wrong. */
public class InvalidSettingException extends RuntimeException {

    public InvalidSettingException(String key, String problem) {
        super(key + " " + problem);
    }
}
