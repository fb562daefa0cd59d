/**
 * The one-shot migrator and the operator's commands ({@code java -jar erpmax-migrate.jar}).
 * Depends on schema/control and platform/control, which the WAR uses too; nothing depends on it.
 */
package com.erpmax.orchestrator.migrator;
