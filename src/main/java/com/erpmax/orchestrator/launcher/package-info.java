/**
 * The JVM's entry point in {@code payara/start.sh} ({@code target/erpmax-launcher.jar}): Payara
 * Micro, plus the one check Micro does not make; and the steps start.sh runs to prepare Micro's
 * root directory (module options, unused CDI extensions, the unpacked WAR). Runs outside the WAR;
 * depends only on platform/control's {@code Settings} and the entity packages; nothing depends on it.
 */
package com.erpmax.orchestrator.launcher;
