package com.erpmax.orchestrator.platform.control;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.inject.Produces;

import org.eclipse.microprofile.config.ConfigProvider;

/** {@link Settings} inside the WAR, read through MicroProfile Config (files, system properties, environment). */
@ApplicationScoped
public class SettingsProducer {

    @Produces
    Settings settings() {
        var config = ConfigProvider.getConfig(SettingsProducer.class.getClassLoader());
        return Settings.from(key -> config.getOptionalValue(key, String.class));
    }
}
