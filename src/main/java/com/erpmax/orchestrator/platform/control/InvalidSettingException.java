package com.erpmax.orchestrator.platform.control;

import java.util.List;

/** A configuration value that cannot be used; the message names the key and what is wrong. */
public class InvalidSettingException extends RuntimeException {

    public InvalidSettingException(String key, String problem) {
        super(key + " " + problem);
    }

    /** Several at once, each message as the single-value constructor words it. */
    InvalidSettingException(List<String> problems) {
        super(String.join("; ", problems));
    }
}
